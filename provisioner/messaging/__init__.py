"""Runtime library for producers and consumers: envelope encryption, KMS-rooted signatures,
secure send and receive, subject references for erasure. Wire format: `wire` module docstring.
"""

from __future__ import annotations

from provisioner.messaging.consumer import ReceivedMessage, Rejection, SecureConsumer
from provisioner.messaging.errors import (
    BadSignature,
    Expired,
    KmsUnavailable,
    MessageRejected,
    MessagingError,
    OutsideReplayWindow,
    Replayed,
    Tampered,
    TooLarge,
    TransportFailed,
    UnknownKey,
    WrongDestination,
)
from provisioner.messaging.keycache import CacheLimits
from provisioner.messaging.producer import BatchResult, OutgoingMessage, SecureProducer
from provisioner.messaging.replay import ReplayGuard
from provisioner.messaging.subjects import SUBJECT_ATTRIBUTE, SubjectKey

__all__ = [
    "SUBJECT_ATTRIBUTE",
    "BadSignature",
    "BatchResult",
    "CacheLimits",
    "Expired",
    "KmsUnavailable",
    "MessageRejected",
    "MessagingError",
    "OutgoingMessage",
    "OutsideReplayWindow",
    "ReceivedMessage",
    "Rejection",
    "ReplayGuard",
    "Replayed",
    "SecureConsumer",
    "SecureProducer",
    "SubjectKey",
    "Tampered",
    "TooLarge",
    "TransportFailed",
    "UnknownKey",
    "WrongDestination",
]

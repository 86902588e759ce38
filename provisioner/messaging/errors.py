"""Why a message was refused: one exception class per reason, all under `MessageRejected`.

Consumers count rejections by `reason`, so each class carries a short stable code.
"""

from __future__ import annotations


class MessagingError(Exception):
    """Base of everything this library raises on purpose."""


class TransportFailed(MessagingError):
    """An SQS or SNS call failed (service error, network failure)."""


class MessageRejected(MessagingError):
    """A message was refused: never returned as data, never deleted."""

    reason = "rejected"


class Tampered(MessageRejected):
    """The body does not parse, or the AEAD tag does not match: altered in transit or at rest."""

    reason = "tampered"


class BadSignature(MessageRejected):
    """The message signature, or the certificate's KMS signature, does not verify."""

    reason = "bad_signature"


class Expired(MessageRejected):
    """The signing certificate has expired."""

    reason = "expired"


class OutsideReplayWindow(Expired):
    """The signed timestamp is too old, or too far in the future, for the replay window."""

    reason = "outside_replay_window"


class Replayed(MessageRejected):
    """The same message id was already accepted within the replay window."""

    reason = "replayed"


class UnknownKey(MessageRejected):
    """The producer, or the KMS key that vouches for it, is not trusted by this consumer."""

    reason = "unknown_key"


class WrongDestination(MessageRejected):
    """The message was sealed for another queue or topic than the one it was read from."""

    reason = "wrong_destination"


class TooLarge(MessageRejected):
    """The sealed message would exceed the service's maximum message size."""

    reason = "too_large"


class KmsUnavailable(MessageRejected):
    """KMS could not be reached or refused the call; nothing was sent or opened."""

    reason = "kms_unavailable"

"""Consumer side of the format: decode, check destination, signer, signature, replay; decrypt.

The order matters: nothing about a message is trusted (not even its id, for the replay memory)
before its signature verifies, and nothing is decrypted before that either.
"""

from __future__ import annotations

from dataclasses import dataclass

from provisioner.messaging import wire
from provisioner.messaging.envelope import EnvelopeOpener, SealedPayload
from provisioner.messaging.errors import Tampered, WrongDestination
from provisioner.messaging.replay import ReplayGuard
from provisioner.messaging.signing import SignatureVerifier


@dataclass(frozen=True)
class OpenedMessage:
    payload: bytes
    producer_id: str
    destination: str
    message_id: bytes
    timestamp_ms: int
    subject_ref: bytes

    @property
    def message_id_text(self) -> str:
        return self.message_id.hex()


class MessageOpener:
    def __init__(
        self, verifier: SignatureVerifier, envelope: EnvelopeOpener, replay: ReplayGuard
    ) -> None:
        self._verifier = verifier
        self._envelope = envelope
        self._replay = replay

    def open(
        self,
        body: str,
        accepted_destinations: frozenset[str],
        transport_id: str,
        subject_attribute: bytes = b"",
    ) -> OpenedMessage:
        """Open `body` read from a queue that may hold messages for `accepted_destinations`."""
        message = wire.decode_message(body)
        frame = message.frame
        self._verifier.verify(message)
        if frame.destination not in accepted_destinations:
            raise WrongDestination(
                f"message was sealed for {frame.destination}, read from "
                f"{', '.join(sorted(accepted_destinations))}"
            )
        if subject_attribute != frame.subject_ref:
            raise Tampered("subject reference attribute differs from the signed one")
        self._replay.check(frame.producer_id, frame.message_id, frame.timestamp_ms, transport_id)
        payload = self._envelope.open(
            SealedPayload(
                cmk_id=frame.cmk_id,
                wrapped_key=frame.wrapped_key,
                nonce=frame.nonce,
                ciphertext=frame.ciphertext,
            ),
            frame.destination,
            frame.message_id,
        )
        return OpenedMessage(
            payload=payload,
            producer_id=frame.producer_id,
            destination=frame.destination,
            message_id=frame.message_id,
            timestamp_ms=frame.timestamp_ms,
            subject_ref=frame.subject_ref,
        )

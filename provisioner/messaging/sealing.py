"""Producer side of the format: encrypt, sign and encode one message (no transport here)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass

from provisioner.messaging import wire
from provisioner.messaging.envelope import EnvelopeSealer
from provisioner.messaging.signing import MessageSigner


@dataclass(frozen=True)
class SealedMessage:
    body: str
    message_id: bytes

    @property
    def message_id_text(self) -> str:
        return self.message_id.hex()


class MessageSealer:
    def __init__(
        self,
        producer_id: str,
        envelope: EnvelopeSealer,
        signer: MessageSigner,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._producer_id = producer_id
        self._envelope = envelope
        self._signer = signer
        self._clock = clock

    def seal(self, payload: bytes, destination: str, subject_ref: bytes = b"") -> SealedMessage:
        message_id = os.urandom(wire.MESSAGE_ID_BYTES)
        sealed = self._envelope.seal(payload, destination, message_id)
        credential = self._signer.credential()
        frame = wire.MessageFrame(
            mode=credential.mode,
            producer_id=self._producer_id,
            destination=destination,
            message_id=message_id,
            timestamp_ms=int(self._clock() * 1000),
            subject_ref=subject_ref,
            cmk_id=sealed.cmk_id,
            wrapped_key=sealed.wrapped_key,
            nonce=sealed.nonce,
            ciphertext=sealed.ciphertext,
            signer=credential.signer,
        )
        signed_bytes = wire.encode_frame(frame)
        signature = credential.sign(wire.signing_input(signed_bytes))
        return SealedMessage(
            body=wire.encode_message(signed_bytes, signature), message_id=message_id
        )

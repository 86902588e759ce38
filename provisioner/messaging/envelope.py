"""Envelope encryption: AES-256-GCM under a KMS data key, with data keys cached within limits.

Each data key comes from KMS `GenerateDataKey` (AES_256) on the stack CMK, with an encryption
context naming the destination ARN and the purpose, so KMS only unwraps it for that destination.
The AES-GCM associated data binds format version, key ids, destination and message id.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from provisioner.messaging import wire
from provisioner.messaging.errors import Tampered, UnknownKey
from provisioner.messaging.keycache import CacheLimits, LimitedCache
from provisioner.messaging.kms import kms_call

if TYPE_CHECKING:
    from mypy_boto3_kms import KMSClient

DESTINATION_CONTEXT_KEY = "provisioner:destination"
PURPOSE_CONTEXT_KEY = "provisioner:purpose"
PAYLOAD_PURPOSE = "message-payload"


def encryption_context(destination: str) -> dict[str, str]:
    return {DESTINATION_CONTEXT_KEY: destination, PURPOSE_CONTEXT_KEY: PAYLOAD_PURPOSE}


@dataclass(frozen=True)
class SealedPayload:
    cmk_id: str
    wrapped_key: bytes
    nonce: bytes
    ciphertext: bytes


@dataclass(frozen=True)
class _DataKey:
    cmk_id: str
    wrapped: bytes
    cipher: AESGCM


class EnvelopeSealer:
    """Encrypts payloads for one CMK; `cache=None` asks KMS for a data key per message."""

    def __init__(
        self,
        kms: KMSClient,
        cmk_id: str,
        *,
        cache: CacheLimits | None = CacheLimits(),
        clock: Callable[[], float] | None = None,
    ) -> None:
        self._kms = kms
        self._cmk_id = cmk_id
        self._cache: LimitedCache[str, _DataKey] | None = None
        if cache is not None:
            self._cache = LimitedCache(cache) if clock is None else LimitedCache(cache, clock)

    def seal(self, plaintext: bytes, destination: str, message_id: bytes) -> SealedPayload:
        key = self._cache.use(destination, len(plaintext)) if self._cache is not None else None
        if key is None:
            key = self._new_data_key(destination)
            if self._cache is not None:
                self._cache.put(destination, key, len(plaintext))
        nonce = os.urandom(wire.NONCE_BYTES)
        aad = wire.associated_data(key.cmk_id, key.wrapped, destination, message_id)
        return SealedPayload(
            cmk_id=key.cmk_id,
            wrapped_key=key.wrapped,
            nonce=nonce,
            ciphertext=key.cipher.encrypt(nonce, plaintext, aad),
        )

    def _new_data_key(self, destination: str) -> _DataKey:
        response = kms_call(
            "GenerateDataKey",
            self._kms.generate_data_key,
            KeyId=self._cmk_id,
            KeySpec="AES_256",
            EncryptionContext=encryption_context(destination),
        )
        return _DataKey(
            cmk_id=response["KeyId"],
            wrapped=response["CiphertextBlob"],
            cipher=AESGCM(response["Plaintext"]),
        )


class EnvelopeOpener:
    """Decrypts payloads; unwrapped data keys are cached under the same kind of limits."""

    def __init__(
        self,
        kms: KMSClient,
        *,
        trusted_cmks: frozenset[str] | None = None,
        cache: CacheLimits | None = CacheLimits(),
        clock: Callable[[], float] | None = None,
    ) -> None:
        self._kms = kms
        self._trusted_cmks = trusted_cmks
        self._cache: LimitedCache[tuple[str, bytes, str], AESGCM] | None = None
        if cache is not None:
            self._cache = LimitedCache(cache) if clock is None else LimitedCache(cache, clock)

    def open(self, sealed: SealedPayload, destination: str, message_id: bytes) -> bytes:
        if self._trusted_cmks is not None and sealed.cmk_id not in self._trusted_cmks:
            raise UnknownKey(f"payload key {sealed.cmk_id} is not a trusted KMS key")
        cache_key = (sealed.cmk_id, sealed.wrapped_key, destination)
        size = max(len(sealed.ciphertext) - 16, 0)
        cipher = self._cache.use(cache_key, size) if self._cache is not None else None
        if cipher is None:
            cipher = self._unwrap(sealed, destination)
            if self._cache is not None:
                self._cache.put(cache_key, cipher, size)
        aad = wire.associated_data(sealed.cmk_id, sealed.wrapped_key, destination, message_id)
        try:
            return cipher.decrypt(sealed.nonce, sealed.ciphertext, aad)
        except InvalidTag:
            raise Tampered("payload does not authenticate (AES-GCM tag mismatch)") from None

    def _unwrap(self, sealed: SealedPayload, destination: str) -> AESGCM:
        response = kms_call(
            "Decrypt",
            self._kms.decrypt,
            CiphertextBlob=sealed.wrapped_key,
            KeyId=sealed.cmk_id,
            EncryptionContext=encryption_context(destination),
        )
        if response.get("KeyId") != sealed.cmk_id:
            raise Tampered("wrapped data key belongs to another KMS key")
        return AESGCM(response["Plaintext"])

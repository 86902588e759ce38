"""Signatures rooted in a producer's KMS key (ECC_NIST_P256, SIGN_VERIFY, ECDSA_SHA_256).

`kms` mode: every message is signed by KMS `Sign`. `delegated` mode (the default): the producer
makes a short-lived local P-256 key, KMS signs a certificate for it (producer id, public key,
not-after) and messages are signed locally. Consumers verify both with the KMS public key,
fetched once with `GetPublicKey` and cached: no KMS call per message on either side in
delegated mode. KMS signs with `MessageType=RAW` over short inputs (see `wire.signing_input`).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from provisioner.messaging import wire
from provisioner.messaging.errors import BadSignature, Expired, Tampered, UnknownKey
from provisioner.messaging.kms import kms_call

if TYPE_CHECKING:
    from mypy_boto3_kms import KMSClient

SIGNING_ALGORITHM = "ECDSA_SHA_256"
_ECDSA = ec.ECDSA(hashes.SHA256())


class SigningCredential(Protocol):
    """One key's worth of signing: what goes in the `signer` field, and how to sign."""

    @property
    def mode(self) -> wire.SigningMode: ...

    @property
    def signer(self) -> bytes: ...

    def sign(self, data: bytes) -> bytes: ...


class MessageSigner(Protocol):
    def credential(self) -> SigningCredential: ...


def kms_sign(kms: KMSClient, key_id: str, data: bytes) -> bytes:
    response = kms_call(
        "Sign",
        kms.sign,
        KeyId=key_id,
        Message=data,
        MessageType="RAW",
        SigningAlgorithm=SIGNING_ALGORITHM,
    )
    return response["Signature"]


@dataclass(frozen=True)
class _KmsCredential:
    kms: KMSClient
    key_id: str

    @property
    def mode(self) -> wire.SigningMode:
        return wire.SigningMode.KMS

    @property
    def signer(self) -> bytes:
        return self.key_id.encode("utf-8")

    def sign(self, data: bytes) -> bytes:
        return kms_sign(self.kms, self.key_id, data)


class KmsSigner:
    """`kms` mode: one KMS `Sign` call per message."""

    def __init__(self, kms: KMSClient, key_id: str) -> None:
        self._credential = _KmsCredential(kms, key_id)

    def credential(self) -> SigningCredential:
        return self._credential


@dataclass(frozen=True)
class _LocalCredential:
    certificate: bytes
    private_key: ec.EllipticCurvePrivateKey
    not_after_ms: int

    @property
    def mode(self) -> wire.SigningMode:
        return wire.SigningMode.DELEGATED

    @property
    def signer(self) -> bytes:
        return self.certificate

    def sign(self, data: bytes) -> bytes:
        return self.private_key.sign(data, _ECDSA)


class DelegatedSigner:
    """`delegated` mode: a local key certified by KMS, renewed before it expires."""

    def __init__(
        self,
        kms: KMSClient,
        key_id: str,
        producer_id: str,
        *,
        lifetime_seconds: float = 3600.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if lifetime_seconds <= 0:
            raise ValueError("lifetime_seconds must be positive")
        self._kms = kms
        self._key_id = key_id
        self._producer_id = producer_id
        self._lifetime_ms = int(lifetime_seconds * 1000)
        self._clock = clock
        self._current: _LocalCredential | None = None
        self._lock = threading.Lock()

    def credential(self) -> SigningCredential:
        now_ms = int(self._clock() * 1000)
        current = self._current
        # Renew with a fifth of the lifetime left, so no message is signed near the edge.
        if current is None or current.not_after_ms - now_ms < self._lifetime_ms // 5:
            with self._lock:
                current = self._current
                if current is None or current.not_after_ms - now_ms < self._lifetime_ms // 5:
                    current = self._issue(now_ms)
                    self._current = current
        return current

    def _issue(self, now_ms: int) -> _LocalCredential:
        private_key = ec.generate_private_key(ec.SECP256R1())
        body = wire.CertificateBody(
            producer_id=self._producer_id,
            kms_key_id=self._key_id,
            public_key=private_key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            ),
            not_before_ms=now_ms,
            not_after_ms=now_ms + self._lifetime_ms,
        )
        signed = wire.encode_certificate_body(body)
        signature = kms_sign(self._kms, self._key_id, signed)
        return _LocalCredential(
            certificate=wire.encode_certificate(signed, signature),
            private_key=private_key,
            not_after_ms=body.not_after_ms,
        )


class KmsPublicKeys:
    """Producer public keys from KMS `GetPublicKey`, fetched once per key and cached."""

    def __init__(self, kms: KMSClient) -> None:
        self._kms = kms
        self._keys: dict[str, ec.EllipticCurvePublicKey] = {}
        self._lock = threading.Lock()

    def get(self, key_id: str) -> ec.EllipticCurvePublicKey:
        key = self._keys.get(key_id)
        if key is not None:
            return key
        response = kms_call("GetPublicKey", self._kms.get_public_key, KeyId=key_id)
        spec = response.get("KeySpec") or response.get("CustomerMasterKeySpec")
        if spec != "ECC_NIST_P256" or response.get("KeyUsage") != "SIGN_VERIFY":
            raise UnknownKey(f"KMS key {key_id} is not an ECC_NIST_P256 SIGN_VERIFY key")
        loaded = serialization.load_der_public_key(response["PublicKey"])
        if not isinstance(loaded, ec.EllipticCurvePublicKey):
            raise UnknownKey(f"KMS key {key_id} is not an elliptic-curve key")
        with self._lock:
            self._keys[key_id] = loaded
        return loaded


def verify_signature(public_key: ec.EllipticCurvePublicKey, signature: bytes, data: bytes) -> None:
    try:
        public_key.verify(signature, data, _ECDSA)
    except InvalidSignature:
        raise BadSignature("signature does not verify") from None


class SignatureVerifier:
    """Checks a message's signer and signature against the consumer's trusted producers.

    `trusted_producers` maps each producer id to the ARN of its KMS signing key; anything else
    is `UnknownKey`. Verified certificates are cached (bounded), so a message costs one local
    ECDSA verification.
    """

    def __init__(
        self,
        kms: KMSClient,
        trusted_producers: dict[str, str],
        *,
        clock_skew_seconds: float = 60.0,
        max_certificates: int = 1024,
    ) -> None:
        self._trusted = dict(trusted_producers)
        self._public_keys = KmsPublicKeys(kms)
        self._skew_ms = int(clock_skew_seconds * 1000)
        self._max_certificates = max_certificates
        self._certificates: OrderedDict[bytes, tuple[wire.Certificate, ec.EllipticCurvePublicKey]]
        self._certificates = OrderedDict()
        self._lock = threading.Lock()

    def verify(self, message: wire.SignedMessage) -> None:
        frame = message.frame
        trusted_key = self._trusted.get(frame.producer_id)
        if trusted_key is None:
            raise UnknownKey(f"producer {frame.producer_id!r} is not trusted")
        if frame.mode is wire.SigningMode.KMS:
            if frame.signer != trusted_key.encode("utf-8"):
                raise UnknownKey(f"producer {frame.producer_id!r} signed with an untrusted key")
            public_key = self._public_keys.get(trusted_key)
        else:
            public_key = self._certified_key(frame, trusted_key)
        verify_signature(public_key, message.signature, wire.signing_input(message.signed_bytes))

    def _certified_key(
        self, frame: wire.MessageFrame, trusted_key: str
    ) -> ec.EllipticCurvePublicKey:
        with self._lock:
            cached = self._certificates.get(frame.signer)
            if cached is not None:
                self._certificates.move_to_end(frame.signer)
        if cached is None:
            certificate = wire.decode_certificate(frame.signer)
            if certificate.body.kms_key_id != trusted_key:
                raise UnknownKey(
                    f"certificate of {frame.producer_id!r} is signed by an untrusted key"
                )
            kms_key = self._public_keys.get(trusted_key)
            try:
                kms_key.verify(certificate.signature, certificate.signed_bytes, _ECDSA)
            except InvalidSignature:
                raise BadSignature("certificate signature does not verify") from None
            try:
                local_key = ec.EllipticCurvePublicKey.from_encoded_point(
                    ec.SECP256R1(), certificate.body.public_key
                )
            except ValueError:
                raise Tampered("certificate public key is not a P-256 point") from None
            cached = (certificate, local_key)
            with self._lock:
                self._certificates[frame.signer] = cached
                while len(self._certificates) > self._max_certificates:
                    self._certificates.popitem(last=False)
        certificate, local_key = cached
        body = certificate.body
        if body.producer_id != frame.producer_id:
            raise UnknownKey(
                f"certificate names producer {body.producer_id!r}, message {frame.producer_id!r}"
            )
        if frame.timestamp_ms > body.not_after_ms:
            raise Expired(f"signing certificate of {frame.producer_id!r} has expired")
        if frame.timestamp_ms < body.not_before_ms - self._skew_ms:
            raise Expired(f"message predates the signing certificate of {frame.producer_id!r}")
        return local_key

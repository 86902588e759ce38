"""The wire format, version 1: how a sealed, signed message is laid out in an SQS or SNS body.

The body is standard base64 (RFC 4648, with padding) of a binary frame, so it is plain text
that both services accept. Integers are big-endian; `str16`/`bytes16` are a 2-byte length and
the bytes (UTF-8 for text), `bytes32` a 4-byte length and the bytes, `bytes8` a 1-byte length.

Message frame (magic `PM`):

    magic        2 bytes   b"PM"
    version      u8        1
    mode         u8        1 = kms (KMS Sign per message), 2 = delegated (local key + certificate)
    producer_id  str16     who sent it, as named in the consumer's trust list
    destination  str16     ARN of the queue or topic it was sealed for
    message_id   16 bytes  random (UUID4), the replay-protection key
    timestamp    u64       milliseconds since the epoch, UTC
    subject_ref  bytes8    empty, or the 32-byte HMAC subject reference (also an attribute)
    cmk_id       str16     ARN of the KMS key that wrapped the data key
    wrapped_key  bytes16   KMS CiphertextBlob of the AES-256 data key
    nonce        12 bytes  AES-GCM nonce, random per message
    ciphertext   bytes32   AES-256-GCM ciphertext with its 16-byte tag
    signer       bytes16   kms mode: the KMS signing key ARN; delegated: a certificate (below)
    signature    bytes16   DER ECDSA P-256 signature (see `signing_input`)

Everything before `signature` is the canonical signed encoding: the signature covers version,
mode, producer, destination, message id, timestamp, subject reference, key ids, wrapped key,
nonce, ciphertext and the signer. The ECDSA-SHA-256 signature is computed over
`signing_input(...)`: the label `provisioner/message/v1`, a zero byte and the SHA-256 of the
signed encoding (51 bytes, so KMS `Sign` with `MessageType=RAW` takes it at any payload size).

The AES-GCM associated data binds version, cmk_id, the data-key id (first 16 bytes of SHA-256
of the wrapped key), destination and message id (see `associated_data`): a ciphertext moved to
another queue, or paired with another key or id, fails to open.

Certificate (delegated mode, magic `PC`), signed by the producer's KMS key (RAW, ECDSA_SHA_256):

    magic        2 bytes   b"PC"
    version      u8        1
    producer_id  str16
    kms_key_id   str16     ARN of the KMS key (ECC_NIST_P256, SIGN_VERIFY) that signed it
    public_key   bytes16   the short-lived P-256 public key, X9.62 uncompressed point
    not_before   u64       milliseconds since the epoch
    not_after    u64       milliseconds since the epoch
    signature    bytes16   DER ECDSA signature by KMS over everything above

Limits: SQS and SNS take at most 262,144 bytes (256 KiB) per message, body and attributes
together; `encoded_size` gives the body length so producers refuse oversize messages early.
"""

from __future__ import annotations

import binascii
import functools
import hashlib
import struct
from dataclasses import dataclass
from enum import IntEnum

from provisioner.messaging.errors import Tampered

VERSION = 1
MESSAGE_MAGIC = b"PM"
CERTIFICATE_MAGIC = b"PC"
MESSAGE_ID_BYTES = 16
NONCE_BYTES = 12
SERVICE_MAX_BYTES = 262_144
_SIGNING_LABEL = b"provisioner/message/v1\x00"
_AAD_LABEL = b"provisioner/aad/v1\x00"


class SigningMode(IntEnum):
    KMS = 1
    DELEGATED = 2


@dataclass(frozen=True)
class MessageFrame:
    """One sealed message, before the signature is attached."""

    mode: SigningMode
    producer_id: str
    destination: str
    message_id: bytes
    timestamp_ms: int
    subject_ref: bytes
    cmk_id: str
    wrapped_key: bytes
    nonce: bytes
    ciphertext: bytes
    signer: bytes


@dataclass(frozen=True)
class SignedMessage:
    frame: MessageFrame
    signed_bytes: bytes
    signature: bytes


@dataclass(frozen=True)
class CertificateBody:
    producer_id: str
    kms_key_id: str
    public_key: bytes
    not_before_ms: int
    not_after_ms: int


@dataclass(frozen=True)
class Certificate:
    body: CertificateBody
    signed_bytes: bytes
    signature: bytes


class _Writer:
    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def raw(self, data: bytes) -> _Writer:
        self._parts.append(data)
        return self

    def u8(self, value: int) -> _Writer:
        return self.raw(struct.pack(">B", value))

    def u64(self, value: int) -> _Writer:
        return self.raw(struct.pack(">Q", value))

    def bytes8(self, data: bytes) -> _Writer:
        return self.raw(struct.pack(">B", len(data)) + data)

    def bytes16(self, data: bytes) -> _Writer:
        if len(data) > 0xFFFF:
            raise ValueError("field longer than 65,535 bytes")
        return self.raw(struct.pack(">H", len(data)) + data)

    def bytes32(self, data: bytes) -> _Writer:
        return self.raw(struct.pack(">I", len(data)) + data)

    def str16(self, text: str) -> _Writer:
        return self.bytes16(text.encode("utf-8"))

    def getvalue(self) -> bytes:
        return b"".join(self._parts)


class _Reader:
    def __init__(self, data: bytes, what: str) -> None:
        self._data = data
        self._offset = 0
        self._what = what

    def raw(self, size: int) -> bytes:
        end = self._offset + size
        if end > len(self._data):
            raise Tampered(f"{self._what} is truncated")
        chunk = self._data[self._offset : end]
        self._offset = end
        return chunk

    def u8(self) -> int:
        value: int = struct.unpack(">B", self.raw(1))[0]
        return value

    def u64(self) -> int:
        value: int = struct.unpack(">Q", self.raw(8))[0]
        return value

    def bytes8(self) -> bytes:
        return self.raw(self.u8())

    def bytes16(self) -> bytes:
        size: int = struct.unpack(">H", self.raw(2))[0]
        return self.raw(size)

    def bytes32(self) -> bytes:
        size: int = struct.unpack(">I", self.raw(4))[0]
        return self.raw(size)

    def str16(self) -> str:
        try:
            return self.bytes16().decode("utf-8")
        except UnicodeDecodeError:
            raise Tampered(f"{self._what} has a text field that is not UTF-8") from None

    @property
    def offset(self) -> int:
        return self._offset

    def expect_end(self) -> None:
        if self._offset != len(self._data):
            raise Tampered(f"{self._what} has trailing bytes")


def _b16(data: bytes) -> bytes:
    if len(data) > 0xFFFF:
        raise ValueError("field longer than 65,535 bytes")
    return len(data).to_bytes(2, "big") + data


def _s16(text: str) -> bytes:
    return _b16(text.encode("utf-8"))


def encode_frame(frame: MessageFrame) -> bytes:
    """The canonical signed encoding of `frame` (everything but the signature)."""
    # One join instead of a writer chain: this runs once per message on the hot path.
    return b"".join(
        (
            MESSAGE_MAGIC,
            bytes((VERSION, int(frame.mode))),
            _s16(frame.producer_id),
            _s16(frame.destination),
            frame.message_id,
            frame.timestamp_ms.to_bytes(8, "big"),
            bytes((len(frame.subject_ref),)),
            frame.subject_ref,
            _s16(frame.cmk_id),
            _b16(frame.wrapped_key),
            frame.nonce,
            len(frame.ciphertext).to_bytes(4, "big"),
            frame.ciphertext,
            _b16(frame.signer),
        )
    )


def encode_message(signed_bytes: bytes, signature: bytes) -> str:
    """The SQS/SNS body: base64 of the signed encoding followed by the signature."""
    body = signed_bytes + _Writer().bytes16(signature).getvalue()
    return binascii.b2a_base64(body, newline=False).decode("ascii")


def encoded_size(raw_size: int) -> int:
    """Length in bytes of the base64 body for a frame of `raw_size` bytes."""
    return 4 * ((raw_size + 2) // 3)


def decode_message(body: str) -> SignedMessage:
    """Parse a body; anything malformed is `Tampered`."""
    try:
        data = binascii.a2b_base64(body.encode("ascii"), strict_mode=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise Tampered("message body is not base64") from None
    reader = _Reader(data, "message")
    if reader.raw(2) != MESSAGE_MAGIC:
        raise Tampered("message body is not a provisioner message")
    version = reader.u8()
    if version != VERSION:
        raise Tampered(f"unsupported message format version {version}")
    mode_value = reader.u8()
    try:
        mode = SigningMode(mode_value)
    except ValueError:
        raise Tampered(f"unknown signing mode {mode_value}") from None
    frame = MessageFrame(
        mode=mode,
        producer_id=reader.str16(),
        destination=reader.str16(),
        message_id=reader.raw(MESSAGE_ID_BYTES),
        timestamp_ms=reader.u64(),
        subject_ref=reader.bytes8(),
        cmk_id=reader.str16(),
        wrapped_key=reader.bytes16(),
        nonce=reader.raw(NONCE_BYTES),
        ciphertext=reader.bytes32(),
        signer=reader.bytes16(),
    )
    signed_bytes = data[: reader.offset]
    signature = reader.bytes16()
    reader.expect_end()
    return SignedMessage(frame=frame, signed_bytes=signed_bytes, signature=signature)


def signing_input(signed_bytes: bytes) -> bytes:
    """What the ECDSA signature covers: a label and the SHA-256 of the signed encoding."""
    return _SIGNING_LABEL + hashlib.sha256(signed_bytes).digest()


def data_key_id(wrapped_key: bytes) -> bytes:
    return hashlib.sha256(wrapped_key).digest()[:16]


@functools.lru_cache(maxsize=1024)
def _aad_prefix(cmk_id: str, wrapped_key: bytes, destination: str) -> bytes:
    return (
        _Writer()
        .raw(_AAD_LABEL)
        .u8(VERSION)
        .str16(cmk_id)
        .raw(data_key_id(wrapped_key))
        .str16(destination)
        .getvalue()
    )


def associated_data(cmk_id: str, wrapped_key: bytes, destination: str, message_id: bytes) -> bytes:
    """AES-GCM associated data: format version, key ids, destination and message id."""
    return _aad_prefix(cmk_id, wrapped_key, destination) + message_id


def encode_certificate_body(body: CertificateBody) -> bytes:
    return (
        _Writer()
        .raw(CERTIFICATE_MAGIC)
        .u8(VERSION)
        .str16(body.producer_id)
        .str16(body.kms_key_id)
        .bytes16(body.public_key)
        .u64(body.not_before_ms)
        .u64(body.not_after_ms)
        .getvalue()
    )


def encode_certificate(signed_bytes: bytes, signature: bytes) -> bytes:
    return signed_bytes + _Writer().bytes16(signature).getvalue()


def decode_certificate(data: bytes) -> Certificate:
    reader = _Reader(data, "certificate")
    if reader.raw(2) != CERTIFICATE_MAGIC:
        raise Tampered("signer is not a provisioner certificate")
    version = reader.u8()
    if version != VERSION:
        raise Tampered(f"unsupported certificate version {version}")
    body = CertificateBody(
        producer_id=reader.str16(),
        kms_key_id=reader.str16(),
        public_key=reader.bytes16(),
        not_before_ms=reader.u64(),
        not_after_ms=reader.u64(),
    )
    signed_bytes = data[: reader.offset]
    signature = reader.bytes16()
    reader.expect_end()
    return Certificate(body=body, signed_bytes=signed_bytes, signature=signature)

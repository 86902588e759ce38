from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from provisioner.messaging import wire
from provisioner.messaging.errors import Tampered

FRAME = wire.MessageFrame(
    mode=wire.SigningMode.DELEGATED,
    producer_id="orders",
    destination="arn:aws:sqs:eu-west-1:123456789012:orders",
    message_id=bytes(range(16)),
    timestamp_ms=1_800_000_000_000,
    subject_ref=b"\x01" * 32,
    cmk_id="arn:aws:kms:eu-west-1:123456789012:key/cmk",
    wrapped_key=b"wrapped" * 20,
    nonce=b"n" * 12,
    ciphertext=b"c" * 100,
    signer=b"certificate bytes",
)


def _body(frame: wire.MessageFrame = FRAME, signature: bytes = b"s" * 70) -> str:
    return wire.encode_message(wire.encode_frame(frame), signature)


def test_message_round_trips_and_signed_bytes_exclude_the_signature() -> None:
    decoded = wire.decode_message(_body())

    assert decoded.frame == FRAME
    assert decoded.signature == b"s" * 70
    assert decoded.signed_bytes == wire.encode_frame(FRAME)


def test_body_is_base64_text_of_the_documented_size() -> None:
    body = _body()

    assert base64.b64decode(body, validate=True).startswith(b"PM\x01\x02")
    assert len(body) == wire.encoded_size(len(wire.encode_frame(FRAME)) + 2 + 70)


@given(cut=st.integers(min_value=0, max_value=300))
def test_any_truncation_is_tampered(cut: int) -> None:
    raw = base64.b64decode(_body())
    truncated = base64.b64encode(raw[: min(cut, len(raw) - 1)]).decode()

    with pytest.raises(Tampered):
        wire.decode_message(truncated)


@pytest.mark.parametrize(
    "body",
    [
        "not base64!",
        base64.b64encode(b"XX\x01").decode(),
        base64.b64encode(b"PM\x02\x01").decode(),  # unknown version
        base64.b64encode(b"PM\x01\x09").decode(),  # unknown mode
        base64.b64encode(base64.b64decode(_body()) + b"extra").decode(),
    ],
    ids=["not-base64", "bad-magic", "version-2", "mode-9", "trailing-bytes"],
)
def test_malformed_bodies_are_tampered(body: str) -> None:
    with pytest.raises(Tampered):
        wire.decode_message(body)


def test_associated_data_binds_destination_message_id_and_keys() -> None:
    base = wire.associated_data("cmk", b"wrapped", "arn:q1", b"i" * 16)

    assert base != wire.associated_data("cmk", b"wrapped", "arn:q2", b"i" * 16)
    assert base != wire.associated_data("cmk", b"wrapped", "arn:q1", b"j" * 16)
    assert base != wire.associated_data("cmk2", b"wrapped", "arn:q1", b"i" * 16)
    assert base != wire.associated_data("cmk", b"wrapped2", "arn:q1", b"i" * 16)


def test_certificate_round_trips() -> None:
    body = wire.CertificateBody("orders", "arn:key", b"\x04" + b"p" * 64, 1, 2)
    signed = wire.encode_certificate_body(body)

    decoded = wire.decode_certificate(wire.encode_certificate(signed, b"sig"))

    assert decoded.body == body and decoded.signature == b"sig" and decoded.signed_bytes == signed

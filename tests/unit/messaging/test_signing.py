from __future__ import annotations

import dataclasses
from typing import Any, cast

import pytest

from provisioner.messaging import wire
from provisioner.messaging.errors import BadSignature, Expired, UnknownKey
from provisioner.messaging.signing import DelegatedSigner, KmsSigner, SignatureVerifier
from tests.unit.messaging.fake_kms import SIGNING_KEY, FakeKms

NOW = 1_800_000_000.0


def _signed(
    signer: DelegatedSigner | KmsSigner, producer: str = "orders", at: float = NOW
) -> wire.SignedMessage:
    credential = signer.credential()
    frame = wire.MessageFrame(
        mode=credential.mode,
        producer_id=producer,
        destination="arn:q",
        message_id=b"i" * 16,
        timestamp_ms=int(at * 1000),
        subject_ref=b"",
        cmk_id="arn:cmk",
        wrapped_key=b"w",
        nonce=b"n" * 12,
        ciphertext=b"c",
        signer=credential.signer,
    )
    signed = wire.encode_frame(frame)
    signature = credential.sign(wire.signing_input(signed))
    return wire.SignedMessage(frame=frame, signed_bytes=signed, signature=signature)


def test_delegated_mode_needs_no_kms_call_per_message_on_either_side() -> None:
    kms: Any = FakeKms()
    signer = DelegatedSigner(kms, SIGNING_KEY, "orders", clock=lambda: NOW)
    verifier = SignatureVerifier(kms, {"orders": SIGNING_KEY})

    for _ in range(50):
        verifier.verify(_signed(signer))

    assert kms.calls == {"Sign": 1, "GetPublicKey": 1}


def test_kms_mode_signs_every_message_with_kms() -> None:
    kms: Any = FakeKms()
    verifier = SignatureVerifier(kms, {"orders": SIGNING_KEY})

    for _ in range(3):
        verifier.verify(_signed(KmsSigner(kms, SIGNING_KEY)))

    assert kms.calls == {"Sign": 3, "GetPublicKey": 1}


def test_certificate_is_renewed_before_it_expires() -> None:
    kms: Any = FakeKms()
    clock = [NOW]
    signer = DelegatedSigner(
        kms, SIGNING_KEY, "orders", lifetime_seconds=100, clock=lambda: clock[0]
    )
    first = signer.credential().signer
    clock[0] += 79
    assert signer.credential().signer == first
    clock[0] += 2

    renewed = wire.decode_certificate(signer.credential().signer)
    assert renewed.body.not_after_ms == int((NOW + 81 + 100) * 1000)


def test_message_after_certificate_not_after_is_expired() -> None:
    kms: Any = FakeKms()
    signer = DelegatedSigner(kms, SIGNING_KEY, "orders", lifetime_seconds=60, clock=lambda: NOW)
    verifier = SignatureVerifier(kms, {"orders": SIGNING_KEY})

    verifier.verify(_signed(signer, at=NOW + 60))
    with pytest.raises(Expired):
        verifier.verify(_signed(signer, at=NOW + 61))


def test_certificate_for_another_producer_is_not_accepted() -> None:
    kms: Any = FakeKms()
    signer = DelegatedSigner(kms, SIGNING_KEY, "billing", clock=lambda: NOW)
    verifier = SignatureVerifier(kms, {"orders": SIGNING_KEY, "billing": SIGNING_KEY})

    with pytest.raises(UnknownKey, match="certificate names producer"):
        verifier.verify(_signed(signer, producer="orders"))


def test_any_change_to_the_signed_bytes_breaks_the_signature() -> None:
    kms: Any = FakeKms()
    signer = DelegatedSigner(kms, SIGNING_KEY, "orders", clock=lambda: NOW)
    verifier = SignatureVerifier(kms, {"orders": SIGNING_KEY})
    message = _signed(signer)

    for changed in (
        dataclasses.replace(message.frame, destination="arn:other"),
        dataclasses.replace(message.frame, timestamp_ms=message.frame.timestamp_ms + 1),
        dataclasses.replace(message.frame, ciphertext=b"d"),
    ):
        with pytest.raises(BadSignature):
            verifier.verify(
                dataclasses.replace(message, frame=changed, signed_bytes=wire.encode_frame(changed))
            )


def test_a_key_that_is_not_a_p256_signing_key_is_unknown() -> None:
    kms: Any = FakeKms()

    class SymmetricKeyKms(FakeKms):
        def get_public_key(self, **kwargs: object) -> dict[str, object]:
            return {**super().get_public_key(**kwargs), "KeySpec": "RSA_2048"}

    verifier = SignatureVerifier(cast(Any, SymmetricKeyKms()), {"orders": SIGNING_KEY})
    with pytest.raises(UnknownKey, match="ECC_NIST_P256"):
        verifier.verify(_signed(KmsSigner(kms, SIGNING_KEY)))

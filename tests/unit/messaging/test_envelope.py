from __future__ import annotations

import dataclasses
from typing import Any, cast

import pytest

from provisioner.messaging.envelope import EnvelopeOpener, EnvelopeSealer, encryption_context
from provisioner.messaging.errors import KmsUnavailable, Tampered, UnknownKey
from provisioner.messaging.keycache import CacheLimits
from tests.unit.messaging.fake_kms import CMK, FakeKms

Q1, Q2 = "arn:aws:sqs:eu-west-1:1:q1", "arn:aws:sqs:eu-west-1:1:q2"
MID = b"m" * 16


def test_round_trip_and_data_key_is_bound_to_destination_and_purpose() -> None:
    kms: Any = FakeKms()
    sealed = EnvelopeSealer(kms, CMK).seal(b"secret", Q1, MID)

    assert EnvelopeOpener(kms).open(sealed, Q1, MID) == b"secret"
    assert b"secret" not in sealed.ciphertext and len(sealed.nonce) == 12
    assert encryption_context(Q1) == {
        "provisioner:destination": Q1,
        "provisioner:purpose": "message-payload",
    }


def test_any_flipped_ciphertext_byte_fails_authentication() -> None:
    kms: Any = FakeKms()
    sealed = EnvelopeSealer(kms, CMK).seal(b"secret payload", Q1, MID)
    opener = EnvelopeOpener(kms)

    for index in range(len(sealed.ciphertext)):
        flipped = bytearray(sealed.ciphertext)
        flipped[index] ^= 0x80
        with pytest.raises(Tampered):
            opener.open(dataclasses.replace(sealed, ciphertext=bytes(flipped)), Q1, MID)


@pytest.mark.parametrize("destination, message_id", [(Q2, MID), (Q1, b"n" * 16)])
def test_ciphertext_is_bound_to_destination_and_message_id(
    destination: str, message_id: bytes
) -> None:
    kms: Any = FakeKms()
    sealed = EnvelopeSealer(kms, CMK).seal(b"secret", Q1, MID)
    opener = EnvelopeOpener(kms)
    opener.open(sealed, Q1, MID)  # warm the cache: AAD alone must still refuse

    with pytest.raises(Tampered):
        opener.open(sealed, destination, message_id)


def test_caching_asks_kms_once_per_max_messages_on_both_sides() -> None:
    kms: Any = FakeKms()
    limits = CacheLimits(max_messages=1000)
    sealer = EnvelopeSealer(kms, CMK, cache=limits)
    opener = EnvelopeOpener(kms, cache=limits)

    sealed = [sealer.seal(b"x" * 1024, Q1, i.to_bytes(16, "big")) for i in range(2500)]
    for i, item in enumerate(sealed):
        opener.open(item, Q1, i.to_bytes(16, "big"))

    assert kms.calls["GenerateDataKey"] == 3
    assert kms.calls["Decrypt"] == 3


def test_data_keys_are_per_destination_and_expire_by_age() -> None:
    kms: Any = FakeKms()
    clock = [0.0]
    sealer = EnvelopeSealer(kms, CMK, cache=CacheLimits(max_age_seconds=60), clock=lambda: clock[0])
    first = sealer.seal(b"a", Q1, MID)
    assert sealer.seal(b"b", Q1, MID).wrapped_key == first.wrapped_key
    assert sealer.seal(b"c", Q2, MID).wrapped_key != first.wrapped_key
    clock[0] = 60.0

    assert sealer.seal(b"d", Q1, MID).wrapped_key != first.wrapped_key
    assert kms.calls["GenerateDataKey"] == 3


def test_without_cache_every_message_gets_a_fresh_data_key() -> None:
    kms: Any = FakeKms()
    sealer = EnvelopeSealer(kms, CMK, cache=None)

    keys = {sealer.seal(b"x", Q1, MID).wrapped_key for _ in range(5)}

    assert len(keys) == 5 and kms.calls["GenerateDataKey"] == 5


def test_untrusted_cmk_is_refused_before_any_kms_call() -> None:
    kms: Any = FakeKms()
    sealed = EnvelopeSealer(kms, CMK).seal(b"x", Q1, MID)
    opener = EnvelopeOpener(kms, trusted_cmks=frozenset({"arn:other"}))

    with pytest.raises(UnknownKey):
        opener.open(sealed, Q1, MID)
    assert kms.calls["Decrypt"] == 0


def test_kms_access_denied_is_kms_unavailable() -> None:
    from botocore.exceptions import ClientError

    class DeniedKms(FakeKms):
        def generate_data_key(self, **kwargs: object) -> dict[str, object]:
            raise ClientError({"Error": {"Code": "AccessDeniedException"}}, "GenerateDataKey")

    with pytest.raises(KmsUnavailable, match="AccessDeniedException"):
        EnvelopeSealer(cast(Any, DeniedKms()), CMK).seal(b"x", Q1, MID)

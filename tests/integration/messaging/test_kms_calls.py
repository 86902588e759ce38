"""With caching on, KMS is asked at most once per 1,000 messages (counted on the wire)."""

from __future__ import annotations

from typing import Any

import pytest

from provisioner.messaging.envelope import EnvelopeOpener, EnvelopeSealer
from provisioner.messaging.opening import MessageOpener
from provisioner.messaging.replay import ReplayGuard
from provisioner.messaging.sealing import MessageSealer
from provisioner.messaging.signing import DelegatedSigner, SignatureVerifier
from tests.integration.messaging.conftest import PRODUCER, MessagingWorld

pytestmark = pytest.mark.integration


def _count_kms_calls(client: Any) -> list[str]:
    calls: list[str] = []
    client.meta.events.register("before-call.kms", lambda model, **_: calls.append(model.name))
    return calls


def test_delegated_mode_with_caching_makes_at_most_one_kms_call_per_1000_messages(
    world: MessagingWorld,
) -> None:
    calls = _count_kms_calls(world.kms)
    sealer = MessageSealer(
        PRODUCER,
        EnvelopeSealer(world.kms, world.cmk_id),
        DelegatedSigner(world.kms, world.signing_key, PRODUCER),
    )
    opener = MessageOpener(
        SignatureVerifier(world.kms, {PRODUCER: world.signing_key}),
        EnvelopeOpener(world.kms),
        ReplayGuard(),
    )

    bodies = [sealer.seal(b"x" * 1024, world.queue_arn).body for _ in range(3000)]
    seal_calls = list(calls)
    for i, body in enumerate(bodies):
        opener.open(body, frozenset([world.queue_arn]), f"sqs-{i}")
    open_calls = calls[len(seal_calls) :]

    # Default limits: one data key and one certificate serve all 3,000 messages.
    assert sorted(seal_calls) == ["GenerateDataKey", "Sign"]
    assert sorted(open_calls) == ["Decrypt", "GetPublicKey"]
    assert len(seal_calls) <= 3 and len(open_calls) <= 3

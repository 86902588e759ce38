"""Every rejection class provoked against real SQS/KMS in moto; rejected messages stay queued."""

from __future__ import annotations

import base64
import dataclasses
import time
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.config import Config

from provisioner.messaging import (
    BadSignature,
    Expired,
    KmsUnavailable,
    MessageRejected,
    OutsideReplayWindow,
    Rejection,
    Replayed,
    Tampered,
    TooLarge,
    UnknownKey,
    WrongDestination,
    wire,
)
from provisioner.messaging.signing import DelegatedSigner
from tests.integration.messaging.conftest import PRODUCER, MessagingWorld
from tests.support.moto_server import free_port

pytestmark = pytest.mark.integration


def _rejections_on_receive(world: MessagingWorld, queue_url: str, **kwargs: Any) -> list[Rejection]:
    rejections: list[Rejection] = []
    consumer = world.consumer(on_reject=rejections.append, **kwargs)
    received = consumer.receive(queue_url, visibility_timeout=0)
    assert received == [], "a rejected message must never be returned as data"
    assert consumer.rejected.total() == len(rejections)
    return rejections


def _only_raw_message(world: MessagingWorld, queue_url: str) -> dict[str, Any]:
    messages = world.raw_messages(queue_url)
    assert len(messages) == 1
    world.sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=messages[0]["ReceiptHandle"])
    return messages[0]


def _resend(world: MessagingWorld, queue_url: str, raw: dict[str, Any], body: str) -> None:
    world.sqs.send_message(
        QueueUrl=queue_url, MessageBody=body, MessageAttributes=raw.get("MessageAttributes", {})
    )


def _altered(
    world: MessagingWorld, alter: Callable[[wire.SignedMessage], str], mode: str = "delegated"
) -> str:
    """Send one message, take it off the queue, put back a copy changed by `alter`."""
    world.producer(mode=mode).send(world.queue_url, b"transfer 100 EUR", subject_id="s-1")
    raw = _only_raw_message(world, world.queue_url)
    message = wire.decode_message(raw["Body"])
    body = alter(message)
    _resend(world, world.queue_url, raw, body)
    return body


def _flip(data: bytes, index: int) -> bytes:
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1 :]


def _reencode(message: wire.SignedMessage, **changes: Any) -> str:
    frame = dataclasses.replace(message.frame, **changes)
    return wire.encode_message(wire.encode_frame(frame), message.signature)


def _assert_still_queued(world: MessagingWorld, queue_url: str, count: int = 1) -> None:
    assert len(world.raw_messages(queue_url)) == count, "a rejected message must not be deleted"


@pytest.mark.parametrize("mode", ["delegated", "kms"])
def test_one_flipped_ciphertext_byte_is_rejected(world: MessagingWorld, mode: str) -> None:
    _altered(
        world,
        lambda m: _reencode(m, ciphertext=_flip(m.frame.ciphertext, 3)),
        mode=mode,
    )

    rejections = _rejections_on_receive(world, world.queue_url)

    # The signature covers the ciphertext and is checked before decryption.
    assert [type(r.error) for r in rejections] == [BadSignature]
    _assert_still_queued(world, world.queue_url)


@pytest.mark.parametrize("mode", ["delegated", "kms"])
def test_one_flipped_signature_byte_is_rejected(world: MessagingWorld, mode: str) -> None:
    _altered(
        world,
        lambda m: wire.encode_message(m.signed_bytes, _flip(m.signature, len(m.signature) - 1)),
        mode=mode,
    )

    rejections = _rejections_on_receive(world, world.queue_url)

    assert [type(r.error) for r in rejections] == [BadSignature]
    _assert_still_queued(world, world.queue_url)


def test_one_flipped_certificate_byte_is_rejected(world: MessagingWorld) -> None:
    def flip_public_key(message: wire.SignedMessage) -> str:
        certificate = message.frame.signer
        offset = certificate.index(wire.decode_certificate(certificate).body.public_key)
        return _reencode(message, signer=_flip(certificate, offset + 10))

    _altered(world, flip_public_key)

    rejections = _rejections_on_receive(world, world.queue_url)

    assert [type(r.error) for r in rejections] == [BadSignature]
    assert "certificate" in str(rejections[0].error)


def test_a_body_that_is_not_a_sealed_message_is_tampered(world: MessagingWorld) -> None:
    world.sqs.send_message(QueueUrl=world.queue_url, MessageBody="hello in clear text")
    truncated = base64.b64encode(b"PM\x01\x02\x00").decode()
    world.sqs.send_message(QueueUrl=world.queue_url, MessageBody=truncated)

    rejections = _rejections_on_receive(world, world.queue_url)

    assert sorted(type(r.error).__name__ for r in rejections) == ["Tampered", "Tampered"]


def test_a_changed_subject_attribute_is_tampered(world: MessagingWorld) -> None:
    world.producer().send(world.queue_url, b"x", subject_id="s-1")
    raw = _only_raw_message(world, world.queue_url)
    world.sqs.send_message(QueueUrl=world.queue_url, MessageBody=raw["Body"])  # attribute dropped

    rejections = _rejections_on_receive(world, world.queue_url)

    assert [type(r.error) for r in rejections] == [Tampered]


def test_expired_certificate_is_rejected(world: MessagingWorld) -> None:
    two_hours_ago = time.time() - 7200
    stale_signer = DelegatedSigner(
        world.kms, world.signing_key, PRODUCER, lifetime_seconds=60, clock=lambda: two_hours_ago
    )
    world.producer(signer=stale_signer).send(world.queue_url, b"late")

    rejections = _rejections_on_receive(world, world.queue_url)

    assert [type(r.error) for r in rejections] == [Expired]
    _assert_still_queued(world, world.queue_url)


def test_timestamp_outside_the_replay_window_is_rejected(world: MessagingWorld) -> None:
    an_hour_ago = time.time() - 3600
    world.producer(clock=lambda: an_hour_ago).send(world.queue_url, b"old news")

    rejections = _rejections_on_receive(world, world.queue_url)

    assert [type(r.error) for r in rejections] == [OutsideReplayWindow]
    assert isinstance(rejections[0].error, Expired)


def test_replayed_message_is_rejected(world: MessagingWorld) -> None:
    world.producer().send(world.queue_url, b"pay once")
    raw = world.raw_messages(world.queue_url)[0]
    _resend(world, world.queue_url, raw, raw["Body"])  # a captured body sent again
    rejections: list[Rejection] = []
    consumer = world.consumer(on_reject=rejections.append)

    received = []
    for _ in range(3):
        received += consumer.receive(world.queue_url, visibility_timeout=30)

    assert [m.payload for m in received] == [b"pay once"]
    assert [type(r.error) for r in rejections] == [Replayed]


def test_message_moved_to_another_queue_is_rejected(world: MessagingWorld) -> None:
    world.producer().send(world.queue_url, b"for orders only")
    raw = _only_raw_message(world, world.queue_url)
    _resend(world, world.other_queue_url, raw, raw["Body"])

    rejections = _rejections_on_receive(world, world.other_queue_url)

    assert [type(r.error) for r in rejections] == [WrongDestination]
    _assert_still_queued(world, world.other_queue_url)


@pytest.mark.parametrize("mode", ["delegated", "kms"])
def test_producer_signing_with_an_untrusted_key_is_rejected(
    world: MessagingWorld, mode: str
) -> None:
    impostor = world.producer(mode=mode, signing_key_id=world.new_signing_key())
    impostor.send(world.queue_url, b"I am orders-service, honest")

    rejections = _rejections_on_receive(world, world.queue_url)

    assert [type(r.error) for r in rejections] == [UnknownKey]


def test_unknown_producer_is_rejected(world: MessagingWorld) -> None:
    world.producer(producer_id="billing").send(world.queue_url, b"who am I")

    rejections = _rejections_on_receive(world, world.queue_url)

    assert [type(r.error) for r in rejections] == [UnknownKey]


def test_oversize_messages_are_refused_before_sending(world: MessagingWorld) -> None:
    producer = world.producer()
    topic_arn = world.sns.create_topic(Name="big")["TopicArn"]

    with pytest.raises(TooLarge, match="SQS accepts at most 262144 bytes"):
        producer.send(world.queue_url, b"x" * 200_000)
    with pytest.raises(TooLarge, match="SNS"):
        producer.publish(topic_arn, b"x" * 200_000)
    producer.send(world.queue_url, b"x" * 190_000)  # fits: body is base64 of ~190 KB

    assert len(world.raw_messages(world.queue_url)) == 1


def _dead_kms() -> Any:
    return boto3.client(
        "kms",
        region_name="us-east-1",
        endpoint_url=f"http://127.0.0.1:{free_port()}",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"mode": "standard", "max_attempts": 1}, connect_timeout=1),
    )


def test_kms_down_on_send_is_kms_unavailable(world: MessagingWorld) -> None:
    producer = world.producer(kms=_dead_kms())

    with pytest.raises(KmsUnavailable, match="EndpointConnectionError") as raised:
        producer.send(world.queue_url, b"nothing leaves without a key")

    assert isinstance(raised.value, MessageRejected)
    assert raised.value.__cause__ is None
    assert world.raw_messages(world.queue_url) == []


def test_kms_down_on_receive_is_reported_and_message_kept(world: MessagingWorld) -> None:
    world.producer().send(world.queue_url, b"wait for KMS")

    rejections = _rejections_on_receive(world, world.queue_url, kms=_dead_kms())

    assert [type(r.error) for r in rejections] == [KmsUnavailable]
    _assert_still_queued(world, world.queue_url)
    assert [m.payload for m in world.consumer().receive(world.queue_url)] == [b"wait for KMS"]

"""Seal, sign, send and receive, verify, open: both signing modes, SQS and SNS raw delivery."""

from __future__ import annotations

import base64

import pytest

from provisioner.messaging import SUBJECT_ATTRIBUTE, OutgoingMessage
from tests.integration.messaging.conftest import PRODUCER, MessagingWorld

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("mode", ["delegated", "kms"])
def test_sqs_single_send_round_trip(world: MessagingWorld, mode: str) -> None:
    producer = world.producer(mode=mode)
    consumer = world.consumer()

    message_id = producer.send(world.queue_url, b"order 42 shipped", subject_id="customer-7")
    received = consumer.receive(world.queue_url)

    assert [m.payload for m in received] == [b"order 42 shipped"]
    assert received[0].message_id == message_id
    assert received[0].producer_id == PRODUCER
    assert received[0].subject_ref == world.subject_key.reference_text("customer-7")
    consumer.delete(received[0])
    assert world.raw_messages(world.queue_url) == []


@pytest.mark.parametrize("mode", ["delegated", "kms"])
def test_sqs_batch_round_trip_and_batch_delete(world: MessagingWorld, mode: str) -> None:
    producer = world.producer(mode=mode)
    consumer = world.consumer()
    payloads = [f"event {i}".encode() for i in range(23)]

    result = producer.send_batch(world.queue_url, [OutgoingMessage(p) for p in payloads])
    assert result.failures == []
    received = []
    while batch := consumer.receive(world.queue_url):
        received.extend(batch)
        assert consumer.delete_batch(batch) == []

    assert sorted(m.payload for m in received) == sorted(payloads)
    assert {m.message_id for m in received} == set(result.message_ids)
    assert consumer.rejected.total() == 0


@pytest.mark.parametrize("mode", ["delegated", "kms"])
def test_sns_raw_delivery_round_trip(world: MessagingWorld, mode: str) -> None:
    topic_arn = world.sns.create_topic(Name="order-events")["TopicArn"]
    world.sns.subscribe(
        TopicArn=topic_arn,
        Protocol="sqs",
        Endpoint=world.queue_arn,
        Attributes={"RawMessageDelivery": "true"},
    )
    producer = world.producer(mode=mode)
    consumer = world.consumer()

    producer.publish(topic_arn, b"fan-out", subject_id="customer-9")
    received = consumer.receive(world.queue_url, topics=[topic_arn])

    assert [m.payload for m in received] == [b"fan-out"]
    assert received[0].subject_ref == world.subject_key.reference_text("customer-9")


def test_body_is_base64_text_without_plaintext_or_subject_id(world: MessagingWorld) -> None:
    world.producer().send(world.queue_url, b"card 4111-1111", subject_id="alice@example.com")

    raw = world.raw_messages(world.queue_url)[0]
    body = base64.b64decode(raw["Body"], validate=True)
    assert b"4111" not in body
    assert b"alice" not in body
    assert "alice" not in str(raw["MessageAttributes"])
    assert raw["MessageAttributes"][SUBJECT_ATTRIBUTE]["StringValue"] == (
        world.subject_key.reference_text("alice@example.com")
    )


def test_redelivery_of_the_same_sqs_message_is_not_a_replay(world: MessagingWorld) -> None:
    world.producer().send(world.queue_url, b"retry me")
    consumer = world.consumer()

    first = consumer.receive(world.queue_url, visibility_timeout=0)
    again = consumer.receive(world.queue_url)

    assert [m.payload for m in first] == [b"retry me"]
    assert [m.payload for m in again] == [b"retry me"]
    assert again[0].receive_count == 2
    assert consumer.rejected.total() == 0


def test_fifo_queue_round_trip_keeps_order_within_a_group(world: MessagingWorld) -> None:
    url = world.sqs.create_queue(QueueName="ledger.fifo", Attributes={"FifoQueue": "true"})[
        "QueueUrl"
    ]
    producer = world.producer()
    producer.send_batch(
        url, [OutgoingMessage(f"{i}".encode(), group_id="acct-1") for i in range(5)]
    )
    producer.send(url, b"5", group_id="acct-1")

    consumer = world.consumer()
    received = []
    while batch := consumer.receive(url):
        received += batch
        consumer.delete_batch(batch)

    assert [m.payload for m in received] == [b"0", b"1", b"2", b"3", b"4", b"5"]

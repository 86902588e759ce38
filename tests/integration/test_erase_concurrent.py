"""Erasure on a 10,000-message queue while a consumer keeps working: nothing else is lost."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from provisioner.messaging import (
    BatchResult,
    OutgoingMessage,
    SecureConsumer,
    SecureProducer,
    SubjectKey,
    wire,
)
from provisioner.messaging.erasure import ErasureSettings, erase_subject
from tests.support.fast_moto_sqs import indexed_receipt_handles
from tests.support.moto_server import MotoServer

pytestmark = pytest.mark.integration

# The size. moto's SQS is O(queue length) per delete, visibility change and send, so the
# test indexes it (tests/support/fast_moto_sqs.py): about 2 minutes here instead of hours.
TOTAL = int(os.environ.get("PROVISIONER_ERASE_TEST_MESSAGES", "10000"))
SUBJECT = "subject-under-erasure"
KEY = SubjectKey(bytes(range(32)))


@pytest.fixture
def indexed_moto_sqs() -> Iterator[None]:
    with indexed_receipt_handles():
        yield


def test_erasure_with_a_concurrent_consumer_deletes_only_the_subject(
    moto_server: MotoServer, indexed_moto_sqs: None
) -> None:
    kms, sqs = moto_server.client("kms"), moto_server.client("sqs")
    cmk = kms.create_key()["KeyMetadata"]["Arn"]
    signing_key = kms.create_key(KeyUsage="SIGN_VERIFY", KeySpec="ECC_NIST_P256")["KeyMetadata"][
        "Arn"
    ]
    queue_url = sqs.create_queue(QueueName="orders")["QueueUrl"]
    producer = SecureProducer(
        producer_id="orders",
        cmk_id=cmk,
        signing_key_id=signing_key,
        kms=kms,
        sqs=sqs,
        subject_key=KEY,
    )
    outgoing = [
        OutgoingMessage(f"{i}".encode(), subject_id=SUBJECT if i % 100 == 50 else f"other-{i % 37}")
        for i in range(TOTAL)
    ]
    subject_indexes = {i for i in range(TOTAL) if i % 100 == 50}
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(
            pool.map(
                lambda start: producer.send_batch(queue_url, outgoing[start : start + 250]),
                range(0, TOTAL, 250),
            )
        )
    assert all(r.failures == [] for r in results)

    consumed: set[int] = set()
    stop = threading.Event()
    consumer = SecureConsumer(kms=kms, sqs=sqs, trusted_producers={"orders": signing_key})

    def consume() -> None:
        while not stop.is_set():
            batch = consumer.receive(queue_url, visibility_timeout=60, wait_seconds=1)
            consumed.update(int(m.payload) for m in batch)
            assert consumer.delete_batch(batch) == []

    consumer_thread = threading.Thread(target=consume)
    consumer_thread.start()
    try:
        erased = erase_subject(
            sqs, [queue_url], KEY.reference_text(SUBJECT), ErasureSettings(wait_seconds=0)
        )
    finally:
        stop.set()
        consumer_thread.join()
    assert consumer.rejected.total() == 0

    remaining = _drain(sqs, queue_url, producer_index(results))
    assert subject_indexes.isdisjoint(remaining), "a subject message survived the erasure"
    others = set(range(TOTAL)) - subject_indexes
    lost = others - remaining - consumed
    assert lost == set(), f"{len(lost)} other messages were lost"
    assert erased[0].deleted + len(subject_indexes & consumed) == len(subject_indexes)
    # Whatever the consumer did not take first, the erasure deleted.
    assert erased[0].passes >= 1


def producer_index(results: list[BatchResult]) -> dict[str, int]:
    ids = [message_id for result in results for message_id in result.message_ids]
    return {message_id: index for index, message_id in enumerate(ids) if message_id is not None}


def _drain(sqs, queue_url: str, index_of: dict[str, int]) -> set[int]:
    remaining: set[int] = set()
    while messages := sqs.receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=600
    ).get("Messages", []):
        for message in messages:
            remaining.add(index_of[wire.decode_message(message["Body"]).frame.message_id.hex()])
    return remaining

"""Subject erasure (GDPR Art. 17) on a stack's queues, without ever purging a queue.

A pass receives every visible message in batches, deletes those whose subject-reference
attribute matches, and holds the others invisible only until the pass ends (so a pass has a
clear end: the queue shows nothing more), then makes them all visible again at once with
ChangeMessageVisibility 0. Passes repeat until one finds no match. Messages a concurrent
consumer holds are left to it. Every receive counts towards a queue's `maxReceiveCount`, so
erasing often on a queue with a low count can move messages to its DLQ (also walked here).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from provisioner.messaging.subjects import SUBJECT_ATTRIBUTE
from provisioner.messaging.transport import aws_call

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

STACK_TAG = "provisioner:stack"
_BATCH = 10


@dataclass
class QueueErasure:
    """What one queue's erasure found and did."""

    queue_url: str
    inspected: int = 0
    matched: int = 0
    deleted: int = 0
    passes: int = 0
    complete: bool = False  # the last pass found none (dry run: the one pass covered the queue)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ErasureSettings:
    dry_run: bool = False
    hold_seconds: int = 300
    wait_seconds: int = 1
    workers: int = 4
    max_passes: int = 50


@dataclass
class _Pass:
    """One pass over one queue, shared by its worker threads."""

    held: dict[str, str] = field(default_factory=dict)  # SQS message id -> latest receipt
    seen: set[str] = field(default_factory=set)
    matched: int = 0
    deleted: int = 0
    done: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)


def discover_queues(sqs: SQSClient, stack_name: str) -> list[str]:
    """Queues tagged `provisioner:stack=<stack_name>`, in URL order."""
    urls: list[str] = []
    request: dict[str, Any] = {"MaxResults": 1000}
    while True:
        response = aws_call("SQS", "ListQueues", sqs.list_queues, **request)
        urls.extend(response.get("QueueUrls", []))
        token = response.get("NextToken")
        if not token:
            break
        request["NextToken"] = token
    tagged = []
    for url in urls:
        tags = aws_call("SQS", "ListQueueTags", sqs.list_queue_tags, QueueUrl=url).get("Tags", {})
        if tags.get(STACK_TAG) == stack_name:
            tagged.append(url)
    return sorted(tagged)


def with_dead_letter_queues(sqs: SQSClient, queue_urls: Iterable[str]) -> list[str]:
    """The queues plus each one's DLQ (from its RedrivePolicy), without duplicates."""
    import json

    result: list[str] = []
    for url in queue_urls:
        if url not in result:
            result.append(url)
        attributes = aws_call(
            "SQS",
            "GetQueueAttributes",
            sqs.get_queue_attributes,
            QueueUrl=url,
            AttributeNames=["RedrivePolicy"],
        ).get("Attributes", {})
        policy = attributes.get("RedrivePolicy")
        if not policy:
            continue
        target = json.loads(policy).get("deadLetterTargetArn", "")
        parts = target.split(":")
        if len(parts) != 6:
            continue
        dlq_url = aws_call(
            "SQS",
            "GetQueueUrl",
            sqs.get_queue_url,
            QueueName=parts[5],
            QueueOwnerAWSAccountId=parts[4],
        )["QueueUrl"]
        if dlq_url not in result:
            result.append(dlq_url)
    return result


def erase_subject(
    sqs: SQSClient,
    queue_urls: Sequence[str],
    subject_ref: str,
    settings: ErasureSettings = ErasureSettings(),
    on_pass: Callable[[QueueErasure], None] | None = None,
) -> list[QueueErasure]:
    """Delete (or, dry run, count) every message carrying `subject_ref` in each queue."""
    results = []
    for url in queue_urls:
        result = QueueErasure(queue_url=url)
        while result.passes < settings.max_passes:
            state = _run_pass(sqs, url, subject_ref, settings)
            result.passes += 1
            result.inspected = max(result.inspected, len(state.seen))
            result.matched += state.matched
            result.deleted += state.deleted
            if on_pass is not None:
                on_pass(result)
            if state.matched == 0 or settings.dry_run:
                result.complete = True
                break
        results.append(result)
    return results


def _run_pass(sqs: SQSClient, queue_url: str, subject_ref: str, settings: ErasureSettings) -> _Pass:
    state = _Pass()
    try:
        with ThreadPoolExecutor(max_workers=settings.workers) as pool:
            futures = [
                pool.submit(_receive_until_empty, sqs, queue_url, subject_ref, settings, state)
                for _ in range(settings.workers)
            ]
            for future in futures:
                future.result()
    finally:
        _release(sqs, queue_url, list(state.held.values()))
    return state


def _receive_until_empty(
    sqs: SQSClient, queue_url: str, subject_ref: str, settings: ErasureSettings, state: _Pass
) -> None:
    while not state.done:
        response = aws_call(
            "SQS",
            "ReceiveMessage",
            sqs.receive_message,
            QueueUrl=queue_url,
            MaxNumberOfMessages=_BATCH,
            VisibilityTimeout=settings.hold_seconds,
            WaitTimeSeconds=settings.wait_seconds,
            MessageAttributeNames=[SUBJECT_ATTRIBUTE],
        )
        messages = response.get("Messages", [])
        matches: list[Mapping[str, Any]] = []
        with state.lock:
            if not messages or all(m["MessageId"] in state.seen for m in messages):
                # Nothing visible left, or only messages this pass already saw (a hold that
                # outlived its timeout): the pass has covered the queue.
                state.done = True
            for message in messages:
                new = message["MessageId"] not in state.seen
                state.seen.add(message["MessageId"])
                if _reference(message) == subject_ref and not settings.dry_run:
                    matches.append(message)
                    state.held.pop(message["MessageId"], None)
                else:
                    state.held[message["MessageId"]] = message["ReceiptHandle"]
                if new and _reference(message) == subject_ref:
                    state.matched += 1
        if matches:
            deleted = _delete(sqs, queue_url, matches)
            with state.lock:
                state.deleted += deleted


def _reference(message: Mapping[str, Any]) -> str | None:
    attribute = message.get("MessageAttributes", {}).get(SUBJECT_ATTRIBUTE)
    if attribute is None:
        return None
    value: str | None = attribute.get("StringValue")
    return value


def _delete(sqs: SQSClient, queue_url: str, messages: list[Mapping[str, Any]]) -> int:
    response = aws_call(
        "SQS",
        "DeleteMessageBatch",
        sqs.delete_message_batch,
        QueueUrl=queue_url,
        Entries=[
            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)
        ],
    )
    return len(response.get("Successful", []))


def _release(sqs: SQSClient, queue_url: str, receipts: list[str]) -> None:
    for start in range(0, len(receipts), _BATCH):
        chunk = receipts[start : start + _BATCH]
        aws_call(
            "SQS",
            "ChangeMessageVisibilityBatch",
            sqs.change_message_visibility_batch,
            QueueUrl=queue_url,
            Entries=[
                {"Id": str(i), "ReceiptHandle": receipt, "VisibilityTimeout": 0}
                for i, receipt in enumerate(chunk)
            ],
        )

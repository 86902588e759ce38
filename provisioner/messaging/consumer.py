"""`SecureConsumer`: receive from SQS, verify and open; rejected messages are never returned.

A message that fails any check is not deleted: it stays in the queue, becomes visible again
after its visibility timeout and, after the queue's `maxReceiveCount`, moves to the DLQ. Each
rejection is reported to the `on_reject` callback and counted in `rejected`.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from provisioner.messaging.envelope import EnvelopeOpener
from provisioner.messaging.errors import MessageRejected
from provisioner.messaging.keycache import CacheLimits
from provisioner.messaging.opening import MessageOpener
from provisioner.messaging.replay import ReplayGuard
from provisioner.messaging.signing import SignatureVerifier
from provisioner.messaging.subjects import SUBJECT_ATTRIBUTE
from provisioner.messaging.transport import QueueArns, aws_call

if TYPE_CHECKING:
    from mypy_boto3_kms import KMSClient
    from mypy_boto3_sqs import SQSClient


@dataclass(frozen=True)
class ReceivedMessage:
    """A verified, decrypted message and what is needed to delete it."""

    payload: bytes
    producer_id: str
    message_id: str
    timestamp_ms: int
    subject_ref: str
    queue_url: str
    receipt_handle: str
    sqs_message_id: str
    receive_count: int


@dataclass(frozen=True)
class Rejection:
    queue_url: str
    sqs_message_id: str
    error: MessageRejected

    @property
    def reason(self) -> str:
        return self.error.reason


class SecureConsumer:
    def __init__(
        self,
        *,
        kms: KMSClient,
        sqs: SQSClient,
        trusted_producers: Mapping[str, str],
        trusted_cmks: Iterable[str] | None = None,
        replay: ReplayGuard | None = None,
        cache: CacheLimits | None = CacheLimits(),
        on_reject: Callable[[Rejection], None] | None = None,
    ) -> None:
        self._sqs = sqs
        self._opener = MessageOpener(
            SignatureVerifier(kms, dict(trusted_producers)),
            EnvelopeOpener(
                kms,
                trusted_cmks=frozenset(trusted_cmks) if trusted_cmks is not None else None,
                cache=cache,
            ),
            replay or ReplayGuard(),
        )
        self._queue_arns = QueueArns(sqs)
        self._on_reject = on_reject
        self._lock = threading.Lock()
        self.rejected: Counter[str] = Counter()

    def receive(
        self,
        queue_url: str,
        *,
        max_messages: int = 10,
        wait_seconds: int = 0,
        visibility_timeout: int | None = None,
        topics: Iterable[str] = (),
    ) -> list[ReceivedMessage]:
        """Receive up to `max_messages`; only those that verify and open are returned.

        `topics` names SNS topics this queue is subscribed to (raw delivery): messages sealed
        for them are accepted too; anything sealed for another destination is rejected.
        """
        accepted = frozenset([self._queue_arns.arn(queue_url), *topics])
        request: dict[str, Any] = {
            "QueueUrl": queue_url,
            "MaxNumberOfMessages": max_messages,
            "WaitTimeSeconds": wait_seconds,
            "MessageAttributeNames": [SUBJECT_ATTRIBUTE],
            "MessageSystemAttributeNames": ["ApproximateReceiveCount"],
        }
        if visibility_timeout is not None:
            request["VisibilityTimeout"] = visibility_timeout
        response = aws_call("SQS", "ReceiveMessage", self._sqs.receive_message, **request)
        received: list[ReceivedMessage] = []
        for raw in response.get("Messages", []):
            opened = self._open(queue_url, raw, accepted)
            if opened is not None:
                received.append(opened)
        return received

    def delete(self, message: ReceivedMessage) -> None:
        aws_call(
            "SQS",
            "DeleteMessage",
            self._sqs.delete_message,
            QueueUrl=message.queue_url,
            ReceiptHandle=message.receipt_handle,
        )

    def delete_batch(self, messages: Sequence[ReceivedMessage]) -> list[ReceivedMessage]:
        """Delete messages (batches of 10 per queue); returns those SQS failed to delete."""
        failed: list[ReceivedMessage] = []
        by_queue: dict[str, list[ReceivedMessage]] = {}
        for message in messages:
            by_queue.setdefault(message.queue_url, []).append(message)
        for queue_url, queued in by_queue.items():
            for start in range(0, len(queued), 10):
                chunk = queued[start : start + 10]
                response = aws_call(
                    "SQS",
                    "DeleteMessageBatch",
                    self._sqs.delete_message_batch,
                    QueueUrl=queue_url,
                    Entries=[
                        {"Id": str(i), "ReceiptHandle": m.receipt_handle}
                        for i, m in enumerate(chunk)
                    ],
                )
                failed.extend(chunk[int(f["Id"])] for f in response.get("Failed", []))
        return failed

    def _open(
        self, queue_url: str, raw: Mapping[str, Any], accepted: frozenset[str]
    ) -> ReceivedMessage | None:
        attribute = raw.get("MessageAttributes", {}).get(SUBJECT_ATTRIBUTE, {})
        try:
            subject_ref = bytes.fromhex(attribute.get("StringValue", ""))
        except ValueError:
            subject_ref = b"\x00"  # not hex: can never equal a signed reference
        try:
            opened = self._opener.open(raw["Body"], accepted, raw["MessageId"], subject_ref)
        except MessageRejected as error:
            self._report(Rejection(queue_url, raw["MessageId"], error))
            return None
        return ReceivedMessage(
            payload=opened.payload,
            producer_id=opened.producer_id,
            message_id=opened.message_id_text,
            timestamp_ms=opened.timestamp_ms,
            subject_ref=opened.subject_ref.hex(),
            queue_url=queue_url,
            receipt_handle=raw["ReceiptHandle"],
            sqs_message_id=raw["MessageId"],
            receive_count=int(raw.get("Attributes", {}).get("ApproximateReceiveCount", "1")),
        )

    def _report(self, rejection: Rejection) -> None:
        with self._lock:
            self.rejected[rejection.reason] += 1
        if self._on_reject is not None:
            self._on_reject(rejection)

"""`SecureProducer`: seal, sign and send to SQS (single and batch) or publish to SNS."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from provisioner.messaging import wire
from provisioner.messaging.envelope import EnvelopeSealer
from provisioner.messaging.errors import TooLarge
from provisioner.messaging.keycache import CacheLimits
from provisioner.messaging.sealing import MessageSealer, SealedMessage
from provisioner.messaging.signing import DelegatedSigner, KmsSigner, MessageSigner
from provisioner.messaging.subjects import SUBJECT_ATTRIBUTE, SubjectKey
from provisioner.messaging.transport import QueueArns, aws_call, message_size, string_attributes

if TYPE_CHECKING:
    from mypy_boto3_kms import KMSClient
    from mypy_boto3_sns import SNSClient
    from mypy_boto3_sqs import SQSClient

SQS_BATCH_ENTRIES = 10


@dataclass(frozen=True)
class OutgoingMessage:
    payload: bytes
    subject_id: str | None = None
    attributes: Mapping[str, str] = field(default_factory=dict)
    group_id: str | None = None


@dataclass(frozen=True)
class BatchFailure:
    index: int
    code: str
    message: str


@dataclass(frozen=True)
class BatchResult:
    """Message ids by input position (None where sending failed) and the failures."""

    message_ids: list[str | None]
    failures: list[BatchFailure]


@dataclass(frozen=True)
class _Prepared:
    sealed: SealedMessage
    attributes: dict[str, str]
    size: int


class SecureProducer:
    """Sends sealed, signed messages; `mode="delegated"` (default) or `"kms"` signing."""

    def __init__(
        self,
        *,
        producer_id: str,
        cmk_id: str,
        signing_key_id: str,
        kms: KMSClient,
        sqs: SQSClient | None = None,
        sns: SNSClient | None = None,
        mode: Literal["delegated", "kms"] = "delegated",
        subject_key: SubjectKey | None = None,
        cache: CacheLimits | None = CacheLimits(),
        certificate_lifetime_seconds: float = 3600.0,
        signer: MessageSigner | None = None,
        clock: Callable[[], float] = time.time,
        max_message_bytes: int = wire.SERVICE_MAX_BYTES,
    ) -> None:
        if signer is None:
            signer = (
                KmsSigner(kms, signing_key_id)
                if mode == "kms"
                else DelegatedSigner(
                    kms,
                    signing_key_id,
                    producer_id,
                    lifetime_seconds=certificate_lifetime_seconds,
                    clock=clock,
                )
            )
        self._sealer = MessageSealer(
            producer_id, EnvelopeSealer(kms, cmk_id, cache=cache), signer, clock=clock
        )
        self._sqs = sqs
        self._sns = sns
        self._queue_arns = QueueArns(sqs) if sqs is not None else None
        self._subject_key = subject_key
        self._max_bytes = max_message_bytes

    def send(
        self,
        queue_url: str,
        payload: bytes,
        *,
        subject_id: str | None = None,
        attributes: Mapping[str, str] | None = None,
        group_id: str | None = None,
    ) -> str:
        """Send one message to an SQS queue; returns its message id (hex)."""
        sqs = self._require_sqs()
        prepared = self._prepare(
            payload, self._queue_arn(queue_url), subject_id, attributes or {}, "SQS"
        )
        request: dict[str, Any] = {
            "QueueUrl": queue_url,
            "MessageBody": prepared.sealed.body,
            "MessageAttributes": string_attributes(prepared.attributes),
        }
        request.update(_fifo_fields(queue_url, group_id, prepared.sealed))
        aws_call("SQS", "SendMessage", sqs.send_message, **request)
        return prepared.sealed.message_id_text

    def send_batch(self, queue_url: str, messages: Sequence[OutgoingMessage]) -> BatchResult:
        """Send many messages in SQS batches (at most 10 entries and 256 KiB per request)."""
        sqs = self._require_sqs()
        destination = self._queue_arn(queue_url)
        prepared = [
            self._prepare(m.payload, destination, m.subject_id, m.attributes, "SQS")
            for m in messages
        ]
        ids: list[str | None] = [p.sealed.message_id_text for p in prepared]
        failures: list[BatchFailure] = []
        for chunk in _chunks(prepared, self._max_bytes):
            entries = []
            for index in chunk:
                item = prepared[index]
                entry: dict[str, Any] = {
                    "Id": str(index),
                    "MessageBody": item.sealed.body,
                    "MessageAttributes": string_attributes(item.attributes),
                }
                entry.update(_fifo_fields(queue_url, messages[index].group_id, item.sealed))
                entries.append(entry)
            response = aws_call(
                "SQS",
                "SendMessageBatch",
                sqs.send_message_batch,
                QueueUrl=queue_url,
                Entries=entries,
            )
            for failed in response.get("Failed", []):
                index = int(failed["Id"])
                ids[index] = None
                failures.append(BatchFailure(index, failed["Code"], failed.get("Message", "")))
        return BatchResult(message_ids=ids, failures=failures)

    def publish(
        self,
        topic_arn: str,
        payload: bytes,
        *,
        subject_id: str | None = None,
        attributes: Mapping[str, str] | None = None,
        group_id: str | None = None,
    ) -> str:
        """Publish one message to an SNS topic (subscribe queues with raw message delivery)."""
        if self._sns is None:
            raise ValueError("this producer was built without an SNS client")
        prepared = self._prepare(payload, topic_arn, subject_id, attributes or {}, "SNS")
        request: dict[str, Any] = {
            "TopicArn": topic_arn,
            "Message": prepared.sealed.body,
            "MessageAttributes": string_attributes(prepared.attributes),
        }
        if topic_arn.endswith(".fifo"):
            request["MessageGroupId"] = group_id or "default"
            request["MessageDeduplicationId"] = prepared.sealed.message_id_text
        aws_call("SNS", "Publish", self._sns.publish, **request)
        return prepared.sealed.message_id_text

    def _prepare(
        self,
        payload: bytes,
        destination: str,
        subject_id: str | None,
        attributes: Mapping[str, str],
        service: str,
    ) -> _Prepared:
        if SUBJECT_ATTRIBUTE in attributes:
            raise ValueError(f"attribute {SUBJECT_ATTRIBUTE} is set by the producer itself")
        subject_ref = b""
        all_attributes = dict(attributes)
        if subject_id is not None:
            if self._subject_key is None:
                raise ValueError("subject_id given but this producer has no subject key")
            subject_ref = self._subject_key.reference(subject_id)
            all_attributes[SUBJECT_ATTRIBUTE] = subject_ref.hex()
        # Refuse before spending a KMS call or crypto: the body is at least 4/3 of the payload.
        if wire.encoded_size(len(payload)) > self._max_bytes:
            raise TooLarge(_too_large(service, wire.encoded_size(len(payload)), self._max_bytes))
        sealed = self._sealer.seal(payload, destination, subject_ref)
        size = message_size(sealed.body, all_attributes)
        if size > self._max_bytes:
            raise TooLarge(_too_large(service, size, self._max_bytes))
        return _Prepared(sealed=sealed, attributes=all_attributes, size=size)

    def _require_sqs(self) -> SQSClient:
        if self._sqs is None:
            raise ValueError("this producer was built without an SQS client")
        return self._sqs

    def _queue_arn(self, queue_url: str) -> str:
        assert self._queue_arns is not None
        return self._queue_arns.arn(queue_url)


def _too_large(service: str, size: int, limit: int) -> str:
    return f"sealed message is {size} bytes; {service} accepts at most {limit} bytes"


def _fifo_fields(queue_url: str, group_id: str | None, sealed: SealedMessage) -> dict[str, str]:
    if not queue_url.endswith(".fifo"):
        return {}
    return {
        "MessageGroupId": group_id or "default",
        "MessageDeduplicationId": sealed.message_id_text,
    }


def _chunks(prepared: Sequence[_Prepared], max_bytes: int) -> list[list[int]]:
    """Group indexes into requests SQS accepts: 10 entries, total size within the limit."""
    chunks: list[list[int]] = []
    current: list[int] = []
    current_size = 0
    for index, item in enumerate(prepared):
        if current and (len(current) == SQS_BATCH_ENTRIES or current_size + item.size > max_bytes):
            chunks.append(current)
            current, current_size = [], 0
        current.append(index)
        current_size += item.size
    if current:
        chunks.append(current)
    return chunks

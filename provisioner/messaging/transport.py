"""SQS/SNS plumbing shared by producer, consumer and erasure: error mapping, ARNs, sizes."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from provisioner.messaging.errors import TransportFailed

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

T = TypeVar("T")


def aws_call(service: str, operation: str, call: Callable[..., T], **kwargs: Any) -> T:
    """Run one SQS/SNS call; any failure becomes `TransportFailed` naming the call and code."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return call(**kwargs)
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "Unknown")
        raise TransportFailed(f"{service} {operation} failed: {code}") from None
    except BotoCoreError as error:
        raise TransportFailed(f"{service} {operation} failed: {type(error).__name__}") from None


class QueueArns:
    """Queue URL -> ARN, asked once per queue."""

    def __init__(self, sqs: SQSClient) -> None:
        self._sqs = sqs
        self._arns: dict[str, str] = {}
        self._lock = threading.Lock()

    def arn(self, queue_url: str) -> str:
        known = self._arns.get(queue_url)
        if known is not None:
            return known
        response = aws_call(
            "SQS",
            "GetQueueAttributes",
            self._sqs.get_queue_attributes,
            QueueUrl=queue_url,
            AttributeNames=["QueueArn"],
        )
        arn = response["Attributes"]["QueueArn"]
        with self._lock:
            self._arns[queue_url] = arn
        return arn


def string_attributes(values: Mapping[str, str]) -> dict[str, Any]:
    return {name: {"DataType": "String", "StringValue": value} for name, value in values.items()}


def message_size(body: str, attributes: Mapping[str, str]) -> int:
    """Bytes SQS and SNS count against their limit: body plus each name, type and value."""
    size = len(body.encode("utf-8"))
    for name, value in attributes.items():
        size += len(name.encode("utf-8")) + len(b"String") + len(value.encode("utf-8"))
    return size

"""The test-only moto SQS speed-ups keep moto's observable behaviour (a differential test)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.support.fast_moto_sqs import indexed_receipt_handles
from tests.support.moto_server import MotoServer

pytestmark = pytest.mark.integration


def _scenario(server: MotoServer, name: str) -> list[Any]:
    sqs = server.client("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    for body in ("a", "b", "c"):
        sqs.send_message(QueueUrl=url, MessageBody=body)
    sqs.send_message(QueueUrl=url, MessageBody="late", DelaySeconds=60)
    seen: list[Any] = []
    first = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2, VisibilityTimeout=60)
    held = {m["Body"]: m["ReceiptHandle"] for m in first["Messages"]}
    seen.append(sorted(held))
    released, deleted = sorted(held)
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=held[released], VisibilityTimeout=0)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=held[deleted])
    sqs.delete_message(QueueUrl=url, ReceiptHandle=held[deleted])  # twice: accepted
    for bad in (held[deleted], "not-a-handle"):
        try:
            sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=bad, VisibilityTimeout=0)
            seen.append("accepted")
        except ClientError as error:
            seen.append(error.response["Error"]["Code"])
    try:
        sqs.change_message_visibility(
            QueueUrl=url, ReceiptHandle=held[released], VisibilityTimeout=43201
        )
        seen.append("accepted")
    except ClientError as error:
        seen.append(error.response["Error"]["Code"])
    counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    seen.append(
        {k: counts[k] for k in counts if k.startswith("ApproximateNumberOfMessages")}
    )  # deleted messages are gone, the delayed one counts as delayed
    rest = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=60)
    seen.append(sorted(m["Body"] for m in rest["Messages"]))  # the delayed one stays hidden
    return seen


def test_patched_moto_behaves_like_moto(moto_server: MotoServer) -> None:
    plain = _scenario(moto_server, "plain")
    with indexed_receipt_handles():
        patched = _scenario(moto_server, "patched")
    assert patched == plain
    assert plain[-1] == sorted({"a", "b", "c"} - {plain[0][1]})

"""Erasure passes: repeat until a pass finds none; say so when the passes ran out first."""

from __future__ import annotations

from typing import Any

import pytest

from provisioner.messaging import SUBJECT_ATTRIBUTE, SubjectKey
from provisioner.messaging.erasure import ErasureSettings, erase_subject
from provisioner.messaging.erasure_service import EraseOutcome, unfinished_queues
from tests.support.moto_server import MotoServer

pytestmark = pytest.mark.integration

REF = SubjectKey(b"s" * 32).reference_text("subject")


def _queue_with(moto_server: MotoServer, subject_messages: int, others: int) -> tuple[Any, str]:
    sqs = moto_server.client("sqs")
    url = sqs.create_queue(QueueName="q")["QueueUrl"]
    attribute = {SUBJECT_ATTRIBUTE: {"DataType": "String", "StringValue": REF}}
    for i in range(subject_messages):
        sqs.send_message(QueueUrl=url, MessageBody=f"s{i}", MessageAttributes=attribute)
    for i in range(others):
        sqs.send_message(QueueUrl=url, MessageBody=f"o{i}")
    return sqs, url


def test_erasure_stops_after_a_pass_that_finds_none(moto_server: MotoServer) -> None:
    sqs, url = _queue_with(moto_server, 3, 12)

    [result] = erase_subject(sqs, [url], REF, ErasureSettings(wait_seconds=0))

    assert (result.matched, result.deleted, result.passes) == (3, 3, 2)
    assert result.complete and result.inspected == 15
    visible = sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]["ApproximateNumberOfMessages"]
    assert visible == "12", "the other messages are visible again at once"


def test_running_out_of_passes_is_reported_as_unfinished(moto_server: MotoServer) -> None:
    sqs, url = _queue_with(moto_server, 2, 2)

    results = erase_subject(sqs, [url], REF, ErasureSettings(wait_seconds=0, max_passes=1))

    assert not results[0].complete
    outcome = EraseOutcome(
        record={"queues": [r.as_dict() for r in results]},
        audit_log_group=None,
        audit_log_stream=None,
    )
    assert unfinished_queues(outcome) == [url]


def test_dry_run_deletes_nothing_and_releases_everything(moto_server: MotoServer) -> None:
    sqs, url = _queue_with(moto_server, 2, 3)

    [result] = erase_subject(sqs, [url], REF, ErasureSettings(wait_seconds=0, dry_run=True))

    assert (result.matched, result.deleted, result.passes, result.complete) == (2, 0, 1, True)
    visible = sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]["ApproximateNumberOfMessages"]
    assert visible == "5"

"""`provisioner erase` against moto: exit codes, DLQs, audit record, and no subject id anywhere."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from provisioner.cli import app
from provisioner.messaging import SUBJECT_ATTRIBUTE, SubjectKey
from tests.support.moto_server import MotoServer, free_port

pytestmark = pytest.mark.integration

ENVIRONMENTS = Path(__file__).resolve().parents[2] / "environments"
STACK, REGION = "gdpr.dev", "eu-west-1"
SUBJECT = "alice@example.com"
KEY_HEX = "ab" * 32
KEY = SubjectKey(bytes.fromhex(KEY_HEX))


def _invoke(server_url: str | None, *extra: str, env: dict[str, str] | None = None) -> Any:
    args = ["erase", "--subject", SUBJECT, "--profile", "gdpr", "--env", "dev"]
    args += ["--environments-dir", str(ENVIRONMENTS), "--wait-seconds", "0"]
    if server_url:
        args += ["--endpoint-url", server_url]
    environment = {"PROVISIONER_SUBJECT_KEY": KEY_HEX, **(env or {})}
    return CliRunner().invoke(app, [*args, *extra], env=environment)


def _send(sqs: Any, url: str, subject: str | None, body: str) -> None:
    attributes = {}
    if subject is not None:
        ref = KEY.reference_text(subject)
        attributes = {SUBJECT_ATTRIBUTE: {"DataType": "String", "StringValue": ref}}
    sqs.send_message(QueueUrl=url, MessageBody=body, MessageAttributes=attributes)


def _bodies(sqs: Any, url: str) -> list[str]:
    bodies = []
    while batch := sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=300
    ).get("Messages", []):
        bodies += [m["Body"] for m in batch]
    return sorted(bodies)


@pytest.fixture
def stack(moto_server: MotoServer) -> dict[str, Any]:
    sqs = moto_server.client("sqs", REGION)
    logs = moto_server.client("logs", REGION)
    dlq = sqs.create_queue(QueueName="orders-dlq")["QueueUrl"]  # untagged: found via redrive
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    queue = sqs.create_queue(
        QueueName="orders",
        tags={"provisioner:stack": STACK},
        Attributes={
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 50})
        },
    )["QueueUrl"]
    foreign = sqs.create_queue(QueueName="other", tags={"provisioner:stack": "pci.dev"})["QueueUrl"]
    # Another log group of the stack (flow logs) must not receive the audit record.
    logs.create_log_group(
        logGroupName="/provisioner/gdpr.dev/flow-logs", tags={"provisioner:stack": STACK}
    )
    logs.create_log_group(
        logGroupName="/provisioner/gdpr.dev/cloudtrail",
        tags={"provisioner:stack": STACK, "provisioner:log": "audit"},
    )
    for i in range(25):
        _send(sqs, queue, SUBJECT if i % 5 == 0 else "bob", f"q-{i}")
    _send(sqs, queue, None, "no-subject")
    _send(sqs, dlq, SUBJECT, "dlq-subject")
    _send(sqs, dlq, "carol", "dlq-carol")
    _send(sqs, foreign, SUBJECT, "foreign-subject")
    return {"sqs": sqs, "logs": logs, "queue": queue, "dlq": dlq, "foreign": foreign}


def test_erase_deletes_only_the_subject_in_queues_and_dlqs_and_audits(
    moto_server: MotoServer, stack: dict[str, Any], tmp_path: Path
) -> None:
    report = tmp_path / "audit.json"

    result = _invoke(moto_server.url, "--report-file", str(report))

    assert result.exit_code == 0, result.output
    sqs = stack["sqs"]
    assert _bodies(sqs, stack["queue"]) == sorted(
        [f"q-{i}" for i in range(25) if i % 5] + ["no-subject"]
    )
    assert _bodies(sqs, stack["dlq"]) == ["dlq-carol"]
    assert _bodies(sqs, stack["foreign"]) == ["foreign-subject"], "another stack's queue"
    assert SUBJECT not in result.output

    record = json.loads(report.read_text())
    assert SUBJECT not in report.read_text()
    assert record["who"].startswith("arn:aws:")
    assert record["subject_hash"] == f"hmac-sha256:{KEY.reference_text(SUBJECT)}"
    assert {q["queue_url"]: q["deleted"] for q in record["queues"]} == {
        stack["queue"]: 5,
        stack["dlq"]: 1,
    }
    assert record["total_deleted"] == 6 and record["dry_run"] is False

    group = "/provisioner/gdpr.dev/cloudtrail"
    flow_logs = stack["logs"].describe_log_streams(logGroupName="/provisioner/gdpr.dev/flow-logs")
    assert flow_logs["logStreams"] == []
    streams = stack["logs"].describe_log_streams(logGroupName=group)["logStreams"]
    events = stack["logs"].get_log_events(
        logGroupName=group, logStreamName=streams[0]["logStreamName"]
    )["events"]
    assert [json.loads(e["message"])["total_deleted"] for e in events] == [6]
    assert SUBJECT not in events[0]["message"]


def test_dry_run_counts_without_deleting(moto_server: MotoServer, stack: dict[str, Any]) -> None:
    result = _invoke(moto_server.url, "--dry-run", "--output", "json")

    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert record["dry_run"] is True
    assert record["total_matched"] == 6 and record["total_deleted"] == 0
    assert len(_bodies(stack["sqs"], stack["queue"])) == 26
    assert SUBJECT not in result.output


def test_explicit_queue_limits_the_erasure(moto_server: MotoServer, stack: dict[str, Any]) -> None:
    result = _invoke(moto_server.url, "--queue", stack["foreign"], "--output", "json")

    assert result.exit_code == 0, result.output
    assert _bodies(stack["sqs"], stack["foreign"]) == []
    assert len(_bodies(stack["sqs"], stack["queue"])) == 26


def test_table_output_names_queues_and_counts(
    moto_server: MotoServer, stack: dict[str, Any]
) -> None:
    result = _invoke(moto_server.url)

    assert result.exit_code == 0, result.output
    assert "orders-dlq" in result.output and "deleted" in result.output
    assert "audit record: log group /provisioner/gdpr.dev/cloudtrail" in result.output
    assert SUBJECT not in result.output


def test_missing_subject_key_is_bad_input(moto_server: MotoServer, stack: dict[str, Any]) -> None:
    result = _invoke(moto_server.url, env={"PROVISIONER_SUBJECT_KEY": ""})

    assert result.exit_code == 2
    assert "PROVISIONER_SUBJECT_KEY" in result.output
    assert SUBJECT not in result.output
    assert len(_bodies(stack["sqs"], stack["queue"])) == 26


def test_short_subject_key_file_is_bad_input(tmp_path: Path) -> None:
    key_file = tmp_path / "key"
    key_file.write_text("too-short")

    result = _invoke(None, "--subject-key-file", str(key_file))

    assert result.exit_code == 2
    assert str(key_file) in result.output and "at least 32 bytes" in result.output
    assert SUBJECT not in result.output


def test_stack_without_queues_cannot_be_erased(moto_server: MotoServer) -> None:
    result = _invoke(moto_server.url)

    assert result.exit_code == 3
    assert "no queues tagged provisioner:stack=gdpr.dev" in result.output


def test_unreachable_aws_is_exit_3_without_traceback() -> None:
    dead = f"http://127.0.0.1:{free_port()}"

    result = _invoke(dead, env={"AWS_MAX_ATTEMPTS": "1"})

    assert result.exit_code == 3
    assert "Traceback" not in result.output
    assert "EndpointConnectionError" in result.output
    assert SUBJECT not in result.output


def test_unknown_profile_is_bad_input() -> None:
    result = CliRunner().invoke(
        app,
        ["erase", "--subject", SUBJECT, "--profile", "nosuch", "--env", "dev"],
        env={"PROVISIONER_SUBJECT_KEY": KEY_HEX},
    )

    assert result.exit_code == 2
    assert "nosuch" in result.output and SUBJECT not in result.output

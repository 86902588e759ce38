"""The erasure audit record: who, when, which subject (by its HMAC reference), what was done.

Written to a file and, when the stack has one, to its audit log group (a CloudWatch Logs group
tagged `provisioner:stack=<stack>` whose name contains "audit"). Never holds the subject id.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from provisioner.messaging.erasure import STACK_TAG, QueueErasure
from provisioner.messaging.transport import aws_call

if TYPE_CHECKING:
    from mypy_boto3_logs import CloudWatchLogsClient


def erasure_record(
    *,
    stack_name: str,
    who: str,
    subject_ref: str,
    results: Sequence[QueueErasure],
    dry_run: bool,
    when: datetime | None = None,
) -> dict[str, Any]:
    return {
        "action": "erase-subject",
        "stack": stack_name,
        "who": who,
        "when": (when or datetime.now(UTC)).isoformat(timespec="seconds"),
        "subject_hash": f"hmac-sha256:{subject_ref}",
        "dry_run": dry_run,
        "queues": [result.as_dict() for result in results],
        "total_matched": sum(result.matched for result in results),
        "total_deleted": sum(result.deleted for result in results),
    }


# With the stack tag, marks a stack's audit log group (set by components/audit_trail.py).
AUDIT_LOG_TAG_KEY = "provisioner:log"
AUDIT_LOG_TAG_VALUE = "audit"


def find_audit_log_group(logs: CloudWatchLogsClient, stack_name: str) -> str | None:
    """Name of the stack's audit log group, or None when it has none."""
    request: dict[str, Any] = {}
    while True:
        response = aws_call(
            "CloudWatch Logs", "DescribeLogGroups", logs.describe_log_groups, **request
        )
        for group in response.get("logGroups", []):
            name = group.get("logGroupName", "")
            arn = group.get("arn", "").removesuffix(":*")
            tags = aws_call(
                "CloudWatch Logs",
                "ListTagsForResource",
                logs.list_tags_for_resource,
                resourceArn=arn,
            ).get("tags", {})
            if (
                tags.get(STACK_TAG) == stack_name
                and tags.get(AUDIT_LOG_TAG_KEY) == AUDIT_LOG_TAG_VALUE
            ):
                return name
        token = response.get("nextToken")
        if not token:
            return None
        request["nextToken"] = token


def write_to_log_group(logs: CloudWatchLogsClient, group: str, record: dict[str, Any]) -> str:
    """Put the record as one event in a new stream; returns the stream name."""
    stream = f"erasure/{record['when'][:10]}/{uuid.uuid4().hex[:12]}"
    aws_call(
        "CloudWatch Logs",
        "CreateLogStream",
        logs.create_log_stream,
        logGroupName=group,
        logStreamName=stream,
    )
    aws_call(
        "CloudWatch Logs",
        "PutLogEvents",
        logs.put_log_events,
        logGroupName=group,
        logStreamName=stream,
        logEvents=[
            {
                "timestamp": int(datetime.fromisoformat(record["when"]).timestamp() * 1000),
                "message": json.dumps(record, sort_keys=True),
            }
        ],
    )
    return stream

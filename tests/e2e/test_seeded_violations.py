"""The peer comparison of the issue: 14 seeded violations in a deployed pci stack.

Prowler caught 9 of these classes; it has no check for a missing DLQ, a retention limit, or a
CMK where SSE-SQS or alias/aws/sqs is used, and passes a never-expiring log group. Every one is
caught here, and nothing fails on a resource that was not seeded, nor outside the profile.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from provisioner.findings import Status
from tests.e2e import drifts
from tests.e2e.conftest import DeployedStack

pytestmark = pytest.mark.e2e

PROFILE = "pci"


def _tags(stack: DeployedStack) -> dict[str, str]:
    return dict(stack.target.tags)


def _new_queue(stack: DeployedStack, name: str, attributes: dict[str, str]) -> str:
    """A stack-tagged queue with a TLS-only policy; `attributes` carry the violation."""
    sqs: Any = stack.client("sqs")
    url = sqs.create_queue(QueueName=name, Attributes=attributes, tags=_tags(stack))["QueueUrl"]
    arn: str = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    tls_only = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "sqs:*",
                "Resource": arn,
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(tls_only)})
    return arn


def _stack_key(stack: DeployedStack) -> str:
    return drifts._data_key(stack)


def missing_dlq(stack: DeployedStack) -> tuple[str, str]:
    arn = _new_queue(stack, "pci-dev-no-dlq", {"KmsMasterKeyId": _stack_key(stack)})
    return "SQS-DLQ", arn


def sse_sqs(stack: DeployedStack) -> tuple[str, str]:
    arn = _new_queue(stack, "pci-dev-sse-sqs", {"SqsManagedSseEnabled": "true"})
    return "SQS-ENC-CMK", arn


def aws_managed_key(stack: DeployedStack) -> tuple[str, str]:
    arn = _new_queue(stack, "pci-dev-aws-key", {"KmsMasterKeyId": "alias/aws/sqs"})
    return "SQS-ENC-CMK", arn


def retention_above_limit(stack: DeployedStack) -> tuple[str, str]:
    limit = stack.target.parameters.queue.max_message_retention_seconds
    assert limit is not None
    arn = _new_queue(
        stack,
        "pci-dev-long-retention",
        {"KmsMasterKeyId": _stack_key(stack), "MessageRetentionPeriod": str(limit.value + 3600)},
    )
    return "SQS-RETENTION-MAX", arn


def never_expiring_log_group(stack: DeployedStack) -> tuple[str, str]:
    logs: Any = stack.client("logs")
    name = "/provisioner/pci.dev/app"
    logs.create_log_group(logGroupName=name, kmsKeyId=_stack_key(stack), tags=_tags(stack))
    return "LOGS-RETENTION", f"arn:aws:logs:us-east-1:123456789012:log-group:{name}"


def unencrypted_log_group(stack: DeployedStack) -> tuple[str, str]:
    logs: Any = stack.client("logs")
    name = "/provisioner/pci.dev/plain"
    logs.create_log_group(logGroupName=name, tags=_tags(stack))
    logs.put_retention_policy(logGroupName=name, retentionInDays=365)
    return "LOGS-KMS", f"arn:aws:logs:us-east-1:123456789012:log-group:{name}"


def _drift(control: str) -> Callable[[DeployedStack], tuple[str, str]]:
    [drift] = [d for d in drifts.DRIFTS if d.control == control]

    def seed(stack: DeployedStack) -> tuple[str, str]:
        return drift.control, drift.apply(stack)

    return seed


SEEDS: tuple[Callable[[DeployedStack], tuple[str, str]], ...] = (
    missing_dlq,
    sse_sqs,
    aws_managed_key,
    retention_above_limit,
    never_expiring_log_group,
    unencrypted_log_group,
    _drift("SQS-NO-PUBLIC"),
    _drift("SNS-ENC-CMK"),
    _drift("SNS-TLS-ONLY"),
    _drift("KMS-ROTATION"),
    _drift("TRAIL-LOG-VALIDATION"),
    _drift("SG-NO-OPEN-INGRESS"),
    _drift("IAM-NO-WILDCARD-ACTION"),
    _drift("S3-AUDIT-BLOCK-PUBLIC"),
)


def test_every_seeded_violation_is_caught_and_nothing_else(
    deploy: Callable[..., DeployedStack],
) -> None:
    stack = deploy(PROFILE)
    seeded = {seed(stack) for seed in SEEDS}
    assert len(seeded) == 14
    report = stack.verify()
    failures = {(f.control, f.resource) for f in report.findings if f.status is Status.FAIL}
    assert seeded <= failures, f"missed: {sorted(seeded - failures)}"
    # Nothing fails on a resource that was not seeded, and only the profile's controls judge.
    seeded_resources = {resource for _, resource in seeded}
    assert {resource for _, resource in failures} <= seeded_resources
    assert {control for control, _ in failures} <= set(stack.target.profile.controls)
    assert not [f for f in report.findings if f.status is Status.ERROR]

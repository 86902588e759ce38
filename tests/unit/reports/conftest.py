"""A judged run with one finding of every status, and a secret hidden in the evidence."""

from __future__ import annotations

import datetime as dt

import pytest

from provisioner.findings import Finding, Severity, Status
from provisioner.reports import ComplianceReport, ControlInfo

ACCOUNT = "123456789012"
QUEUE = f"arn:aws:sqs:eu-west-1:{ACCOUNT}:pci-prod-orders"
DLQ = f"arn:aws:sqs:eu-west-1:{ACCOUNT}:pci-prod-orders-dlq"
KEY = f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
TRAIL = f"arn:aws:cloudtrail:eu-west-1:{ACCOUNT}:trail/pci-prod"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"

PCI_DLQ = {"pci-dss-4.0": (), "hipaa": ("164.308(a)(7)(i)",), "nist-800-53-r5": ("CP-10",)}


def finding(control: str, resource: str, status: Status, **overrides: object) -> Finding:
    fields: dict[str, object] = {
        "control": control,
        "title": control.replace("_", " "),
        "severity": Severity.HIGH,
        "resource": resource,
        "status": status,
        "message": f"{resource} is {status.value}",
        "evidence": {},
        "frameworks": {},
    }
    fields.update(overrides)
    return Finding(**fields)  # type: ignore[arg-type]


@pytest.fixture
def report() -> ComplianceReport:
    findings = (
        finding(
            "sqs_queue_encrypted_with_cmk",
            QUEUE,
            Status.FAIL,
            message=f"{QUEUE} uses SSE-SQS, not a customer managed key",
            evidence={
                "SqsManagedSseEnabled": "true",
                "KmsMasterKeyId": None,
                "aws_secret_access_key": SECRET,
                "note": f"seen with {ACCESS_KEY_ID}",
            },
            frameworks={"pci-dss-4.0": ("3.5.1",), "nist-800-53-r5": ("SC-28(1)", "SC-12")},
            severity=Severity.CRITICAL,
        ),
        finding(
            "sqs_queue_encrypted_with_cmk",
            DLQ,
            Status.PASS,
            evidence={"KmsMasterKeyId": KEY, "KeyManager": "CUSTOMER"},
            frameworks={"pci-dss-4.0": ("3.5.1",), "nist-800-53-r5": ("SC-28(1)", "SC-12")},
            severity=Severity.CRITICAL,
        ),
        finding(
            "kms_key_rotation_enabled",
            KEY,
            Status.ERROR,
            message="kms: AccessDeniedException: could not read the key rotation status",
            frameworks={"pci-dss-4.0": ("3.7.4",)},
        ),
        finding(
            "sqs_queue_dlq_attached",
            QUEUE,
            Status.WAIVED,
            severity=Severity.MEDIUM,
            evidence={"deadLetterTargetArn": None},
            frameworks=PCI_DLQ,
            waiver={
                "control": "sqs_queue_dlq_attached",
                "resource": "arn:aws:sqs:*:orders*",
                "reason": "legacy consumer retries itself",
                "owner": "payments-team",
                "expires": "2027-03-31",
            },
        ),
        finding(
            "trail_data_events_sns",
            TRAIL,
            Status.NOT_APPLICABLE,
            message="the profile does not ask for SNS data events",
            severity=Severity.LOW,
        ),
        finding(
            "sqs_queue_retention_within_limit",
            DLQ,
            Status.FAIL,
            severity=Severity.MEDIUM,
            message=f"{DLQ} keeps messages 1209600 s, above the 345600 s limit",
            evidence={"MessageRetentionPeriod": 1209600, "limit": 345600},
            frameworks={"gdpr": ("5(1)(e)",)},
        ),
    )
    return ComplianceReport(
        source="verify",
        stack="pci.prod",
        profiles=("pci",),
        environment="prod",
        account=ACCOUNT,
        region="eu-west-1",
        started_at=dt.datetime(2026, 12, 3, 17, 5, 9, tzinfo=dt.UTC),
        findings=findings,
        controls={
            "sqs_queue_encrypted_with_cmk": ControlInfo(
                id="sqs_queue_encrypted_with_cmk",
                title="SQS queue is encrypted with a customer managed KMS key",
                severity=Severity.CRITICAL,
                description="SSE-SQS and alias/aws/sqs do not count.",
                remediation="Set KmsMasterKeyId to the stack CMK.",
                frameworks={"pci-dss-4.0": ("3.5.1",), "nist-800-53-r5": ("SC-28(1)", "SC-12")},
            )
        },
        profile_files=("profiles/pci.yaml",),
    )

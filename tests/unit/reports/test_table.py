"""The terminal table: worst first and a summary line."""

from __future__ import annotations

from dataclasses import replace

from provisioner.findings import Status
from provisioner.reports import ComplianceReport, render
from tests.unit.reports.conftest import ACCOUNT, finding


def test_worst_first_and_summary(report: ComplianceReport) -> None:
    text = render(report, "table")
    statuses = [
        word
        for line in text.splitlines()
        for word in line.split()[:1]
        if word in {"FAIL", "ERROR", "WAIVED", "PASS", "NOT_APPLICABLE"}
    ]
    assert statuses == ["FAIL", "FAIL", "ERROR", "WAIVED", "PASS", "NOT_APPLICABLE"]
    assert text.splitlines()[-1] == ("pass: 1  fail: 2  error: 1  waived: 1  not_applicable: 1")
    assert "waived until 2027-03-31: legacy consumer retries itself" in " ".join(text.split())


def test_passes_fold_into_one_row_per_control_and_failures_stay_one_per_resource(
    report: ComplianceReport,
) -> None:
    queues = [f"arn:aws:sqs:eu-west-1:{ACCOUNT}:q{i}" for i in range(3)]
    extra = (
        *(finding("sqs_queue_tls_only", q, Status.PASS, message="TLS only") for q in queues),
        *(finding("sqs_queue_dlq_attached", q, Status.FAIL) for q in queues[:2]),
    )
    text = render(replace(report, findings=(*report.findings, *extra)), "table")
    lines = text.splitlines()

    folded = [line for line in lines if "sqs_queue_tls_only" in line]
    assert len(folded) == 1
    assert folded[0].split()[:3] == ["PASS", "high", "sqs_queue_tls_only"]
    assert "3 resources" in folded[0] and "TLS only" in folded[0]
    assert queues[2] not in text  # it only passes: counted in the folded row
    failing = [line for line in lines if line.split()[:3:2] == ["FAIL", "sqs_queue_dlq_attached"]]
    assert len(failing) == 2  # one row per failing resource
    assert lines[-1] == "pass: 4  fail: 4  error: 1  waived: 1  not_applicable: 1"

"""Markdown evidence: framework requirement > control > resource, with values, time and place."""

from __future__ import annotations

from provisioner.reports import ComplianceReport, render
from tests.unit.reports.conftest import DLQ, QUEUE


def test_header_names_time_account_and_region(report: ComplianceReport) -> None:
    text = render(report, "markdown")
    assert "| Account | 123456789012 |" in text
    assert "| Region | eu-west-1 |" in text
    assert "| Time (UTC) | 2026-12-03T17:05:09+00:00 |" in text


def test_grouped_by_requirement_then_control_then_resource(report: ComplianceReport) -> None:
    lines = render(report, "markdown").splitlines()
    pci = lines.index("## PCI DSS v4.0")
    req = lines.index("### 3.5.1", pci)
    control = lines.index(
        "#### `sqs_queue_encrypted_with_cmk`: sqs queue encrypted with cmk (critical)", req
    )
    rows = [line for line in lines[control : control + 6] if line.startswith("| `arn:")]
    assert [row.split("`")[1] for row in rows] == [QUEUE, DLQ]
    failing = next(row for row in rows if QUEUE in row)
    assert "**fail**" in failing
    assert "SqsManagedSseEnabled=`true`" in failing
    assert lines.index("## GDPR") > pci
    assert "### 5(1)(e)" in lines


def test_unmapped_controls_and_waivers_are_listed(report: ComplianceReport) -> None:
    text = render(report, "markdown")
    assert "## Not mapped to a framework requirement" in text
    assert "trail_data_events_sns" in text
    assert "## Waivers in force" in text
    assert "legacy consumer retries itself" in text


def test_requirements_sort_naturally(report: ComplianceReport) -> None:
    lines = render(report, "markdown").splitlines()
    nist = lines.index("## NIST SP 800-53 Rev. 5 (FedRAMP)")
    assert lines.index("### SC-12", nist) < lines.index("### SC-28(1)", nist)

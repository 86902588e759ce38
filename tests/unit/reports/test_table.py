"""The terminal table: worst first and a summary line."""

from __future__ import annotations

from provisioner.reports import ComplianceReport, render


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

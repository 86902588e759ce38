"""The JSON document is the contract CI pipelines parse: exact keys and counts."""

from __future__ import annotations

import json

from provisioner.findings import FRAMEWORKS
from provisioner.reports import ComplianceReport, render
from tests.unit.reports.conftest import ACCOUNT, QUEUE


def test_document_shape(report: ComplianceReport) -> None:
    document = json.loads(render(report, "json"))
    assert list(document) == [
        "schema_version",
        "stack",
        "profiles",
        "environment",
        "account",
        "region",
        "started_at",
        "summary",
        "findings",
    ]
    assert document["schema_version"] == 1
    assert document["stack"] == "pci.prod"
    assert document["profiles"] == ["pci"]
    assert document["environment"] == "prod"
    assert document["account"] == ACCOUNT
    assert document["region"] == "eu-west-1"
    assert document["started_at"] == "2026-12-03T17:05:09+00:00"
    assert document["summary"] == {
        "pass": 1,
        "fail": 2,
        "error": 1,
        "waived": 1,
        "not_applicable": 1,
    }


def test_findings_carry_the_contract_fields(report: ComplianceReport) -> None:
    findings = json.loads(render(report, "json"))["findings"]
    assert len(findings) == 6
    first = findings[0]
    assert set(first) == {
        "control",
        "title",
        "severity",
        "resource",
        "status",
        "message",
        "evidence",
        "frameworks",
    }
    assert first["resource"] == QUEUE
    assert first["status"] == "fail"
    assert first["evidence"]["SqsManagedSseEnabled"] == "true"
    assert first["evidence"]["aws_secret_access_key"] == "***redacted***"
    assert list(first["frameworks"]) == list(FRAMEWORKS)
    assert first["frameworks"]["pci-dss-4.0"] == ["3.5.1"]
    waived = next(f for f in findings if f["status"] == "waived")
    assert waived["waiver"]["owner"] == "payments-team"

"""SARIF 2.1.0 in the shape GitHub code scanning loads."""

from __future__ import annotations

import json
from typing import Any

from provisioner.findings import FRAMEWORKS
from provisioner.reports import ComplianceReport, render
from tests.unit.reports.conftest import DLQ, QUEUE


def _sarif(report: ComplianceReport) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(render(report, "sarif"))
    return document


def test_top_level_and_driver(report: ComplianceReport) -> None:
    document = _sarif(report)
    assert document["version"] == "2.1.0"
    assert document["$schema"].endswith("sarif-2.1.0.json")
    [run] = document["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "provisioner"
    rule_ids = [rule["id"] for rule in driver["rules"]]
    assert len(rule_ids) == len(set(rule_ids)) == 5  # one rule per control judged


def test_rules_have_help_and_framework_properties(report: ComplianceReport) -> None:
    rules = {r["id"]: r for r in _sarif(report)["runs"][0]["tool"]["driver"]["rules"]}
    cmk = rules["sqs_queue_encrypted_with_cmk"]
    assert cmk["shortDescription"]["text"] == (
        "SQS queue is encrypted with a customer managed KMS key"
    )
    assert "Set KmsMasterKeyId" in cmk["help"]["text"]
    assert list(cmk["properties"]["frameworks"]) == list(FRAMEWORKS)
    assert cmk["properties"]["frameworks"]["pci-dss-4.0"] == ["3.5.1"]
    assert cmk["defaultConfiguration"]["level"] == "error"
    assert float(cmk["properties"]["security-severity"]) >= 9.0
    for rule in rules.values():
        assert rule["help"]["text"]


def test_one_result_per_failing_finding_with_locations(report: ComplianceReport) -> None:
    run = _sarif(report)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    assert sorted(
        (r["ruleId"], r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"])
        for r in results
    ) == [
        ("sqs_queue_encrypted_with_cmk", QUEUE),
        ("sqs_queue_retention_within_limit", DLQ),
    ]
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in {"error", "warning", "note"}
        assert result["message"]["text"]
        physical = result["locations"][0]["physicalLocation"]
        assert physical["artifactLocation"]["uri"] == "profiles/pci.yaml"
        assert physical["region"]["startLine"] >= 1
        assert result["partialFingerprints"]
    fingerprints = {r["partialFingerprints"]["provisionerFinding/v1"] for r in results}
    assert len(fingerprints) == len(results)


def test_no_results_when_nothing_fails(report: ComplianceReport) -> None:
    from dataclasses import replace

    from provisioner.findings import Status

    passing = replace(report, findings=tuple(f for f in report.findings if f.status != Status.FAIL))
    assert _sarif(passing)["runs"][0]["results"] == []

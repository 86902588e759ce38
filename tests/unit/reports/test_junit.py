"""JUnit: one testcase per control x resource; failures, errors and skips carry the why."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from provisioner.reports import ComplianceReport, render
from tests.unit.reports.conftest import DLQ, KEY, QUEUE, TRAIL


def _cases(report: ComplianceReport) -> tuple[ET.Element, dict[tuple[str, str], ET.Element]]:
    root = ET.fromstring(render(report, "junit"))
    cases = {(c.get("classname", ""), c.get("name", "")): c for c in root.iter("testcase")}
    return root, cases


def test_one_testcase_per_control_and_resource(report: ComplianceReport) -> None:
    root, cases = _cases(report)
    assert len(cases) == len(report.findings) == 6
    suite = root.find("testsuite")
    assert suite is not None
    assert suite.get("tests") == "6"
    assert suite.get("failures") == "2"
    assert suite.get("errors") == "1"
    assert suite.get("skipped") == "2"
    properties = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert properties["account"] == "123456789012"
    assert properties["region"] == "eu-west-1"


def test_failure_carries_message_and_evidence(report: ComplianceReport) -> None:
    _, cases = _cases(report)
    failure = cases[("sqs_queue_retention_within_limit", DLQ)].find("failure")
    assert failure is not None
    assert "above the 345600 s limit" in (failure.get("message") or "")
    assert '"MessageRetentionPeriod": 1209600' in (failure.text or "")


def test_error_waived_na_and_pass(report: ComplianceReport) -> None:
    _, cases = _cases(report)
    error = cases[("kms_key_rotation_enabled", KEY)].find("error")
    assert error is not None and "AccessDenied" in (error.get("message") or "")
    waived = cases[("sqs_queue_dlq_attached", QUEUE)].find("skipped")
    assert waived is not None
    assert "legacy consumer retries itself" in (waived.get("message") or "")
    assert "2027-03-31" in (waived.get("message") or "")
    na = cases[("trail_data_events_sns", TRAIL)].find("skipped")
    assert na is not None and "does not ask for SNS data events" in (na.get("message") or "")
    passed = cases[("sqs_queue_encrypted_with_cmk", DLQ)]
    assert list(passed) == []

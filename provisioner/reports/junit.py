"""JUnit XML for CI dashboards: one testcase per control and resource.

Failures carry the message and the observed evidence; `error` findings become <error>;
waived and not-applicable findings are <skipped> with the reason.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from provisioner.findings import Finding, Status
from provisioner.reports.model import ComplianceReport


def render(report: ComplianceReport) -> str:
    findings = report.public_findings()
    summary = report.summary
    counts = {
        "tests": str(len(findings)),
        "failures": str(summary[Status.FAIL.value]),
        "errors": str(summary[Status.ERROR.value]),
        "skipped": str(summary[Status.WAIVED.value] + summary[Status.NOT_APPLICABLE.value]),
    }
    suites = ET.Element("testsuites", {"name": f"provisioner {report.source}", **counts})
    suite = ET.SubElement(
        suites,
        "testsuite",
        {
            "name": f"{report.source}:{report.stack}",
            "timestamp": report.started_at.isoformat(timespec="seconds"),
            **counts,
        },
    )
    properties = ET.SubElement(suite, "properties")
    for name, value in (
        ("stack", report.stack),
        ("profiles", "+".join(report.profiles)),
        ("environment", report.environment),
        ("account", report.account or ""),
        ("region", report.region),
    ):
        ET.SubElement(properties, "property", {"name": name, "value": value})
    for finding in findings:
        _testcase(suite, finding)
    ET.indent(suites)
    body = ET.tostring(suites, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}'


def _testcase(suite: ET.Element, finding: Finding) -> None:
    case = ET.SubElement(
        suite, "testcase", {"classname": finding.control, "name": finding.resource, "time": "0"}
    )
    if finding.status is Status.FAIL:
        failure = ET.SubElement(
            case, "failure", {"message": finding.message, "type": finding.severity.value}
        )
        failure.text = _details(finding)
    elif finding.status is Status.ERROR:
        error = ET.SubElement(case, "error", {"message": finding.message, "type": "error"})
        error.text = _details(finding)
    elif finding.status is Status.WAIVED:
        waiver = finding.waiver or {}
        reason = (
            f"waived by {waiver.get('owner')} until {waiver.get('expires')}: "
            f"{waiver.get('reason')} ({finding.message})"
        )
        ET.SubElement(case, "skipped", {"message": reason})
    elif finding.status is Status.NOT_APPLICABLE:
        ET.SubElement(case, "skipped", {"message": f"not applicable: {finding.message}"})


def _details(finding: Finding) -> str:
    evidence = json.dumps(dict(finding.evidence), indent=2, sort_keys=True, default=str)
    return f"{finding.message}\n\nseverity: {finding.severity.value}\nevidence:\n{evidence}\n"

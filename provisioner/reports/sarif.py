"""SARIF 2.1.0 for GitHub code scanning: one rule per control, one result per failing finding.

GitHub only accepts results with a physical location, so each result points at the profile
file that asked for the control; the resource itself (its ARN) is the logical location.
"""

from __future__ import annotations

import hashlib
from typing import Any

from provisioner import __version__
from provisioner.findings import FRAMEWORKS, Finding, Severity, Status
from provisioner.render import to_json
from provisioner.reports.model import ComplianceReport, ControlInfo

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"

_LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
}
# GitHub ranks security alerts by this number (critical >= 9.0, high >= 7.0, medium >= 4.0).
_SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
}


def render(report: ComplianceReport) -> str:
    return to_json(sarif_document(report))


def sarif_document(report: ComplianceReport) -> dict[str, Any]:
    findings = report.public_findings()
    controls: dict[str, ControlInfo] = {}
    for finding in findings:
        controls.setdefault(finding.control, report.control_info(finding))
    rule_ids = sorted(controls)
    rule_index = {rule_id: index for index, rule_id in enumerate(rule_ids)}
    artifact = report.profile_files[0] if report.profile_files else _default_profile_file(report)
    results = [
        _result(finding, rule_index[finding.control], artifact, report)
        for finding in findings
        if finding.status is Status.FAIL
    ]
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "provisioner",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": [_rule(controls[rule_id]) for rule_id in rule_ids],
                    }
                },
                "automationDetails": {"id": f"provisioner/{report.source}/{report.stack}/"},
                "artifacts": [{"location": {"uri": artifact}}],
                "results": results,
                "properties": {
                    "stack": report.stack,
                    "profiles": list(report.profiles),
                    "environment": report.environment,
                    "account": report.account,
                    "region": report.region,
                    "started_at": report.started_at.isoformat(),
                    "summary": report.summary,
                },
            }
        ],
    }


def _default_profile_file(report: ComplianceReport) -> str:
    return f"profiles/{report.profiles[0]}.yaml" if report.profiles else "profiles"


def _rule(control: ControlInfo) -> dict[str, Any]:
    frameworks = {name: list(control.frameworks.get(name, ())) for name in FRAMEWORKS}
    help_lines = [control.title]
    if control.description:
        help_lines.append(control.description)
    if control.remediation:
        help_lines.append(f"Remediation: {control.remediation}")
    mapped = [f"{name}: {', '.join(ids)}" for name, ids in frameworks.items() if ids]
    if mapped:
        help_lines.append("Requirements: " + "; ".join(mapped))
    help_text = "\n\n".join(help_lines)
    return {
        "id": control.id,
        "name": _pascal(control.id),
        "shortDescription": {"text": control.title},
        "fullDescription": {"text": control.description or control.title},
        "help": {"text": help_text, "markdown": help_text},
        "defaultConfiguration": {"level": _LEVEL[control.severity]},
        "properties": {
            "frameworks": frameworks,
            "tags": ["security", "compliance", *sorted(n for n, ids in frameworks.items() if ids)],
            "security-severity": _SECURITY_SEVERITY[control.severity],
            "precision": "high",
        },
    }


def _result(
    finding: Finding, index: int, artifact: str, report: ComplianceReport
) -> dict[str, Any]:
    fingerprint = hashlib.sha256(
        f"{report.stack}|{finding.control}|{finding.resource}".encode()
    ).hexdigest()
    return {
        "ruleId": finding.control,
        "ruleIndex": index,
        "level": _LEVEL[finding.severity],
        "message": {"text": f"{finding.resource}: {finding.message}"},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": artifact},
                    "region": {"startLine": 1},
                },
                "logicalLocations": [{"fullyQualifiedName": finding.resource, "kind": "resource"}],
            }
        ],
        "partialFingerprints": {"provisionerFinding/v1": fingerprint},
        "properties": {"evidence": dict(finding.evidence), "severity": finding.severity.value},
    }


def _pascal(control_id: str) -> str:
    return "".join(part.capitalize() for part in control_id.replace("-", "_").split("_"))

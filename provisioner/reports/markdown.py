"""Markdown evidence for auditors: by framework requirement, then control, then resource.

Each resource line shows the status, the observed values and the message; the header says
when, in which account and region the stack was judged.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from provisioner.findings import FRAMEWORKS, Finding, Status
from provisioner.reports.model import ComplianceReport, ordered

FRAMEWORK_TITLES = {
    "pci-dss-4.0": "PCI DSS v4.0",
    "hipaa": "HIPAA Security Rule (45 CFR)",
    "gdpr": "GDPR",
    "nist-800-53-r5": "NIST SP 800-53 Rev. 5 (FedRAMP)",
}


def render(report: ComplianceReport) -> str:
    findings = ordered(report.public_findings())
    lines = [
        f"# Compliance evidence: `{report.stack}`",
        "",
        "| | |",
        "|---|---|",
        f"| Judged | {report.source} |",
        f"| Stack | `{report.stack}` |",
        f"| Profiles | {', '.join(report.profiles)} |",
        f"| Environment | {report.environment} |",
        f"| Account | {report.account or 'n/a'} |",
        f"| Region | {report.region} |",
        f"| Time (UTC) | {report.started_at.isoformat(timespec='seconds')} |",
        "",
        "**Summary:** " + ", ".join(f"{k} {v}" for k, v in report.summary.items()),
        "",
    ]
    for framework in FRAMEWORKS:
        by_requirement: dict[str, list[Finding]] = defaultdict(list)
        for finding in findings:
            for requirement in finding.frameworks.get(framework, ()):
                by_requirement[requirement].append(finding)
        if not by_requirement:
            continue
        lines += [f"## {FRAMEWORK_TITLES.get(framework, framework)}", ""]
        for requirement in sorted(by_requirement, key=_natural):
            lines += [f"### {requirement}", ""]
            lines += _controls(by_requirement[requirement])
    unmapped = [f for f in findings if not any(f.frameworks.get(n) for n in FRAMEWORKS)]
    if unmapped:
        lines += ["## Not mapped to a framework requirement", ""]
        lines += _controls(unmapped)
    waived = [f for f in findings if f.status is Status.WAIVED]
    if waived:
        lines += [
            "## Waivers in force",
            "",
            "| Control | Resource | Owner | Expires | Reason |",
            "|---|---|---|---|---|",
        ]
        for finding in waived:
            waiver = finding.waiver or {}
            lines.append(
                f"| `{finding.control}` | `{_cell(finding.resource)}` | "
                f"{_cell(waiver.get('owner'))} | {_cell(waiver.get('expires'))} | "
                f"{_cell(waiver.get('reason'))} |"
            )
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _controls(findings: Iterable[Finding]) -> list[str]:
    by_control: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        by_control[finding.control].append(finding)
    lines: list[str] = []
    for control in sorted(by_control):
        group = by_control[control]
        lines += [
            f"#### `{control}`: {group[0].title} ({group[0].severity.value})",
            "",
            "| Resource | Status | Observed values | Message |",
            "|---|---|---|---|",
        ]
        for finding in sorted(group, key=lambda f: f.resource):
            lines.append(
                f"| `{_cell(finding.resource)}` | **{finding.status.value}** | "
                f"{_evidence(finding.evidence)} | {_cell(finding.message)} |"
            )
        lines.append("")
    return lines


def _evidence(evidence: Mapping[str, Any]) -> str:
    if not evidence:
        return "n/a"
    parts = [
        f"{key}=`{_cell(value if isinstance(value, str) else json.dumps(value, default=str))}`"
        for key, value in sorted(evidence.items())
    ]
    return "<br>".join(parts)


def _cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ").replace("`", "'")


def _natural(requirement: str) -> list[Any]:
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", requirement)]

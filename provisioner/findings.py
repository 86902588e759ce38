"""The finding: what plan and verify produce and every report renders (design.md contract)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"  # could not judge (collector failed, check raised): never counted as pass
    WAIVED = (
        "waived"  # a failing finding covered by a valid waiver: reported, does not fail the run
    )
    NOT_APPLICABLE = "not_applicable"


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


# Framework keys used in findings and reports.
FRAMEWORKS = ("pci-dss-4.0", "hipaa", "gdpr", "nist-800-53-r5")


@dataclass(frozen=True)
class CheckResult:
    """What a control's pure check function returns for one resource."""

    status: Status
    message: str
    evidence: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Finding:
    """One control judged on one resource (or on the absence of a required one)."""

    control: str
    title: str
    severity: Severity
    resource: str  # the ARN where one exists, else the resource's id or name
    status: Status
    message: str
    evidence: Mapping[str, Any]
    frameworks: Mapping[str, tuple[str, ...]]
    waiver: Mapping[str, Any] | None = None  # reason, owner, expiry when status is WAIVED

    def to_document(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "control": self.control,
            "title": self.title,
            "severity": self.severity.value,
            "resource": self.resource,
            "status": self.status.value,
            "message": self.message,
            "evidence": dict(self.evidence),
            "frameworks": {name: list(self.frameworks.get(name, ())) for name in FRAMEWORKS},
        }
        if self.waiver is not None:
            document["waiver"] = dict(self.waiver)
        return document


def summarize(findings: list[Finding]) -> dict[str, int]:
    summary = {status.value: 0 for status in Status}
    for finding in findings:
        summary[finding.status.value] += 1
    return summary

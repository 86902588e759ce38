"""What every report renders: the run's context and its findings, with secrets scrubbed."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from provisioner.findings import Finding, Severity, Status, summarize

SCHEMA_VERSION = 1
REDACTED = "***redacted***"

# Evidence keys whose values are never printed, whatever a collector put there.
_SECRET_KEY = re.compile(
    r"secret|password|passphrase|token|private.?key|credential|access.?key", re.IGNORECASE
)
# AWS access key ids and anything shaped like a 40-character secret access key.
# (mixed case, so hex digests and names stay readable).
_SECRET_VALUE = re.compile(
    r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"
    r"|(?<![A-Za-z0-9/+])(?=[A-Za-z0-9/+]{0,39}[A-Z])(?=[A-Za-z0-9/+]{0,39}[a-z])"
    r"[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])"
)


@dataclass(frozen=True)
class ControlInfo:
    """Prose about a control for reports that describe rules (SARIF help, markdown)."""

    id: str
    title: str
    severity: Severity
    description: str = ""
    remediation: str = ""
    frameworks: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class ComplianceReport:
    """One judged run (a plan or a verify) of one stack."""

    source: str  # "plan" or "verify"
    stack: str
    profiles: tuple[str, ...]
    environment: str
    account: str | None
    region: str
    started_at: dt.datetime
    findings: tuple[Finding, ...]
    controls: Mapping[str, ControlInfo] = field(default_factory=dict)
    profile_files: tuple[str, ...] = ()  # repository-relative paths, for SARIF locations

    @property
    def summary(self) -> dict[str, int]:
        return summarize(list(self.findings))

    def public_findings(self) -> list[Finding]:
        """The findings as reports may show them: secret-looking evidence scrubbed."""
        return [
            replace(f, evidence=_scrub(dict(f.evidence)), message=_scrub_text(f.message))
            for f in self.findings
        ]

    def control_info(self, finding: Finding) -> ControlInfo:
        known = self.controls.get(finding.control)
        if known is not None:
            return known
        return ControlInfo(
            id=finding.control,
            title=finding.title,
            severity=finding.severity,
            frameworks=finding.frameworks,
        )

    def to_document(self) -> dict[str, Any]:
        """The JSON contract of verify (and of plan's "findings")."""
        return {
            "schema_version": SCHEMA_VERSION,
            "stack": self.stack,
            "profiles": list(self.profiles),
            "environment": self.environment,
            "account": self.account,
            "region": self.region,
            "started_at": self.started_at.isoformat(),
            "summary": self.summary,
            "findings": [f.to_document() for f in self.public_findings()],
        }


STATUS_ORDER = (Status.FAIL, Status.ERROR, Status.WAIVED, Status.PASS, Status.NOT_APPLICABLE)


def ordered(findings: list[Finding]) -> list[Finding]:
    """Worst first, then by control and resource, so reports read and diff the same way."""
    rank = {status: index for index, status in enumerate(STATUS_ORDER)}
    return sorted(findings, key=lambda f: (rank[f.status], f.control, f.resource))


def _scrub(value: Any, key: str = "") -> Any:
    if key and _SECRET_KEY.search(key):
        return REDACTED
    if isinstance(value, Mapping):
        return {k: _scrub(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(v) for v in value]
    if isinstance(value, str):
        return _scrub_text(value)
    return value


def _scrub_text(text: str) -> str:
    return _SECRET_VALUE.sub(REDACTED, text)

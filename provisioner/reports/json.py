"""JSON: the documented contract (schema_version 1)."""

from __future__ import annotations

from provisioner.render import to_json
from provisioner.reports.model import ComplianceReport


def render(report: ComplianceReport) -> str:
    return to_json(report.to_document())

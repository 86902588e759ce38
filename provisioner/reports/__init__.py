"""Renderers for judged runs: one module per output format, all fed the same report."""

from __future__ import annotations

from importlib import import_module

from provisioner.reports.model import ComplianceReport, ControlInfo

FORMATS = ("table", "json", "junit", "sarif", "markdown")

__all__ = ["FORMATS", "ComplianceReport", "ControlInfo", "render"]


def render(report: ComplianceReport, output: str) -> str:
    """The report as text in `output` format (one of FORMATS)."""
    if output not in FORMATS:
        raise ValueError(f"unknown report format {output!r}")
    module = import_module(f"provisioner.reports.{output}")
    text: str = module.render(report)
    return text

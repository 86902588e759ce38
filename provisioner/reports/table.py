"""Plain-text table for terminals: worst findings first, then a one-line summary.

Findings that need attention (fail, error, waived) get a row each. Passes and not-applicables
are folded into one row per control: a stack of 1,000 queues would otherwise print some 10,000
rows, unreadable and slow to lay out; the json, junit, sarif and markdown reports keep every one.
"""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO
from itertools import groupby

from provisioner.findings import Finding, Status
from provisioner.reports.model import ComplianceReport, ordered

WIDTH = 200
FOLDED = frozenset({Status.PASS, Status.NOT_APPLICABLE})


def render(report: ComplianceReport) -> str:
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    title = (
        f"{report.source} {report.stack}  account {report.account or 'n/a'}  "
        f"region {report.region}  {report.started_at.isoformat(timespec='seconds')}"
    )
    grid = Table(title=title, box=box.SIMPLE_HEAD, header_style="bold")
    grid.add_column("STATUS", no_wrap=True)
    grid.add_column("SEVERITY", no_wrap=True)
    grid.add_column("CONTROL", no_wrap=True)
    # ARNs stay on one line so they can be copied; the message folds instead.
    grid.add_column("RESOURCE", no_wrap=True)
    grid.add_column("MESSAGE", overflow="fold", min_width=30)
    for cells in _rows(ordered(report.public_findings())):
        grid.add_row(*(Text(cell) for cell in cells))  # Text: a "[...]" is data, not markup
    buffer = StringIO()
    Console(file=buffer, width=WIDTH, no_color=True, force_terminal=False).print(grid)
    summary = "  ".join(f"{status}: {count}" for status, count in report.summary.items())
    text = "\n".join(line.rstrip() for line in buffer.getvalue().strip("\n").splitlines())
    return f"{text}\n\n{summary}"


def _rows(findings: list[Finding]) -> Iterator[tuple[str, ...]]:
    """STATUS, SEVERITY, CONTROL, RESOURCE, MESSAGE per row, folding passes per control."""
    for (status, _control), group in groupby(findings, key=lambda f: (f.status, f.control)):
        members = list(group)
        first = members[0]
        if status not in FOLDED or len(members) == 1:
            for finding in members:
                yield (*_labels(finding), finding.resource, _message(finding))
            continue
        messages = {finding.message for finding in members}
        message = messages.pop() if len(messages) == 1 else "each in the json or markdown report"
        yield (*_labels(first), f"{len(members)} resources", message)


def _labels(finding: Finding) -> tuple[str, str, str]:
    return finding.status.value.upper(), finding.severity.value, finding.control


def _message(finding: Finding) -> str:
    if finding.waiver:
        waiver = finding.waiver
        return f"{finding.message} [waived until {waiver.get('expires')}: {waiver.get('reason')}]"
    return finding.message

"""Plain-text table for terminals: worst findings first, then a one-line summary."""

from __future__ import annotations

from io import StringIO

from provisioner.findings import Finding
from provisioner.reports.model import ComplianceReport, ordered

WIDTH = 200


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
    for finding in ordered(report.public_findings()):
        # Text, not str: a "[...]" in a message is data, not rich markup.
        grid.add_row(
            *(
                Text(cell)
                for cell in (
                    finding.status.value.upper(),
                    finding.severity.value,
                    finding.control,
                    finding.resource,
                    _message(finding),
                )
            )
        )
    buffer = StringIO()
    Console(file=buffer, width=WIDTH, no_color=True, force_terminal=False).print(grid)
    summary = "  ".join(f"{status}: {count}" for status, count in report.summary.items())
    text = "\n".join(line.rstrip() for line in buffer.getvalue().strip("\n").splitlines())
    return f"{text}\n\n{summary}"


def _message(finding: Finding) -> str:
    if finding.waiver:
        waiver = finding.waiver
        return f"{finding.message} [waived until {waiver.get('expires')}: {waiver.get('reason')}]"
    return finding.message

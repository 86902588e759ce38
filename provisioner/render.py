"""Writing command output: stdout, and optionally the same text to a report file."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import typer

from provisioner.errors import BadInputError


def to_json(document: Any) -> str:
    return json.dumps(document, indent=2, sort_keys=False, default=str)


def emit(text: str, report_file: Path | None = None) -> None:
    """Print `text` on stdout and, when asked, write the same text to `report_file`."""
    if report_file is not None:
        try:
            report_file.parent.mkdir(parents=True, exist_ok=True)
            report_file.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        except OSError as error:
            raise BadInputError(
                f"--report-file {report_file}: cannot write: {error.strerror}"
            ) from None
    typer.echo(text)


def table(
    headers: Sequence[str], rows: Sequence[Sequence[object]], title: str | None = None
) -> str:
    """Render a plain-text table (rich, imported here so start-up stays light)."""
    from io import StringIO

    from rich import box
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    # Cells are data, never markup: a value such as "[secret]" must print as written.
    grid = Table(
        title=None if title is None else escape(title),
        box=box.SIMPLE_HEAD,
        show_lines=False,
        header_style="bold",
    )
    for header in headers:
        grid.add_column(escape(header), overflow="fold")
    for row in rows:
        grid.add_row(*("" if cell is None else escape(str(cell)) for cell in row))
    buffer = StringIO()
    Console(file=buffer, width=160, no_color=True, force_terminal=False).print(grid)
    return buffer.getvalue().rstrip("\n")

"""`provisioner controls list`: the control catalog, per profile and per framework."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from provisioner.commands._options import ProfilesDirOpt, ReportFileOpt


class ListFormat(StrEnum):
    table = "table"
    json = "json"
    markdown = "markdown"


ProfileFilterOpt = Annotated[
    list[str],
    typer.Option(
        "--profile",
        "-p",
        metavar="NAME",
        help="Only the controls this profile applies; repeat to combine profiles.",
        show_default=False,
    ),
]
FrameworkOpt = Annotated[
    str | None,
    typer.Option(
        "--framework",
        "-f",
        metavar="FRAMEWORK",
        help="Only controls mapped to this framework: pci-dss-4.0, hipaa, gdpr, nist-800-53-r5.",
    ),
]


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    controls_app = typer.Typer(help="List the compliance controls.", no_args_is_help=True)

    @controls_app.command("list")
    def list_controls(
        profile: ProfileFilterOpt = [],  # noqa: B006 - typer needs a list default
        framework: FrameworkOpt = None,
        profiles_dir: ProfilesDirOpt = None,
        output: Annotated[ListFormat, typer.Option("--output", "-o")] = ListFormat.table,
        report_file: ReportFileOpt = None,
    ) -> None:
        """List the controls (id, severity, kind, title, framework requirements)."""
        from provisioner.controls.listing import (
            listing_document,
            render_markdown,
            select_controls,
            table_rows,
        )
        from provisioner.render import emit, table, to_json

        controls = select_controls(profile, framework, profiles_dir)
        if output is ListFormat.json:
            emit(to_json(listing_document(controls, profile, framework)), report_file)
        elif output is ListFormat.markdown:
            emit(render_markdown(controls, profile, framework), report_file)
        else:
            last = f"{framework} requirements" if framework else "frameworks"
            rows = table_rows(controls, framework)
            emit(table(("control", "severity", "kind", "title", last), rows), report_file)

    app.add_typer(controls_app, name="controls")

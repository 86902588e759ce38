"""`provisioner profiles list|show`: what the shipped and user profiles require."""

from __future__ import annotations

from typing import Annotated

import typer

from provisioner.commands._options import ProfilesDirOpt, ReportFileOpt, TableOrJson


def register(app: typer.Typer) -> None:
    profiles_app = typer.Typer(help="List and inspect compliance profiles.", no_args_is_help=True)

    @profiles_app.command("list")
    def list_profiles(
        profiles_dir: ProfilesDirOpt = None,
        output: Annotated[TableOrJson, typer.Option("--output", "-o")] = TableOrJson.table,
        report_file: ReportFileOpt = None,
    ) -> None:
        """List the profiles that can be passed to --profile."""
        from provisioner.profiles import ProfileCatalog
        from provisioner.render import emit, table, to_json

        catalog = ProfileCatalog(user_dir=profiles_dir)
        profiles = [catalog.load(name) for name in catalog.names()]
        if output is TableOrJson.json:
            emit(
                to_json(
                    [
                        {
                            "name": p.name,
                            "title": p.title,
                            "extends": p.extends,
                            "frameworks": list(p.frameworks),
                            "path": str(p.path),
                        }
                        for p in profiles
                    ]
                ),
                report_file,
            )
            return
        rows = [(p.name, p.title, p.extends or "", ", ".join(p.frameworks)) for p in profiles]
        emit(table(("profile", "title", "extends", "frameworks"), rows), report_file)

    @profiles_app.command("show")
    def show_profile(
        name: Annotated[str, typer.Argument(help="Profile name, e.g. pci.")],
        profiles_dir: ProfilesDirOpt = None,
        output: Annotated[TableOrJson, typer.Option("--output", "-o")] = TableOrJson.table,
        report_file: ReportFileOpt = None,
    ) -> None:
        """Show a profile's resolved parameters with where each value comes from."""
        from provisioner.profiles import ProfileCatalog
        from provisioner.render import emit, table, to_json

        document = ProfileCatalog(user_dir=profiles_dir).load(name).to_document()
        if output is TableOrJson.json:
            emit(to_json(document), report_file)
            return
        rows = [
            (
                path,
                _format_value(param["value"]),
                param["basis"] or "",
                param["profile"] or "",
                param["source"] or "",
            )
            for path, param in document["parameters"].items()
        ]
        title = f"{document['name']}: {document['title']}"
        emit(table(("parameter", "value", "basis", "set by", "source"), rows, title), report_file)

    app.add_typer(profiles_app, name="profiles")


def _format_value(value: object) -> str:
    if value is None:
        return "(no limit)"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)

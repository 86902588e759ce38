"""`provisioner plan`: the resources a stack would have, computed offline under Pulumi mocks."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from provisioner.commands._options import (
    EnvironmentsDirOpt,
    EnvOpt,
    ProfilesDirOpt,
    ProfilesOpt,
    RegionOpt,
    ReportFileOpt,
    ReportFormat,
)
from provisioner.commands.verify import WaiversOpt

if TYPE_CHECKING:
    from provisioner.planning import Plan
    from provisioner.profiles import StackTarget
    from provisioner.reports.model import ComplianceReport


PLAN_CACHE_DIR = Path(".provisioner") / "cache"


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""

    @app.command("plan")
    def plan(
        profiles: ProfilesOpt,
        env: EnvOpt,
        region: RegionOpt = None,
        profiles_dir: ProfilesDirOpt = None,
        environments_dir: EnvironmentsDirOpt = None,
        output: Annotated[
            ReportFormat, typer.Option("--output", "-o", help="Output format.")
        ] = ReportFormat.table,
        report_file: ReportFileOpt = None,
        waivers: WaiversOpt = None,
        cache: Annotated[
            bool,
            typer.Option(
                "--cache/--no-cache",
                help="Reuse a plan computed for the same target, code and SDK versions "
                "(kept under .provisioner/cache).",
            ),
        ] = True,
    ) -> None:
        """Plan the stack offline and list its resources (no Pulumi CLI, credentials or network)."""
        from provisioner.planning import run_plan
        from provisioner.profiles import resolve_target
        from provisioner.render import emit, to_json

        target = resolve_target(
            profiles,
            env,
            region,
            profiles_dir=profiles_dir,
            environments_dir=environments_dir,
        )
        planned = run_plan(target, cache_dir=PLAN_CACHE_DIR if cache else None)
        # Plan gate (issue 3): judge the planned inventory with the profile's controls.
        report = _judge(planned, target, waivers, profiles_dir)
        if output is ReportFormat.json:
            emit(to_json({**plan_document(planned), **_findings_document(report)}), report_file)
        elif output is ReportFormat.table:
            # the verdict last, where the terminal leaves the eye
            emit(f"{plan_table(planned)}\n\n{_render(report, 'table')}", report_file)
        else:
            emit(_render(report, output.value), report_file)
        raise typer.Exit(_exit_code(report))


def plan_document(plan: Plan) -> dict[str, Any]:
    """The `--output json` document: the target and each resource as registered."""
    return {
        "stack": plan.stack,
        "profiles": list(plan.profiles),
        "environment": plan.environment,
        "region": plan.region,
        "resources": [
            {
                "type": resource.type,
                "name": resource.name,
                "parent": resource.parent,
                "inputs": resource.inputs,
            }
            for resource in plan.resources
        ],
    }


def plan_table(plan: Plan) -> str:
    """Resources indented under their components, then one count line."""
    from provisioner.render import table

    children: dict[str | None, list[Any]] = {}
    for resource in plan.resources:
        children.setdefault(resource.parent, []).append(resource)
    rows: list[tuple[str, str]] = []

    def walk(parent: str | None, depth: int) -> None:
        for resource in children.get(parent, []):
            rows.append(("  " * depth + resource.name, resource.type))
            walk(resource.name, depth + 1)

    walk(None, 0)
    title = (
        f"plan {plan.stack}: profiles {'+'.join(plan.profiles)}, "
        f"environment {plan.environment}, region {plan.region}"
    )
    return f"{table(('resource', 'type'), rows, title)}\n{plan_count_line(plan)}"


def plan_count_line(plan: Plan) -> str:
    aws_resources = sum(1 for r in plan.resources if r.custom and r.type.startswith("aws:"))
    components = sum(1 for r in plan.resources if not r.custom)
    return (
        f"{len(plan.resources)} resources planned: {aws_resources} AWS resources "
        f"in {components} components"
    )


# -- plan gate (issue 3): the same controls and waivers as verify, over the planned inventory --


def _judge(
    planned: Plan, target: StackTarget, waivers: Path | None, profiles_dir: Path | None
) -> ComplianceReport:
    from provisioner.verify import judge_plan
    from provisioner.waivers import load_waivers

    waiver_file = load_waivers(waivers) if waivers is not None else None
    return judge_plan(planned, target, waiver_file, profiles_dir=profiles_dir)


def _findings_document(report: ComplianceReport) -> dict[str, Any]:
    """What plan's JSON gains: the summary and the findings, in verify's shape."""
    document = report.to_document()
    return {"summary": document["summary"], "findings": document["findings"]}


def _render(report: ComplianceReport, output: str) -> str:
    from provisioner.reports import render

    return render(report, output)


def _exit_code(report: ComplianceReport) -> int:
    from provisioner.verify import exit_code_for

    return int(exit_code_for(report.findings))

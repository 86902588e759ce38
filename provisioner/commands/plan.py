"""`provisioner plan`: the resources a stack would have, computed offline under Pulumi mocks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from provisioner.commands._options import (
    EnvironmentsDirOpt,
    EnvOpt,
    ProfilesDirOpt,
    ProfilesOpt,
    RegionOpt,
    ReportFileOpt,
    TableOrJson,
)

if TYPE_CHECKING:
    from provisioner.planning import Plan


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
            TableOrJson, typer.Option("--output", "-o", help="Output format.")
        ] = TableOrJson.table,
        report_file: ReportFileOpt = None,
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
        planned = run_plan(target)
        if output is TableOrJson.json:
            emit(to_json(plan_document(planned)), report_file)
        else:
            emit(plan_table(planned), report_file)


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

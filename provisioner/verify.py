"""Post-deploy verification: live inventory -> controls -> waivers -> a compliance report.

The same controls judge the plan; only the inventory's source differs. AWS out of reach (no
credentials, endpoint down before or during the read) is an OperationError: one line, exit 3.
A collector that fails on its own makes its controls `error`, which also ends in exit 3 unless
something failed outright.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from provisioner.errors import ExitCode
from provisioner.findings import Finding, Status
from provisioner.reports.model import ComplianceReport, ControlInfo
from provisioner.waivers import WaiverFile, apply_waivers

if TYPE_CHECKING:
    import boto3

    from provisioner.controls._types import Control
    from provisioner.inventory.models import Inventory
    from provisioner.planning import Plan
    from provisioner.profiles import StackTarget


def exit_code_for(findings: Iterable[Finding]) -> ExitCode:
    """0 compliant, 1 any failure, 3 when something could not be judged and nothing failed."""
    statuses = {finding.status for finding in findings}
    if Status.FAIL in statuses:
        return ExitCode.FINDINGS
    if Status.ERROR in statuses:
        return ExitCode.FAILED
    return ExitCode.OK


@dataclass(frozen=True)
class VerifyRequest:
    target: StackTarget
    endpoint_url: str | None = None
    waivers: WaiverFile | None = None
    profiles_dir: Path | None = None
    # ARNs from the stack's state (its outputs) when at hand; otherwise discovery by tags.
    output_arns: tuple[str, ...] | None = None


def verify(
    request: VerifyRequest,
    *,
    session: boto3.Session | None = None,
    now: dt.datetime | None = None,
) -> ComplianceReport:
    """Judge the live stack of `request.target`. Raises OperationError when AWS is out of reach."""
    import boto3

    from provisioner.controls import controls_for, evaluate
    from provisioner.inventory.live import collect_live

    target = request.target
    started_at = now or dt.datetime.now(dt.UTC)
    session = session or boto3.Session(region_name=target.region)
    # Raises OperationError (exit 3, one line) when AWS is unreachable, before or during reading.
    inventory = collect_live(
        session,
        target.region,
        target.stack_name,
        endpoint_url=request.endpoint_url,
        output_arns=list(request.output_arns) if request.output_arns else None,
    )
    controls = controls_for(target.profile)
    findings = evaluate(controls, inventory, target.parameters)
    return judged_report(
        "verify",
        target,
        inventory.account,
        findings,
        controls,
        request.waivers,
        started_at,
        profiles_dir=request.profiles_dir,
    )


def arns_in_outputs(outputs: Mapping[str, Any]) -> tuple[str, ...]:
    """Every ARN among stack output values (strings, lists and maps of them), in order."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str):
            if value.startswith("arn:") and value not in found:
                found.append(value)
        elif isinstance(value, Mapping):
            for item in value.values():
                walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)

    walk(dict(outputs))
    return tuple(found)


def judged_report(
    source: str,
    target: StackTarget,
    account: str | None,
    findings: Sequence[Finding],
    controls: Sequence[Control],
    waivers: WaiverFile | None,
    started_at: dt.datetime,
    *,
    profiles_dir: Path | None = None,
) -> ComplianceReport:
    """Apply waivers and wrap the findings with the run's context (shared by plan and verify)."""
    judged = apply_waivers(findings, waivers, started_at.date())
    return ComplianceReport(
        source=source,
        stack=target.stack_name,
        profiles=target.profile_names,
        environment=target.environment.name,
        account=account,
        region=target.region,
        started_at=started_at,
        findings=tuple(judged),
        controls={c.id: _control_info(c) for c in controls},
        profile_files=profile_files(target.profile_names, profiles_dir),
    )


def judge_plan(
    plan: Plan,
    target: StackTarget,
    waivers: WaiverFile | None = None,
    *,
    now: dt.datetime | None = None,
    profiles_dir: Path | None = None,
) -> ComplianceReport:
    """The plan gate: the planned inventory judged by the same controls as the live stack."""
    from provisioner.inventory.plan import inventory_from_plan

    inventory = inventory_from_plan(plan, stack=target.stack_name)
    return judge_inventory(
        "plan",
        target,
        inventory,
        waivers,
        now or dt.datetime.now(dt.UTC),
        profiles_dir=profiles_dir,
    )


def judge_inventory(
    source: str,
    target: StackTarget,
    inventory: Inventory,
    waivers: WaiverFile | None,
    started_at: dt.datetime,
    *,
    profiles_dir: Path | None = None,
) -> ComplianceReport:
    """Judge an inventory already at hand (the plan's) with the target's controls."""
    from provisioner.controls import controls_for, evaluate

    controls = controls_for(target.profile)
    findings = evaluate(controls, inventory, target.parameters)
    return judged_report(
        source,
        target,
        inventory.account,
        findings,
        controls,
        waivers,
        started_at,
        profiles_dir=profiles_dir,
    )


def _control_info(control: Control) -> ControlInfo:
    return ControlInfo(
        id=control.id,
        title=control.title,
        severity=control.severity,
        description=control.description,
        remediation=control.remediation,
        frameworks=control.frameworks,
    )


def profile_files(names: Sequence[str], profiles_dir: Path | None) -> tuple[str, ...]:
    """Where each profile is defined, relative to the working directory when it is inside it."""
    from provisioner.profiles import ProfileCatalog, builtin_profiles_dir

    try:
        files = ProfileCatalog(user_dir=profiles_dir).files()
    except Exception:  # the target resolved already; a location is only a nicety for SARIF
        files = {}
    located: list[str] = []
    for name in names:
        path = files.get(name)
        if path is None:
            located.append(f"profiles/{name}.yaml")
            continue
        try:
            located.append(path.resolve().relative_to(Path.cwd().resolve()).as_posix())
        except ValueError:
            builtin = builtin_profiles_dir().resolve()
            inside_builtin = path.resolve().is_relative_to(builtin)
            located.append(f"profiles/{path.name}" if inside_builtin else path.as_posix())
    return tuple(located)

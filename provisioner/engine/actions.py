"""The stack use cases behind `preview`, `up`, `refresh`, `destroy` and `outputs`.

The commands parse flags into a `StackRequest` and call one function here; this module resolves
the target, the settings and the emulator endpoint, runs the gates (offline plan before `up`,
policy pack inside preview/up), drives the engine and hands back results for rendering.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from provisioner.engine.operations import (
    Operation,
    OperationResult,
    public_outputs,
    read_outputs,
    run_operation,
)
from provisioner.engine.progress import make_progress
from provisioner.engine.settings import EngineSettings, resolve_settings
from provisioner.engine.workspace import Program, pulumi_command
from provisioner.errors import BadInputError, ExitCode, OperationError, ProvisionerError

if TYPE_CHECKING:
    from pulumi import automation as auto

    from provisioner.findings import Finding
    from provisioner.profiles import StackTarget


@dataclass(frozen=True)
class StackRequest:
    """What the user asked for, as parsed from the command line."""

    profiles: tuple[str, ...]
    env: str
    region: str | None = None
    profiles_dir: Path | None = None
    environments_dir: Path | None = None
    backend: str | None = None
    secrets_provider: str | None = None
    endpoint_url: str | None = None
    sandbox: bool = False


class PlanGateError(ProvisionerError):
    """The offline plan breaks controls of the profile: nothing is deployed (exit 1)."""

    exit_code = ExitCode.FINDINGS

    def __init__(self, stack: str, failing: list[Finding]) -> None:
        controls = sorted({finding.control for finding in failing})
        super().__init__(
            f"up {stack} refused: the plan fails {len(controls)} control(s): "
            + ", ".join(controls),
            hint=f"run `provisioner plan` for the findings ({len(failing)} failing resource(s))",
        )
        self.failing = failing


# Replaced by tests with a fake `PulumiCommand` factory; None builds the real CLI handle.
CommandFactory = Callable[[], "auto.PulumiCommand"]
command_factory: CommandFactory | None = None


def _command() -> auto.PulumiCommand | None:
    return command_factory() if command_factory is not None else None


def resolve(request: StackRequest) -> tuple[StackTarget, EngineSettings]:
    from provisioner import sandbox
    from provisioner.profiles import resolve_target

    target = resolve_target(
        list(request.profiles),
        request.env,
        request.region,
        profiles_dir=request.profiles_dir,
        environments_dir=request.environments_dir,
    )
    if request.sandbox and request.endpoint_url:
        raise BadInputError("--sandbox and --endpoint-url: pass one of them, not both")
    settings = resolve_settings(
        backend=request.backend,
        secrets_provider=request.secrets_provider,
        endpoint_url=request.endpoint_url,
    )
    if request.sandbox:
        settings = resolve_settings(
            backend=request.backend,
            secrets_provider=request.secrets_provider,
            endpoint_url=sandbox.endpoint(settings.work_dir),
        )
    return target, settings


def make_program(target: StackTarget, settings: EngineSettings) -> Program:
    build: Callable[..., Program] = _part("provisioner.program", "make_program")
    return build(target, endpoint_url=settings.endpoint_url)


def _part(module: str, name: str) -> Any:
    """A function from another part of the application, or exit 3 naming what is missing."""
    import importlib

    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as error:
        raise OperationError(f"{module}.{name} is not available: {error}") from None


def ensure_aws_credentials(settings: EngineSettings) -> None:
    """Exit 3 before starting the engine when no AWS credentials can be found at all."""
    if settings.endpoint_url is not None:
        return  # the program gives the emulator its own dummy credentials
    import boto3

    if boto3.Session().get_credentials() is None:
        raise OperationError(
            "no AWS credentials found",
            hint="configure them (aws configure, AWS_PROFILE, or an instance role), "
            "or deploy to the local emulator with --sandbox",
        )


def policy_packs() -> list[Path]:
    """The CrossGuard pack passed to preview and up; missing pieces are exit 3."""
    from provisioner.policy import pack_dir

    directory = pack_dir()
    if directory is None:
        raise OperationError(
            "the policy pack directory (policy_pack/) was not found",
            hint="set PROVISIONER_POLICY_PACK to its path",
        )
    if importlib.util.find_spec("pulumi_policy") is None:
        raise OperationError(
            "the policy pack needs pulumi-policy, which is not installed",
            hint=f"pip install --no-deps -r {directory / 'requirements.txt'}",
        )
    return [directory]


def policy_target_env(target: StackTarget, request: StackRequest) -> dict[str, str]:
    """Tell the policy pack (a separate process) which target it judges; nothing secret."""
    from provisioner.policy import TARGET_ENV

    document = {
        "profiles": list(target.profile_names),
        "environment": target.environment.name,
        "region": target.region,
        "profiles_dir": str(request.profiles_dir.resolve()) if request.profiles_dir else None,
        "environments_dir": str((request.environments_dir or Path("environments")).resolve()),
    }
    return {TARGET_ENV: json.dumps(document), "PULUMI_PYTHON_CMD": sys.executable}


def plan_gate(target: StackTarget) -> list[Finding]:
    """The offline plan judged by the profile's controls: the failing findings."""
    from provisioner.findings import Status

    run_plan = _part("provisioner.planning", "run_plan")
    inventory_from_plan = _part("provisioner.inventory.plan", "inventory_from_plan")
    controls_for = _part("provisioner.controls", "controls_for")
    evaluate = _part("provisioner.controls", "evaluate")
    inventory = inventory_from_plan(run_plan(target))
    findings: list[Finding] = evaluate(controls_for(target.profile), inventory, target.parameters)
    return [f for f in findings if f.status in (Status.FAIL, Status.ERROR)]


def run_stack_operation(
    operation: Operation,
    request: StackRequest,
    *,
    progress_stream: IO[str],
    live: bool | None = None,
) -> OperationResult:
    """preview | up | refresh | destroy for the requested target (destroy checks come first)."""
    target, settings = resolve(request)
    return execute(operation, target, settings, request, progress_stream=progress_stream, live=live)


def execute(
    operation: Operation,
    target: StackTarget,
    settings: EngineSettings,
    request: StackRequest,
    *,
    progress_stream: IO[str],
    live: bool | None = None,
) -> OperationResult:
    packs: list[Path] = []
    if operation is Operation.up:
        failing = plan_gate(target)
        if failing:
            raise PlanGateError(target.stack_name, failing)
    if operation in (Operation.preview, Operation.up):
        packs = policy_packs()
        settings = _with_env(settings, policy_target_env(target, request))
    command = _command() or pulumi_command()  # a missing CLI is reported before credentials
    if operation is not Operation.destroy:
        ensure_aws_credentials(settings)
    title = f"{operation.value} {target.stack_name}"
    progress = make_progress(title, progress_stream, settings.secret_values(), live=live)
    return run_operation(
        operation,
        target,
        settings,
        program=make_program(target, settings),
        progress=progress,
        command=command,
        policy_packs=packs,
    )


def _with_env(settings: EngineSettings, extra: dict[str, str]) -> EngineSettings:
    from dataclasses import replace

    return replace(settings, extra_env={**settings.extra_env, **extra})


def stack_outputs(request: StackRequest, *, show_secrets: bool) -> dict[str, Any]:
    target, settings = resolve(request)
    outputs = read_outputs(target, settings, command=_command())
    if show_secrets:
        return {name: out.value for name, out in outputs.items()}
    return public_outputs(outputs)


def state_output_arns(target: StackTarget, *, backend: str | None = None) -> tuple[str, ...]:
    """The ARNs among the stack's outputs in its state backend: the resources it deployed.

    Exit 2 when the backend has no such stack, 3 when its outputs name no resource (nothing is
    deployed, or the state predates the outputs): judging by tags instead must be asked for.
    """
    from provisioner.verify import arns_in_outputs

    settings = resolve_settings(backend=backend)
    outputs = public_outputs(read_outputs(target, settings, command=_command()))
    arns = arns_in_outputs(outputs)
    if not arns:
        raise OperationError(
            f"the state of stack {target.stack_name} on {settings.backend_url} names no resources",
            hint="deploy it with `provisioner up`, or verify without --from-state to find the "
            "stack's resources by their provisioner:stack tag",
        )
    return arns


def require_destroy_confirmation(target: StackTarget, *, yes: bool, confirm: str | None) -> None:
    if not yes:
        raise BadInputError(
            f"destroy {target.stack_name} deletes its resources: pass --yes to confirm"
        )
    if target.environment.protect and confirm != target.stack_name:
        raise BadInputError(
            f"environment {target.environment.name} is protected: pass "
            f"--confirm {target.stack_name} to destroy stack {target.stack_name}",
            hint="protected resources (keys, audit bucket, trail) are kept either way",
        )


@dataclass(frozen=True)
class Verdict:
    """The post-deploy verification, rendered, and the exit code it implies."""

    exit_code: int
    text: str
    document: dict[str, Any]


def verify_live(
    target: StackTarget,
    settings: EngineSettings,
    request: StackRequest,
    *,
    output: str,
    stack_outputs: dict[str, Any] | None = None,
) -> Verdict:
    """Run `verify` against the stack just deployed (same endpoint as the deploy).

    The deploy's outputs are the stack's state at hand: their ARNs scope the collectors, so the
    resources judged are the ones this deploy made, not whatever else carries the stack's tags.
    """
    from provisioner import reports
    from provisioner.verify import VerifyRequest, arns_in_outputs, exit_code_for, verify

    report = verify(
        VerifyRequest(
            target=target,
            endpoint_url=settings.endpoint_url,
            profiles_dir=request.profiles_dir,
            output_arns=arns_in_outputs(stack_outputs or {}) or None,
        )
    )
    text = reports.render(report, "table") if output != "json" else ""
    document: dict[str, Any] = json.loads(reports.render(report, "json"))
    return Verdict(int(exit_code_for(report.findings)), text, document)

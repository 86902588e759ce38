"""preview, up, refresh, destroy and outputs of one stack through the Automation API.

Each operation: open (or create) the stack, set its config and the pinned aws plugin, run with
`color="never"` and our event collector, and map any SDK error to a one-line `ProvisionerError`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from provisioner.engine.errors import map_engine_error
from provisioner.engine.events import EventCollector
from provisioner.engine.progress import Progress
from provisioner.engine.settings import EngineSettings
from provisioner.engine.workspace import Program, StackSession, open_stack, prepare_stack
from provisioner.errors import OperationError, ProvisionerError

if TYPE_CHECKING:
    from pulumi import automation as auto

    from provisioner.profiles import StackTarget

SECRET_MASK = "[secret]"


class Operation(StrEnum):
    preview = "preview"
    up = "up"
    refresh = "refresh"
    destroy = "destroy"


@dataclass(frozen=True)
class OperationResult:
    """What an operation did, for the summary line and `--output json`."""

    operation: str
    stack: str
    result: str
    changes: dict[str, int]
    duration_seconds: float
    outputs: dict[str, Any] = field(default_factory=dict)
    policy_violations: list[dict[str, str | None]] = field(default_factory=list)
    protected_remaining: list[str] = field(default_factory=list)

    def to_document(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "operation": self.operation,
            "stack": self.stack,
            "result": self.result,
            "changes": dict(self.changes),
            "duration_seconds": round(self.duration_seconds, 3),
            "outputs": dict(self.outputs),
            "policy_violations": list(self.policy_violations),
        }
        if self.operation == Operation.destroy:
            document["protected_remaining"] = list(self.protected_remaining)
        return document


def public_outputs(outputs: dict[str, auto.OutputValue]) -> dict[str, Any]:
    """Stack outputs with every secret value replaced by a mask."""
    return {name: SECRET_MASK if out.secret else out.value for name, out in outputs.items()}


def _guarded(
    action: Callable[[], Any],
    *,
    operation: str,
    stack_name: str,
    settings: EngineSettings,
    collector: EventCollector | None = None,
) -> Any:
    try:
        return action()
    except ProvisionerError:
        raise
    except Exception as error:
        raise map_engine_error(
            error,
            operation=operation,
            stack_name=stack_name,
            collected=collector,
            secrets=settings.secret_values(),
        ) from error


def open_prepared(
    target: StackTarget,
    settings: EngineSettings,
    *,
    program: Program | None,
    command: auto.PulumiCommand | None,
    create: bool,
    operation: str,
) -> StackSession:
    def action() -> StackSession:
        session = open_stack(
            target.stack_name, settings, program=program, command=command, create=create
        )
        prepare_stack(session, target)
        return session

    session: StackSession = _guarded(
        action, operation=operation, stack_name=target.stack_name, settings=settings
    )
    return session


def run_operation(
    operation: Operation,
    target: StackTarget,
    settings: EngineSettings,
    *,
    program: Program,
    progress: Progress,
    command: auto.PulumiCommand | None = None,
    policy_packs: Sequence[Path] = (),
) -> OperationResult:
    """Run one engine operation with progress; raises a `ProvisionerError` on failure."""
    session = open_prepared(
        target,
        settings,
        program=program,
        command=command,
        create=operation in (Operation.preview, Operation.up),
        operation=operation.value,
    )
    collector = progress.attach(EventCollector(operation.value, settings.secret_values()))
    stack = session.stack
    packs = [str(path) for path in policy_packs]
    common: dict[str, Any] = {"color": "never", "on_event": collector.on_event}
    started = time.monotonic()

    def action() -> Any:
        if operation is Operation.preview:
            return stack.preview(policy_packs=packs or None, **common)
        if operation is Operation.up:
            return stack.up(policy_packs=packs or None, **common)
        if operation is Operation.refresh:
            return stack.refresh(**common)
        # Protected resources (keys, audit bucket, trail in protected environments) stay; they
        # are listed afterwards, never unprotected behind the user's back.
        return stack.destroy(exclude_protected=True, **common)

    try:
        with progress:
            raw = _guarded(
                action,
                operation=operation.value,
                stack_name=session.name,
                settings=settings,
                collector=collector,
            )
    except KeyboardInterrupt:
        # Ctrl-C kills the CLI mid-update: the lock and pending operations can stay behind.
        raise OperationError(
            f"{operation.value} {session.name} interrupted",
            hint=f"if the stack stays locked: `pulumi cancel --stack {session.name}`, then "
            "`provisioner refresh` to resync state with what was really created",
        ) from None
    outputs: dict[str, Any] = {}
    if operation is Operation.up:
        outputs = public_outputs(raw.outputs)
    remaining: list[str] = []
    if operation is Operation.destroy:
        remaining = _guarded(
            lambda: protected_resources(stack),
            operation=operation.value,
            stack_name=session.name,
            settings=settings,
        )
    summary = getattr(raw, "summary", None)
    result = str(getattr(summary, "result", None) or "succeeded")
    if result != "succeeded":
        raise OperationError(f"{operation.value} {session.name}: the engine reported {result}")
    return OperationResult(
        operation=operation.value,
        stack=session.name,
        result=result,
        changes=collector.changes(),
        duration_seconds=collector.duration_seconds or (time.monotonic() - started),
        outputs=outputs,
        policy_violations=[
            {
                "policy": v.policy_name,
                "enforcement": v.enforcement_level,
                "message": v.message,
                "resource": v.urn,
            }
            for v in collector.policy_violations
        ],
        protected_remaining=remaining,
    )


def protected_resources(stack: auto.Stack) -> list[str]:
    """URNs of resources still in state with `protect` set (what destroy left on purpose)."""
    deployment = stack.export_stack().deployment or {}
    return [
        str(resource.get("urn"))
        for resource in deployment.get("resources", [])
        if resource.get("protect")
    ]


def read_outputs(
    target: StackTarget,
    settings: EngineSettings,
    *,
    command: auto.PulumiCommand | None = None,
) -> dict[str, auto.OutputValue]:
    """The stack's outputs (values and secret flags); an unknown stack is exit 2."""

    def action() -> dict[str, auto.OutputValue]:
        session = open_stack(target.stack_name, settings, command=command, create=False)
        return dict(session.stack.outputs())

    result: dict[str, auto.OutputValue] = _guarded(
        action, operation="outputs", stack_name=target.stack_name, settings=settings
    )
    return result

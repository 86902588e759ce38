"""Collect engine events (they arrive on a background thread) into counts, diagnostics, policy.

The SDK swallows exceptions raised inside `on_event` callbacks (pulumi.md 0.9), so `on_event` here
never raises: a listener that fails is logged and the run goes on.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pulumi.automation import EngineEvent

log = logging.getLogger(__name__)

_MARKUP = re.compile(r"<\{%[^%]*%\}>")

CHANGE_KINDS = ("created", "updated", "replaced", "deleted", "failed")
_KIND_OF_OP = {
    "create": "created",
    "import": "created",
    "update": "updated",
    "replace": "replaced",
    "delete": "deleted",
    "discard": "deleted",
}
_VERB_OF_OP = {
    "create": "creating",
    "import": "importing",
    "update": "updating",
    "replace": "replacing",
    "create-replacement": "creating replacement",
    "delete": "deleting",
    "delete-replaced": "deleting replaced",
    "discard": "discarding",
    "refresh": "refreshing",
    "read": "reading",
}


@dataclass(frozen=True)
class ResourceStep:
    """One step the engine started or finished: `op` on a resource."""

    op: str
    type: str
    name: str
    urn: str

    @property
    def verb(self) -> str:
        return _VERB_OF_OP.get(self.op, self.op)

    @property
    def label(self) -> str:
        return f"{self.type} {self.name}"


@dataclass(frozen=True)
class Diagnostic:
    severity: str
    message: str
    urn: str | None


@dataclass(frozen=True)
class PolicyViolation:
    policy_pack: str
    policy_name: str
    enforcement_level: str
    message: str
    urn: str | None


@dataclass
class EventCollector:
    """Thread-safe tally of one operation's engine events, plus listeners for live display."""

    operation: str
    secrets: tuple[str, ...] = ()
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CHANGE_KINDS, 0))
    in_flight: dict[str, ResourceStep] = field(default_factory=dict)
    failed_steps: list[ResourceStep] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    policy_violations: list[PolicyViolation] = field(default_factory=list)
    summary_changes: dict[str, int] | None = None
    duration_seconds: float | None = None
    started: float = field(default_factory=time.monotonic)
    listeners: list[Callable[[EventCollector, str, object], None]] = field(default_factory=list)
    _seen: set[int] = field(default_factory=set)
    _lock: threading.RLock = field(default_factory=threading.RLock)

    def on_event(self, event: EngineEvent) -> None:
        """The `on_event` callback handed to the SDK; never raises."""
        try:
            with self._lock:
                self._record(event)
        except Exception:  # the SDK would swallow it silently; say so instead
            log.exception("could not process an engine event")

    def _record(self, event: EngineEvent) -> None:
        if event.sequence and event.sequence in self._seen:
            return
        self._seen.add(event.sequence)
        if event.resource_pre_event is not None:
            step = _step(event.resource_pre_event.metadata)
            if step.op not in ("same", "read") and not event.resource_pre_event.planning:
                self.in_flight[step.urn] = step
            self._notify("start", step)
        elif event.res_outputs_event is not None:
            step = _step(event.res_outputs_event.metadata)
            self.in_flight.pop(step.urn, None)
            kind = _KIND_OF_OP.get(step.op)
            if kind is not None:
                self.counts[kind] += 1
            self._notify("done", step)
        elif event.res_op_failed_event is not None:
            step = _step(event.res_op_failed_event.metadata)
            self.in_flight.pop(step.urn, None)
            self.counts["failed"] += 1
            self.failed_steps.append(step)
            self._notify("failed", step)
        elif event.diagnostic_event is not None:
            diag = event.diagnostic_event
            if diag.severity in ("error", "warning") and not diag.ephemeral:
                item = Diagnostic(diag.severity, self._clean(diag.message), diag.urn)
                self.diagnostics.append(item)
                self._notify("diagnostic", item)
        elif event.policy_event is not None:
            policy = event.policy_event
            violation = PolicyViolation(
                policy.policy_pack_name,
                policy.policy_name,
                policy.enforcement_level,
                self._clean(policy.message),
                policy.resource_urn,
            )
            self.policy_violations.append(violation)
            self._notify("policy", violation)
        elif event.summary_event is not None:
            self.summary_changes = {
                str(getattr(op, "value", op)): count
                for op, count in event.summary_event.resource_changes.items()
            }
            self.duration_seconds = float(event.summary_event.duration_seconds)
            self._notify("summary", event.summary_event)

    def _clean(self, text: str) -> str:
        """Engine text without colour markup and without any secret value we know of."""
        text = _MARKUP.sub("", text)
        for secret in self.secrets:
            text = text.replace(secret, "[secret]")
        return text.strip()

    def _notify(self, kind: str, payload: object) -> None:
        for listener in self.listeners:
            try:
                listener(self, kind, payload)
            except Exception:
                log.exception("progress display failed on a %s event", kind)

    def error_messages(self) -> list[str]:
        with self._lock:
            return [d.message for d in self.diagnostics if d.severity == "error"]

    def mandatory_violations(self) -> list[PolicyViolation]:
        with self._lock:
            return [v for v in self.policy_violations if v.enforcement_level == "mandatory"]

    def changes(self) -> dict[str, int]:
        """The engine's own totals when it sent a summary, else what the events counted."""
        with self._lock:
            if self.summary_changes is not None:
                totals = {
                    _KIND_OF_OP.get(op, op): count
                    for op, count in self.summary_changes.items()
                    if op != "same" and count
                }
                if self.counts["failed"]:
                    totals["failed"] = self.counts["failed"]
                return totals
            return {k: v for k, v in self.counts.items() if v}

    def elapsed(self) -> float:
        if self.duration_seconds is not None:
            return self.duration_seconds
        return time.monotonic() - self.started


def _step(metadata: object) -> ResourceStep:
    op = getattr(metadata, "op", "")
    urn = str(getattr(metadata, "urn", "") or "")
    return ResourceStep(
        op=str(getattr(op, "value", op)),
        type=str(getattr(metadata, "type", "") or ""),
        name=urn.split("::")[-1] if urn else "",
        urn=urn,
    )

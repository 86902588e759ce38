"""Show engine events while an operation runs: a rich live view on a terminal, plain lines in CI.

Events arrive on the SDK's background thread; both displays only read the collector under its
lock (plain lines are written as they come, the live view redraws on rich's own refresh thread).
"""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any

from provisioner.engine.errors import clean
from provisioner.engine.events import (
    CHANGE_KINDS,
    Diagnostic,
    EventCollector,
    PolicyViolation,
    ResourceStep,
)

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.live import Live


def counts_line(collector: EventCollector) -> str:
    counts = collector.counts
    return ", ".join(f"{counts[kind]} {kind}" for kind in CHANGE_KINDS)


class Progress:
    """Base: attach to a collector, render, and print a closing line."""

    def __init__(self, title: str, secrets: Sequence[str] = ()) -> None:
        self.title = title
        self.secrets = tuple(secrets)
        self.collector: EventCollector | None = None

    def attach(self, collector: EventCollector) -> EventCollector:
        self.collector = collector
        collector.listeners.append(self.on_update)
        return collector

    def on_update(self, collector: EventCollector, kind: str, payload: object) -> None:
        """Called for each recorded event (under the collector's lock)."""

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None


class PlainProgress(Progress):
    """One line per step and diagnostic: readable in CI logs, no cursor tricks."""

    def __init__(self, title: str, stream: IO[str], secrets: Sequence[str] = ()) -> None:
        super().__init__(title, secrets)
        self.stream = stream

    def _line(self, text: str) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()

    def __enter__(self) -> Progress:
        self._line(f"{self.title}: started")
        return self

    def on_update(self, collector: EventCollector, kind: str, payload: object) -> None:
        if isinstance(payload, ResourceStep):
            if payload.op in ("same", "read"):
                return
            if kind == "start":
                self._line(f"  {payload.verb} {payload.label}")
            elif kind == "done":
                self._line(f"  done {payload.op} {payload.label}")
            elif kind == "failed":
                self._line(f"  FAILED {payload.op} {payload.label}")
        elif isinstance(payload, Diagnostic):
            self._line(f"  {payload.severity}: {clean(payload.message, self.secrets)}")
        elif isinstance(payload, PolicyViolation):
            self._line(
                f"  policy {payload.enforcement_level}: {payload.policy_name}: "
                f"{clean(payload.message, self.secrets)}"
            )

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.collector is not None:
            state = "failed" if exc is not None else "done"
            self._line(
                f"{self.title}: {state}: {counts_line(self.collector)} "
                f"({self.collector.elapsed():.1f}s)"
            )


class LiveProgress(Progress):
    """A rich live panel: counts, the operations in flight, failures with their diagnostic."""

    def __init__(self, title: str, console: Console, secrets: Sequence[str] = ()) -> None:
        super().__init__(title, secrets)
        self.console = console
        self._live: Live | None = None

    def render(self) -> RenderableType:
        from rich.console import Group
        from rich.text import Text

        lines: list[Any] = [Text(f"{self.title}", style="bold")]
        collector = self.collector
        if collector is None:
            return Group(*lines)
        with collector._lock:
            lines.append(Text(f"  {counts_line(collector)}  ({collector.elapsed():.0f}s)"))
            for step in list(collector.in_flight.values())[-8:]:
                lines.append(Text(f"  … {step.verb} {step.label}", style="cyan"))
            errors = [d for d in collector.diagnostics if d.severity == "error"]
            for step in collector.failed_steps[-5:]:
                lines.append(Text(f"  ✗ {step.op} {step.label}", style="red"))
            for diag in errors[-3:]:
                lines.append(Text(f"    {clean(diag.message, self.secrets)}", style="red"))
            for violation in collector.policy_violations[-5:]:
                lines.append(
                    Text(
                        f"  policy {violation.enforcement_level}: {violation.policy_name}: "
                        f"{clean(violation.message, self.secrets)}",
                        style="yellow",
                    )
                )
        return Group(*lines)

    def __enter__(self) -> Progress:
        from rich.live import Live

        self._live = Live(
            get_renderable=self.render,
            console=self.console,
            refresh_per_second=4,
            transient=False,
        )
        self._live.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._live is not None:
            self._live.refresh()
            self._live.stop()


def make_progress(
    title: str, stream: IO[str], secrets: Sequence[str] = (), *, live: bool | None = None
) -> Progress:
    """Live view when `stream` is a terminal (or `live=True`), plain lines otherwise."""
    from rich.console import Console

    console = Console(file=stream, force_terminal=live)
    if live if live is not None else console.is_terminal:
        return LiveProgress(title, console, secrets)
    return PlainProgress(title, stream, secrets)

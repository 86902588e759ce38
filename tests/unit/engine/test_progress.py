"""Progress from engine events: the live view on a terminal, plain lines elsewhere."""

from __future__ import annotations

import io

from pulumi.automation import EngineEvent

from provisioner.engine.events import EventCollector
from provisioner.engine.progress import LiveProgress, PlainProgress, make_progress
from tests.support.fake_pulumi import EVENTS_CREATED, EVENTS_FAILED, EVENTS_POLICY_BLOCKED


def feed(collector: EventCollector, events: list[dict]) -> None:  # type: ignore[type-arg]
    for event in events:
        collector.on_event(EngineEvent.from_json(event))


def test_a_terminal_gets_the_live_view_and_ci_gets_plain_lines() -> None:
    assert isinstance(make_progress("up", io.StringIO()), PlainProgress)
    assert isinstance(make_progress("up", io.StringIO(), live=True), LiveProgress)


def test_the_live_view_shows_counts_operations_in_flight_and_failures() -> None:
    stream = io.StringIO()
    progress = make_progress("up pci.dev", stream, live=True)
    collector = progress.attach(EventCollector("up"))
    with progress:
        feed(collector, EVENTS_CREATED[:4])  # the queue is being created
        assert "… creating aws:sqs/queue:Queue orders" in _frame(progress)
        later = [{**e, "sequence": e["sequence"] + 100} for e in EVENTS_FAILED[:-1]]
        feed(
            collector,
            EVENTS_CREATED[4:-1] + later + [{**EVENTS_POLICY_BLOCKED[1], "sequence": 200}],
        )
    frame = _frame(progress)
    assert "creating aws:sqs/queue:Queue orders" not in frame.replace("✗", "")
    assert "2 created, 1 updated, 0 replaced, 0 deleted, 1 failed" in frame
    assert "✗ create aws:sqs/queue:Queue orders" in frame
    assert "KmsMasterKeyId is invalid" in frame and "<{%" not in frame
    assert "policy mandatory: SQS-RETENTION-MAX" in frame
    assert "1 failed" in stream.getvalue()  # the last frame stays on screen


def _frame(progress: object) -> str:
    from rich.console import Console

    assert isinstance(progress, LiveProgress)
    console = Console(file=io.StringIO(), width=200, no_color=True)
    console.print(progress.render())
    return console.file.getvalue()  # type: ignore[attr-defined,no-any-return]


def test_a_failing_listener_does_not_stop_event_collection() -> None:
    collector = EventCollector("up")

    def broken(*_: object) -> None:
        raise ValueError("display bug")

    collector.listeners.append(broken)
    feed(collector, EVENTS_CREATED)
    assert collector.counts["created"] == 2 and collector.summary_changes is not None


def test_events_are_counted_once_even_when_replayed() -> None:
    collector = EventCollector("up")
    feed(collector, EVENTS_CREATED + EVENTS_CREATED)
    assert collector.changes() == {"created": 2, "updated": 1}
    assert collector.counts["created"] == 2

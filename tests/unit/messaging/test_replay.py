from __future__ import annotations

import pytest

from provisioner.messaging.errors import OutsideReplayWindow, Replayed
from provisioner.messaging.replay import ReplayGuard

NOW = 1_800_000_000.0
NOW_MS = int(NOW * 1000)


def guard(**kwargs: float) -> ReplayGuard:
    return ReplayGuard(clock=lambda: NOW, **kwargs)  # type: ignore[arg-type]


def test_same_message_id_in_a_new_transport_message_is_a_replay() -> None:
    replay = guard()
    replay.check("p", b"id-1", NOW_MS, "sqs-1")

    with pytest.raises(Replayed):
        replay.check("p", b"id-1", NOW_MS, "sqs-2")


def test_redelivery_of_the_same_transport_message_is_accepted() -> None:
    replay = guard()
    replay.check("p", b"id-1", NOW_MS, "sqs-1")
    replay.check("p", b"id-1", NOW_MS, "sqs-1")


def test_same_message_id_from_another_producer_is_not_a_replay() -> None:
    replay = guard()
    replay.check("p", b"id-1", NOW_MS, "sqs-1")
    replay.check("q", b"id-1", NOW_MS, "sqs-2")


@pytest.mark.parametrize("offset_s", [-901, 901])
def test_timestamp_outside_the_window_is_rejected(offset_s: int) -> None:
    with pytest.raises(OutsideReplayWindow):
        guard(window_seconds=900).check("p", b"id", NOW_MS + offset_s * 1000, "sqs")


def test_memory_is_bounded_and_never_readmits_a_forgotten_id() -> None:
    replay = guard(max_entries=3)
    for i in range(5):
        replay.check("p", bytes([i]), NOW_MS - 1000 + i, f"sqs-{i}")

    assert len(replay) == 3
    # ids 0 and 1 were forgotten; their timestamps now fall below the memory's floor.
    with pytest.raises(OutsideReplayWindow):
        replay.check("p", bytes([0]), NOW_MS - 1000, "sqs-again")
    with pytest.raises(Replayed):
        replay.check("p", bytes([4]), NOW_MS - 996, "sqs-again")


def test_ids_older_than_the_window_are_forgotten() -> None:
    clock = [NOW]
    replay = ReplayGuard(window_seconds=60, clock=lambda: clock[0])
    replay.check("p", b"old", NOW_MS, "sqs-1")
    clock[0] += 61
    replay.check("p", b"new", NOW_MS + 61_000, "sqs-2")

    assert len(replay) == 1

"""Replay protection: a time window on the signed timestamp and a bounded memory of message ids.

SQS delivers at least once, so the same SQS message coming back (same SQS `MessageId`, e.g. after
a visibility timeout) is a redelivery, not a replay; the same signed message arriving as a new
SQS message is a replay. When the memory is full the oldest id is forgotten and the window's
lower edge moves up to its timestamp, so memory stays bounded without ever accepting a replay.
"""

from __future__ import annotations

import heapq
import threading
import time
from collections.abc import Callable

from provisioner.messaging.errors import OutsideReplayWindow, Replayed


class ReplayGuard:
    def __init__(
        self,
        *,
        window_seconds: float = 900.0,
        max_entries: int = 100_000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if window_seconds <= 0 or max_entries < 1:
            raise ValueError("window_seconds and max_entries must be positive")
        self._window_ms = int(window_seconds * 1000)
        self._max_entries = max_entries
        self._clock = clock
        self._seen: dict[tuple[str, bytes], tuple[int, str]] = {}
        self._by_age: list[tuple[int, tuple[str, bytes]]] = []  # heap: oldest timestamp first
        self._floor_ms = 0
        self._lock = threading.Lock()

    def check(
        self, producer_id: str, message_id: bytes, timestamp_ms: int, transport_id: str
    ) -> None:
        """Accept (and remember) the message, or raise `OutsideReplayWindow` / `Replayed`."""
        now_ms = int(self._clock() * 1000)
        if abs(now_ms - timestamp_ms) > self._window_ms:
            raise OutsideReplayWindow(
                f"message timestamp is {abs(now_ms - timestamp_ms) / 1000:.0f} s from now, "
                f"outside the {self._window_ms / 1000:.0f} s replay window"
            )
        key = (producer_id, message_id)
        with self._lock:
            self._forget_before(now_ms - self._window_ms)
            if timestamp_ms < self._floor_ms:
                raise OutsideReplayWindow("message is older than the replay memory still covers")
            seen = self._seen.get(key)
            if seen is not None:
                if seen[1] == transport_id:
                    return
                raise Replayed(f"message id {message_id.hex()} was already accepted")
            self._seen[key] = (timestamp_ms, transport_id)
            heapq.heappush(self._by_age, (timestamp_ms, key))
            while len(self._seen) > self._max_entries:
                evicted_ms, evicted = heapq.heappop(self._by_age)
                del self._seen[evicted]
                self._floor_ms = max(self._floor_ms, evicted_ms + 1)

    def _forget_before(self, edge_ms: int) -> None:
        while self._by_age and self._by_age[0][0] < edge_ms:
            _, key = heapq.heappop(self._by_age)
            del self._seen[key]

    def __len__(self) -> int:
        with self._lock:
            return len(self._seen)

"""A small thread-safe LRU cache whose entries expire by age, message count and bytes.

The idea of the AWS Encryption SDK's caching materials manager: reuse a data key for many
messages to spare KMS calls, but only within explicit limits, so one key never protects more
than `max_messages` messages or `max_bytes` bytes, nor lives longer than `max_age_seconds`.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


@dataclass(frozen=True)
class CacheLimits:
    """How long, and for how much, one cached key may be used."""

    max_age_seconds: float = 300.0
    max_messages: int = 10_000
    max_bytes: int = 1 << 30
    max_entries: int = 512

    def __post_init__(self) -> None:
        if self.max_age_seconds <= 0 or self.max_messages < 1 or self.max_bytes < 1:
            raise ValueError("cache limits must be positive")
        if self.max_entries < 1:
            raise ValueError("max_entries must be at least 1")


@dataclass
class _Entry(Generic[V]):
    value: V
    created: float
    messages: int
    size: int


class LimitedCache(Generic[K, V]):
    """Values usable until one of the limits is reached; least recently used evicted first."""

    def __init__(self, limits: CacheLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self._limits = limits
        self._clock = clock
        self._entries: OrderedDict[K, _Entry[V]] = OrderedDict()
        self._lock = threading.Lock()

    def use(self, key: K, size: int) -> V | None:
        """The cached value for one more message of `size` bytes, or None if there is none left."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            limits = self._limits
            if (
                self._clock() - entry.created >= limits.max_age_seconds
                or entry.messages + 1 > limits.max_messages
                or entry.size + size > limits.max_bytes
            ):
                del self._entries[key]
                return None
            entry.messages += 1
            entry.size += size
            self._entries.move_to_end(key)
            return entry.value

    def put(self, key: K, value: V, size: int) -> None:
        """Store `value`, already used once for a message of `size` bytes."""
        with self._lock:
            self._entries[key] = _Entry(value=value, created=self._clock(), messages=1, size=size)
            self._entries.move_to_end(key)
            while len(self._entries) > self._limits.max_entries:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

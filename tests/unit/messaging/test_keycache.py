from __future__ import annotations

import pytest

from provisioner.messaging.keycache import CacheLimits, LimitedCache


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_entry_serves_exactly_max_messages_including_the_first() -> None:
    cache: LimitedCache[str, str] = LimitedCache(CacheLimits(max_messages=3))
    cache.put("k", "v", 1)

    assert [cache.use("k", 1) for _ in range(3)] == ["v", "v", None]
    assert len(cache) == 0


def test_entry_expires_by_age() -> None:
    clock = Clock()
    cache: LimitedCache[str, str] = LimitedCache(CacheLimits(max_age_seconds=10), clock)
    cache.put("k", "v", 1)

    clock.now += 9.9
    assert cache.use("k", 1) == "v"
    clock.now += 0.1
    assert cache.use("k", 1) is None


def test_entry_expires_by_bytes() -> None:
    cache: LimitedCache[str, str] = LimitedCache(CacheLimits(max_bytes=100))
    cache.put("k", "v", 60)

    assert cache.use("k", 40) == "v"
    assert cache.use("k", 1) is None


def test_least_recently_used_entry_is_evicted() -> None:
    cache: LimitedCache[str, int] = LimitedCache(CacheLimits(max_entries=2))
    cache.put("a", 1, 0)
    cache.put("b", 2, 0)
    assert cache.use("a", 0) == 1
    cache.put("c", 3, 0)

    assert cache.use("b", 0) is None
    assert cache.use("a", 0) == 1 and cache.use("c", 0) == 3


@pytest.mark.parametrize(
    "limits", [{"max_age_seconds": 0}, {"max_messages": 0}, {"max_bytes": 0}, {"max_entries": 0}]
)
def test_limits_must_be_positive(limits: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        CacheLimits(**limits)  # type: ignore[arg-type]

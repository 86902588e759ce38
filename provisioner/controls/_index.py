"""Lookups derived once per inventory, so checks stay linear in the stack's size.

Checks are pure functions of (resource, parameters, inventory); this memoizes data derived from
the inventory alone (who dead-letters to whom, alarms by metric) and is invisible to callers.
"""

from __future__ import annotations

import threading
import weakref
from collections import defaultdict
from dataclasses import dataclass

from provisioner.inventory.models import Alarm, Inventory

AlarmKey = tuple[str | None, str | None, str, str]  # namespace, metric, dimension, value


@dataclass(frozen=True)
class Derived:
    dead_letter_targets: frozenset[str]  # ARNs a queue or a subscription sends failures to
    sources_of: dict[str, frozenset[str]]  # DLQ ARN -> queues whose RedrivePolicy names it
    alarms: dict[AlarmKey, tuple[Alarm, ...]]  # alarms with actions, by metric and dimension
    subscriptions_per_topic: dict[str, int]


def _build(inventory: Inventory) -> Derived:
    sources: defaultdict[str, set[str]] = defaultdict(set)
    for queue in inventory.queues:
        if queue.redrive_policy is not None:
            sources[queue.redrive_policy.dead_letter_target_arn].add(queue.arn)
    targets = set(sources) | {
        s.redrive_policy_dlq_arn for s in inventory.subscriptions if s.redrive_policy_dlq_arn
    }
    alarms: defaultdict[AlarmKey, list[Alarm]] = defaultdict(list)
    for alarm in inventory.alarms:
        if not (alarm.actions_enabled and alarm.alarm_actions):
            continue
        for dimension, value in alarm.dimensions.items():
            alarms[(alarm.namespace, alarm.metric_name, dimension, value)].append(alarm)
        if not alarm.dimensions:
            alarms[(alarm.namespace, alarm.metric_name, "", "")].append(alarm)
    per_topic: defaultdict[str, int] = defaultdict(int)
    for subscription in inventory.subscriptions:
        per_topic[subscription.topic_arn] += 1
    return Derived(
        dead_letter_targets=frozenset(targets),
        sources_of={dlq: frozenset(arns) for dlq, arns in sources.items()},
        alarms={key: tuple(found) for key, found in alarms.items()},
        subscriptions_per_topic=dict(per_topic),
    )


_lock = threading.Lock()
_cache: dict[int, tuple[weakref.ref[Inventory], Derived]] = {}


def derived(inventory: Inventory) -> Derived:
    key = id(inventory)
    with _lock:
        entry = _cache.get(key)
        if entry is not None and entry[0]() is inventory:
            return entry[1]
    result = _build(inventory)
    with _lock:
        _cache[key] = (weakref.ref(inventory, lambda _ref: _cache.pop(key, None)), result)
    return result

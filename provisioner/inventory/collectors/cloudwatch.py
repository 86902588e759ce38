"""CloudWatch metric alarms: list once (all fields come with the listing); the stack's found by
the tag sweep, or by each alarm's tags when the sweep cannot tell."""

from __future__ import annotations

from typing import Any

from provisioner.inventory._normalize import as_int, as_str, tags_from_list
from provisioner.inventory.collectors._base import CollectorContext, paginate
from provisioner.inventory.models import Alarm, AnyResource, Kind

KINDS = (Kind.ALARM,)


def collect(ctx: CollectorContext) -> dict[Kind, tuple[AnyResource, ...]]:
    client = ctx.client("cloudwatch")
    alarms = paginate(client, "describe_alarms", "MetricAlarms", AlarmTypes=["MetricAlarm"])
    wanted = ctx.scope.by_arns("arn:aws:cloudwatch:")
    known_tags = ctx.stack_tags("cloudwatch")
    if wanted is not None:
        alarms = [a for a in alarms if a.get("AlarmArn") in wanted]
    elif known_tags is not None:
        alarms = [a for a in alarms if a.get("AlarmArn") in known_tags]

    def read(entry: dict[str, Any]) -> Alarm | None:
        tags = dict((known_tags or {}).get(entry["AlarmArn"]) or {})
        if not tags:  # not in the tag sweep (see _tag_index)
            tags = tags_from_list(
                client.list_tags_for_resource(ResourceARN=entry["AlarmArn"]).get("Tags")
            )
            if wanted is None and not ctx.scope.tagged(tags):
                return None
        return alarm_from_entry(entry, tags)

    return {Kind.ALARM: tuple(a for a in ctx.map(read, alarms) if a is not None)}


def alarm_from_entry(entry: dict[str, Any], tags: dict[str, str]) -> Alarm:
    threshold = entry.get("Threshold")
    return Alarm(
        name=entry["AlarmName"],
        arn=entry["AlarmArn"],
        namespace=as_str(entry.get("Namespace")),
        metric_name=as_str(entry.get("MetricName")),
        dimensions={d["Name"]: str(d.get("Value", "")) for d in entry.get("Dimensions") or ()},
        statistic=as_str(entry.get("Statistic")),
        comparison_operator=as_str(entry.get("ComparisonOperator")),
        threshold=float(threshold) if threshold is not None else None,
        period_seconds=as_int(entry.get("Period")),
        evaluation_periods=as_int(entry.get("EvaluationPeriods")),
        actions_enabled=bool(entry.get("ActionsEnabled", True)),
        alarm_actions=tuple(entry.get("AlarmActions") or ()),
        ok_actions=tuple(entry.get("OKActions") or ()),
        insufficient_data_actions=tuple(entry.get("InsufficientDataActions") or ()),
        tags=tags,
    )

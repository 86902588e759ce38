"""EventBridge rules on the default bus: list once; per rule its tags and targets."""

from __future__ import annotations

from typing import Any

from provisioner.inventory._normalize import as_str, parse_policy, tags_from_list
from provisioner.inventory.collectors._base import CollectorContext, paginate
from provisioner.inventory.models import AnyResource, EventRule, EventTarget, Kind

KINDS = (Kind.EVENT_RULE,)


def collect(ctx: CollectorContext) -> dict[Kind, tuple[AnyResource, ...]]:
    client = ctx.client("events")
    rules = paginate(client, "list_rules", "Rules")
    wanted = ctx.scope.by_arns("arn:aws:events:")
    if wanted is not None:
        rules = [r for r in rules if r.get("Arn") in wanted]

    def read(entry: dict[str, Any]) -> EventRule | None:
        tags = tags_from_list(client.list_tags_for_resource(ResourceARN=entry["Arn"]).get("Tags"))
        if wanted is None and not ctx.scope.tagged(tags):
            return None
        targets = paginate(
            client,
            "list_targets_by_rule",
            "Targets",
            Rule=entry["Name"],
            EventBusName=entry.get("EventBusName") or "default",
        )
        return EventRule(
            name=entry["Name"],
            arn=entry["Arn"],
            event_bus_name=str(entry.get("EventBusName") or "default"),
            event_pattern=parse_policy(entry.get("EventPattern")),
            schedule_expression=as_str(entry.get("ScheduleExpression")),
            state=str(entry.get("State") or "ENABLED"),
            targets=tuple(
                EventTarget(
                    id=str(t.get("Id") or ""),
                    arn=str(t.get("Arn") or ""),
                    role_arn=as_str(t.get("RoleArn")),
                    dead_letter_arn=as_str((t.get("DeadLetterConfig") or {}).get("Arn")),
                )
                for t in targets
            ),
            tags=tags,
        )

    return {Kind.EVENT_RULE: tuple(r for r in ctx.map(read, rules) if r is not None)}

"""CloudWatch Logs: list log groups and metric filters once; the stack's groups found by the tag
sweep, or by each group's tags when the sweep cannot tell."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from provisioner.inventory._normalize import as_int, as_str
from provisioner.inventory.collectors._base import CollectorContext, paginate
from provisioner.inventory.models import AnyResource, Kind, LogGroup, MetricFilter

KINDS = (Kind.LOG_GROUP,)


def group_arn(entry: dict[str, Any]) -> str:
    """The log group ARN without the ":*" suffix describe_log_groups adds (Pulumi's spelling)."""
    return str(entry.get("logGroupArn") or entry.get("arn") or "").removesuffix(":*")


def collect(ctx: CollectorContext) -> dict[Kind, tuple[AnyResource, ...]]:
    client = ctx.client("logs")
    groups = paginate(client, "describe_log_groups", "logGroups")
    wanted = ctx.scope.by_arns("arn:aws:logs:")
    if wanted is not None:
        wanted = frozenset(a.removesuffix(":*") for a in wanted)
        groups = [g for g in groups if group_arn(g) in wanted]

    known_tags = ctx.stack_tags("logs")
    if wanted is None and known_tags is not None:
        groups = [g for g in groups if group_arn(g) in known_tags]

    def tags_of(entry: dict[str, Any]) -> dict[str, str]:
        tags = dict((known_tags or {}).get(group_arn(entry)) or {})
        if not tags:  # not in the tag sweep (see _tag_index)
            tags = client.list_tags_for_resource(resourceArn=group_arn(entry)).get("tags") or {}
        return tags

    tagged = [(g, tags) for g, tags in zip(groups, ctx.map(tags_of, groups), strict=True)]
    if wanted is None:
        tagged = [(g, tags) for g, tags in tagged if ctx.scope.tagged(tags)]
    filters: dict[str, list[MetricFilter]] = defaultdict(list)
    if tagged:
        for entry in paginate(client, "describe_metric_filters", "metricFilters"):
            for transformation in entry.get("metricTransformations") or ():
                filters[entry.get("logGroupName", "")].append(
                    MetricFilter(
                        name=str(entry.get("filterName") or ""),
                        pattern=str(entry.get("filterPattern") or ""),
                        metric_name=str(transformation.get("metricName") or ""),
                        metric_namespace=str(transformation.get("metricNamespace") or ""),
                    )
                )
    return {
        Kind.LOG_GROUP: tuple(
            LogGroup(
                name=g["logGroupName"],
                arn=group_arn(g),
                retention_days=as_int(g.get("retentionInDays")),
                kms_key_id=as_str(g.get("kmsKeyId")),
                metric_filters=tuple(filters.get(g["logGroupName"], ())),
                tags=tags,
            )
            for g, tags in tagged
        )
    }

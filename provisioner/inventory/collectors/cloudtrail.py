"""CloudTrail: every trail the region sees (account-level fact, not scoped to the stack),
with its status, event selectors and tags."""

from __future__ import annotations

from functools import partial
from typing import Any

from provisioner.inventory._normalize import (
    as_str,
    parse_advanced_event_selectors,
    parse_event_selectors,
    tags_from_list,
)
from provisioner.inventory.collectors._base import CollectorContext, optional
from provisioner.inventory.models import AnyResource, Kind, Trail

KINDS = (Kind.TRAIL,)
TAG_BATCH = 20  # ListTags accepts at most 20 trail ARNs


def _list_tags(client: Any, arns: list[str]) -> list[Any]:
    listed: list[Any] = client.list_tags(ResourceIdList=arns).get("ResourceTagList") or []
    return listed


def collect(ctx: CollectorContext) -> dict[Kind, tuple[AnyResource, ...]]:
    client = ctx.client("cloudtrail")
    # shadow trails included: a multi-region trail homed elsewhere still covers this region
    trails = client.describe_trails(includeShadowTrails=True).get("trailList") or []
    clients = {ctx.region: client}
    for region in {t.get("HomeRegion") or ctx.region for t in trails} - {ctx.region}:
        clients[region] = ctx.client("cloudtrail", region)
    tags: dict[str, dict[str, str]] = {}
    for region, regional in clients.items():
        arns = [t["TrailARN"] for t in trails if (t.get("HomeRegion") or ctx.region) == region]
        for start in range(0, len(arns), TAG_BATCH):
            batch = arns[start : start + TAG_BATCH]
            listed = optional(
                partial(_list_tags, regional, batch),
                "UnsupportedOperationException",
                "CloudTrailARNInvalidException",
            )
            for entry in listed or ():
                tags[entry["ResourceId"]] = tags_from_list(entry.get("TagsList"))

    def read(entry: dict[str, Any]) -> Trail:
        home = str(entry.get("HomeRegion") or ctx.region)
        regional = clients[home]
        arn = entry["TrailARN"]
        status = regional.get_trail_status(Name=arn)
        selectors = regional.get_event_selectors(TrailName=arn)
        return Trail(
            arn=arn,
            name=entry["Name"],
            home_region=home,
            s3_bucket_name=as_str(entry.get("S3BucketName")),
            multi_region=bool(entry.get("IsMultiRegionTrail", False)),
            global_events=bool(entry.get("IncludeGlobalServiceEvents", False)),
            organization_trail=bool(entry.get("IsOrganizationTrail", False)),
            log_file_validation=bool(entry.get("LogFileValidationEnabled", False)),
            kms_key_id=as_str(entry.get("KmsKeyId")),
            is_logging=bool(status.get("IsLogging", False)),
            event_selectors=parse_event_selectors(selectors.get("EventSelectors")),
            advanced_event_selectors=parse_advanced_event_selectors(
                selectors.get("AdvancedEventSelectors")
            ),
            cw_logs_group_arn=as_str(entry.get("CloudWatchLogsLogGroupArn")),
            cw_logs_role_arn=as_str(entry.get("CloudWatchLogsRoleArn")),
            latest_delivery_error=as_str(status.get("LatestDeliveryError")),
            latest_cw_logs_delivery_error=as_str(status.get("LatestCloudWatchLogsDeliveryError")),
            tags=tags.get(arn, {}),
        )

    return {Kind.TRAIL: tuple(ctx.map(read, trails))}

"""AWS Config: the region's recorders (with status and delivery channel) and rules. These are
account-level facts, read whatever the stack scope."""

from __future__ import annotations

from typing import Any

from provisioner.inventory._normalize import as_str, parse_json
from provisioner.inventory.collectors._base import CollectorContext, paginate
from provisioner.inventory.models import AnyResource, ConfigRecorder, ConfigRule, Kind

KINDS = (Kind.CONFIG_RECORDER, Kind.CONFIG_RULE)


def collect(ctx: CollectorContext) -> dict[Kind, tuple[AnyResource, ...]]:
    client = ctx.client("config")
    recorders = client.describe_configuration_recorders().get("ConfigurationRecorders") or []
    statuses = {
        s["name"]: s
        for s in client.describe_configuration_recorder_status().get("ConfigurationRecordersStatus")
        or ()
    }
    channels = client.describe_delivery_channels().get("DeliveryChannels") or []
    channel: dict[str, Any] = channels[0] if channels else {}
    rules = paginate(client, "describe_config_rules", "ConfigRules")
    return {
        Kind.CONFIG_RECORDER: tuple(
            recorder_from_entry(ctx.region, r, statuses.get(r["name"], {}), channel)
            for r in recorders
        ),
        Kind.CONFIG_RULE: tuple(rule_from_entry(r) for r in rules),
    }


def recorder_from_entry(
    region: str, entry: dict[str, Any], status: dict[str, Any], channel: dict[str, Any]
) -> ConfigRecorder:
    group = entry.get("recordingGroup") or {}
    return ConfigRecorder(
        name=entry["name"],
        region=region,
        role_arn=as_str(entry.get("roleARN")),
        all_supported=bool(group.get("allSupported", False)),
        include_global_resource_types=bool(group.get("includeGlobalResourceTypes", False)),
        resource_types=tuple(group.get("resourceTypes") or ()),
        recording=bool(status.get("recording", False)),
        last_status=as_str(status.get("lastStatus")),
        delivery_bucket=as_str(channel.get("s3BucketName")),
        delivery_kms_key_arn=as_str(channel.get("s3KmsKeyArn")),
    )


def rule_from_entry(entry: dict[str, Any]) -> ConfigRule:
    source = entry.get("Source") or {}
    parameters = parse_json(entry.get("InputParameters"))
    return ConfigRule(
        name=entry["ConfigRuleName"],
        arn=str(entry.get("ConfigRuleArn") or ""),
        source_owner=str(source.get("Owner") or "AWS"),
        source_identifier=str(source.get("SourceIdentifier") or ""),
        input_parameters=dict(parameters) if isinstance(parameters, dict) else {},
        state=str(entry.get("ConfigRuleState") or "ACTIVE"),
    )

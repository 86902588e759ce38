"""KMS keys: list keys and aliases once, then per key of the stack its description, rotation and
policy (and its tags when the tag sweep is refused)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from provisioner.inventory._normalize import as_int, parse_policy, tags_from_list
from provisioner.inventory.collectors._base import CollectorContext, optional, paginate
from provisioner.inventory.models import AnyResource, Key, Kind

KINDS = (Kind.KEY,)


def collect(ctx: CollectorContext) -> dict[Kind, tuple[AnyResource, ...]]:
    client = ctx.client("kms")
    keys = paginate(client, "list_keys", "Keys", PaginationConfig={"PageSize": 1000})
    aliases: dict[str, list[str]] = defaultdict(list)
    for alias in paginate(client, "list_aliases", "Aliases", PaginationConfig={"PageSize": 100}):
        if alias.get("TargetKeyId"):
            aliases[alias["TargetKeyId"]].append(alias["AliasName"])
    wanted = ctx.scope.by_arns("arn:aws:kms:")
    known_tags = ctx.stack_tags("kms")
    if wanted is not None:
        keys = [k for k in keys if k["KeyArn"] in wanted]
    elif known_tags is not None:
        keys = [k for k in keys if k["KeyArn"] in known_tags]

    def read(entry: dict[str, Any]) -> Key | None:
        key_id = entry["KeyId"]
        if any(a.startswith("alias/aws/") for a in aliases.get(key_id, ())):
            return None  # AWS managed keys carry no stack tags and allow no tag reads
        tags = dict((known_tags or {}).get(entry["KeyArn"]) or {})
        if not tags:  # not in the tag sweep (refused, or an output ARN without the stack tag)
            tags = tags_from_list(
                optional(
                    lambda: client.list_resource_tags(KeyId=key_id).get("Tags"),
                    "AccessDeniedException",
                )
            )
            if wanted is None and not ctx.scope.tagged(tags):
                return None
        metadata = client.describe_key(KeyId=key_id)["KeyMetadata"]
        return key_from_metadata(client, metadata, tags, tuple(aliases.get(key_id, ())))

    return {Kind.KEY: tuple(k for k in ctx.map(read, keys) if k is not None)}


def key_from_metadata(
    client: Any, metadata: dict[str, Any], tags: dict[str, str], aliases: tuple[str, ...]
) -> Key:
    key_id = metadata["KeyId"]
    customer_symmetric = (
        metadata.get("KeyManager") == "CUSTOMER"
        and metadata.get("KeySpec", "SYMMETRIC_DEFAULT") == "SYMMETRIC_DEFAULT"
        and metadata.get("Origin", "AWS_KMS") == "AWS_KMS"
        and metadata.get("KeyState") != "PendingDeletion"
    )
    rotation: dict[str, Any] = {}
    if customer_symmetric:
        rotation = client.get_key_rotation_status(KeyId=key_id)
    policy = client.get_key_policy(KeyId=key_id, PolicyName="default").get("Policy")
    return Key(
        arn=metadata["Arn"],
        key_id=key_id,
        key_manager=str(metadata.get("KeyManager") or "CUSTOMER"),
        key_spec=str(metadata.get("KeySpec") or "SYMMETRIC_DEFAULT"),
        key_usage=str(metadata.get("KeyUsage") or "ENCRYPT_DECRYPT"),
        origin=str(metadata.get("Origin") or "AWS_KMS"),
        state=str(metadata.get("KeyState") or "Enabled"),
        rotation_enabled=bool(rotation.get("KeyRotationEnabled", False)),
        rotation_period_days=as_int(rotation.get("RotationPeriodInDays")),
        deletion_window_days=as_int(metadata.get("PendingDeletionWindowInDays")),
        multi_region=bool(metadata.get("MultiRegion", False)),
        policy=parse_policy(policy),
        aliases=aliases,
        description=str(metadata.get("Description") or ""),
        tags=tags,
    )

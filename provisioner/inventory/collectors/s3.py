"""S3 buckets: list once; the stack's found by the tag sweep (or by each bucket's tags when the
sweep cannot tell), then for stack buckets each configuration read once (public access block,
ownership, versioning, object lock, encryption, policy, lifecycle, logging, location)."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from provisioner.inventory._normalize import as_int, as_str, parse_policy, tags_from_list
from provisioner.inventory.collectors._base import CollectorContext, error_code, optional
from provisioner.inventory.models import (
    AnyResource,
    Bucket,
    Kind,
    LifecycleRule,
    LifecycleTransition,
    PublicAccessBlock,
)

KINDS = (Kind.BUCKET,)


def list_bucket_names(client: Any) -> list[str]:
    names: list[str] = []
    kwargs: dict[str, Any] = {}
    while True:
        page = client.list_buckets(**kwargs)
        names.extend(b["Name"] for b in page.get("Buckets") or ())
        token = page.get("ContinuationToken")
        if not token:
            return names
        kwargs = {"ContinuationToken": token}


def collect(ctx: CollectorContext) -> dict[Kind, tuple[AnyResource, ...]]:
    client = ctx.client("s3")
    names = list_bucket_names(client)
    wanted = ctx.scope.by_arns("arn:aws:s3:::")
    known_tags = ctx.stack_tags("s3")
    if wanted is not None:
        names = [n for n in names if f"arn:aws:s3:::{n}" in wanted]
    elif known_tags is not None:
        names = [n for n in names if f"arn:aws:s3:::{n}" in known_tags]

    def read(name: str) -> Bucket | None:
        tags = dict((known_tags or {}).get(f"arn:aws:s3:::{name}") or {})
        if not tags:  # not in the tag sweep (see _tag_index)
            try:
                tagging = optional(lambda: client.get_bucket_tagging(Bucket=name), "NoSuchTagSet")
            except ClientError as error:
                if error_code(error) == "NoSuchBucket":
                    return None  # deleted since the listing
                raise
            tags = tags_from_list((tagging or {}).get("TagSet"))
            if wanted is None and not ctx.scope.tagged(tags):
                return None
        return read_bucket(client, name, tags)

    return {Kind.BUCKET: tuple(b for b in ctx.map(read, names) if b is not None)}


def read_bucket(client: Any, name: str, tags: dict[str, str]) -> Bucket:
    location = client.get_bucket_location(Bucket=name).get("LocationConstraint")
    block = optional(
        lambda: client.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"],
        "NoSuchPublicAccessBlockConfiguration",
    )
    ownership = optional(
        lambda: client.get_bucket_ownership_controls(Bucket=name)["OwnershipControls"],
        "OwnershipControlsNotFoundError",
    )
    versioning = client.get_bucket_versioning(Bucket=name)
    lock = optional(
        lambda: client.get_object_lock_configuration(Bucket=name)["ObjectLockConfiguration"],
        "ObjectLockConfigurationNotFoundError",
    )
    encryption = optional(
        lambda: client.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"],
        "ServerSideEncryptionConfigurationNotFoundError",
    )
    policy = optional(lambda: client.get_bucket_policy(Bucket=name)["Policy"], "NoSuchBucketPolicy")
    lifecycle = optional(
        lambda: client.get_bucket_lifecycle_configuration(Bucket=name).get("Rules"),
        "NoSuchLifecycleConfiguration",
    )
    logging = client.get_bucket_logging(Bucket=name).get("LoggingEnabled") or {}

    sse_rule: dict[str, Any] = ((encryption or {}).get("Rules") or [{}])[0]
    sse_default = sse_rule.get("ApplyServerSideEncryptionByDefault") or {}
    retention = ((lock or {}).get("Rule") or {}).get("DefaultRetention") or {}
    lock_days = _retention_days(retention)
    owner_rules = (ownership or {}).get("Rules") or [{}]
    return Bucket(
        name=name,
        arn=f"arn:aws:s3:::{name}",
        region=str(location or "us-east-1"),  # AWS reports us-east-1 as no constraint
        public_access_block=(
            PublicAccessBlock(
                block_public_acls=bool(block.get("BlockPublicAcls", False)),
                ignore_public_acls=bool(block.get("IgnorePublicAcls", False)),
                block_public_policy=bool(block.get("BlockPublicPolicy", False)),
                restrict_public_buckets=bool(block.get("RestrictPublicBuckets", False)),
            )
            if block is not None
            else None
        ),
        ownership=as_str(owner_rules[0].get("ObjectOwnership")),
        versioning=as_str(versioning.get("Status")),
        mfa_delete=versioning.get("MFADelete") == "Enabled",
        object_lock_enabled=(lock or {}).get("ObjectLockEnabled") == "Enabled",
        object_lock_mode=as_str(retention.get("Mode")),
        object_lock_days=lock_days,
        sse_algorithm=as_str(sse_default.get("SSEAlgorithm")),
        sse_kms_key_id=as_str(sse_default.get("KMSMasterKeyID")),
        bucket_key_enabled=bool(sse_rule.get("BucketKeyEnabled", False)),
        policy=parse_policy(policy),
        lifecycle_rules=tuple(lifecycle_rule(r) for r in lifecycle or ()),
        logging_target_bucket=as_str(logging.get("TargetBucket")),
        tags=tags,
    )


def _retention_days(retention: dict[str, Any]) -> int | None:
    """Default retention in days; Years count as 365 days (moto also reports "Days": 0)."""
    days, years = as_int(retention.get("Days")), as_int(retention.get("Years"))
    if days:
        return days
    return years * 365 if years else None


def lifecycle_rule(raw: dict[str, Any]) -> LifecycleRule:
    prefix = raw.get("Prefix") or (raw.get("Filter") or {}).get("Prefix") or ""
    return LifecycleRule(
        id=str(raw.get("ID") or ""),
        enabled=raw.get("Status") == "Enabled",
        prefix=str(prefix),
        expiration_days=as_int((raw.get("Expiration") or {}).get("Days")),
        noncurrent_expiration_days=as_int(
            (raw.get("NoncurrentVersionExpiration") or {}).get("NoncurrentDays")
        ),
        transitions=tuple(
            LifecycleTransition(days=as_int(t.get("Days")), storage_class=str(t["StorageClass"]))
            for t in raw.get("Transitions") or ()
        ),
    )

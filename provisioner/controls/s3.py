"""S3 controls for the audit bucket (controls.md section 1E).

Public-access and TLS controls apply to every bucket of the stack. The audit controls apply to
buckets a trail delivers to: the bucket receiving those buckets' access logs cannot use SSE-KMS
or default Object Lock retention (S3 server access logging does not support either).
"""

from __future__ import annotations

from dataclasses import asdict

from provisioner.controls import _policy as policy
from provisioner.controls._common import customer_key_problem, enabled, key_evidence, param
from provisioner.controls._types import define, not_applicable, passed, verdict
from provisioner.findings import CheckResult, Severity
from provisioner.inventory.models import Bucket, Inventory, Kind
from provisioner.profiles import OBJECT_LOCK_RANK, Parameters


def _audit_bucket(bucket: Bucket, inventory: Inventory) -> CheckResult | None:
    """None when a trail delivers to this bucket, else the not-applicable result."""
    if any(t.s3_bucket_name == bucket.name for t in inventory.trails):
        return None
    return not_applicable(f"bucket {bucket.name}: no trail delivers to it (not an audit bucket)")


@define("S3-AUDIT-BLOCK-PUBLIC", Kind.BUCKET, Severity.CRITICAL)
def s3_bucket_blocks_public_access(
    bucket: Bucket, params: Parameters, inventory: Inventory
) -> CheckResult:
    block = bucket.public_access_block
    problems = []
    if block is None or not block.all_blocked:
        problems.append("public access block is not fully on")
    if bucket.ownership != "BucketOwnerEnforced":
        problems.append(
            f"object ownership is {bucket.ownership}, not BucketOwnerEnforced (ACLs on)"
        )
    public = [policy.statement_label(s) for s in policy.public_allows(bucket.policy)]
    if public:
        problems.append(f"policy allows any principal ({public})")
    return verdict(
        problems,
        f"bucket {bucket.name}",
        "blocks public access",
        public_access_block=None if block is None else asdict(block),
        ownership=bucket.ownership,
        public_statements=public,
    )


@define("S3-TLS-ONLY", Kind.BUCKET, Severity.HIGH, parameters=("transport.tls_only",))
def s3_bucket_denies_insecure_transport(
    bucket: Bucket, params: Parameters, inventory: Inventory
) -> CheckResult:
    if not enabled(params, "transport.tls_only"):
        return not_applicable(f"bucket {bucket.name}: the profile does not require TLS-only")
    arns = [bucket.arn, f"{bucket.arn}/any-object"]
    ok = policy.denies_insecure_transport(bucket.policy, "s3:GetObject", arns)
    ok = ok and policy.denies_insecure_transport(bucket.policy, "s3:PutObject", arns)
    return verdict(
        [] if ok else ["policy has no Deny of s3:* to * when aws:SecureTransport is false"],
        f"bucket {bucket.name}",
        "policy denies requests without TLS",
        has_policy=bucket.policy is not None,
        tls_deny_statement=ok,
    )


@define("S3-AUDIT-VERSIONING", Kind.BUCKET, Severity.MEDIUM, reads=(Kind.TRAIL,))
def s3_audit_bucket_versioned(
    bucket: Bucket, params: Parameters, inventory: Inventory
) -> CheckResult:
    skip = _audit_bucket(bucket, inventory)
    if skip is not None:
        return skip
    return verdict(
        [] if bucket.versioning == "Enabled" else [f"versioning is {bucket.versioning or 'off'}"],
        f"audit bucket {bucket.name}",
        "keeps every object version",
        versioning=bucket.versioning,
        mfa_delete=bucket.mfa_delete,
    )


@define(
    "S3-AUDIT-OBJECT-LOCK",
    Kind.BUCKET,
    Severity.HIGH,
    parameters=("audit.object_lock_mode", "audit.object_lock_days", "audit.s3_max_retention_days"),
    reads=(Kind.TRAIL,),
)
def s3_audit_bucket_object_lock(
    bucket: Bucket, params: Parameters, inventory: Inventory
) -> CheckResult:
    skip = _audit_bucket(bucket, inventory)
    if skip is not None:
        return skip
    mode = param(params, "audit.object_lock_mode")
    days = param(params, "audit.object_lock_days")
    maximum = param(params, "audit.s3_max_retention_days")
    evidence = {
        "object_lock_enabled": bucket.object_lock_enabled,
        "mode": bucket.object_lock_mode,
        "days": bucket.object_lock_days,
        "required_mode": mode,
        "required_days": days,
    }
    subject = f"audit bucket {bucket.name}"
    if mode is None and days is None:
        return not_applicable(f"{subject}: the profile does not require Object Lock", **evidence)
    problems = []
    if not bucket.object_lock_enabled:
        problems.append("Object Lock is off")
    else:
        observed = bucket.object_lock_mode
        if mode is not None and (
            observed not in OBJECT_LOCK_RANK
            or OBJECT_LOCK_RANK.index(observed) < OBJECT_LOCK_RANK.index(mode)
        ):
            problems.append(f"default retention mode is {observed}, the profile needs {mode}")
        if days is not None and (bucket.object_lock_days or 0) < days:
            problems.append(f"default retention {bucket.object_lock_days} days is below {days}")
        if maximum is not None and (bucket.object_lock_days or 0) > maximum:
            problems.append(
                f"default retention {bucket.object_lock_days} days exceeds the maximum {maximum}"
            )
    return verdict(problems, subject, "locks delivered logs", **evidence)


@define("S3-AUDIT-SSE-KMS", Kind.BUCKET, Severity.HIGH, reads=(Kind.TRAIL, Kind.KEY))
def s3_audit_bucket_encrypted_with_cmk(
    bucket: Bucket, params: Parameters, inventory: Inventory
) -> CheckResult:
    skip = _audit_bucket(bucket, inventory)
    if skip is not None:
        return skip
    problems = []
    key = None
    if bucket.sse_algorithm not in ("aws:kms", "aws:kms:dsse"):
        problems.append(f"default encryption is {bucket.sse_algorithm or 'off'}, not SSE-KMS")
    else:
        key, problem = customer_key_problem(inventory, bucket.sse_kms_key_id)
        if problem:
            problems.append(problem)
    return verdict(
        problems,
        f"audit bucket {bucket.name}",
        "encrypts objects with the audit CMK",
        sse_algorithm=bucket.sse_algorithm,
        sse_kms_key_id=bucket.sse_kms_key_id,
        bucket_key_enabled=bucket.bucket_key_enabled,
        **key_evidence(key),
    )


@define("S3-AUDIT-LOGGING", Kind.BUCKET, Severity.MEDIUM, reads=(Kind.TRAIL,))
def s3_audit_bucket_access_logged(
    bucket: Bucket, params: Parameters, inventory: Inventory
) -> CheckResult:
    skip = _audit_bucket(bucket, inventory)
    if skip is not None:
        return skip
    target = bucket.logging_target_bucket
    problems = []
    if not target:
        problems.append("server access logging is off")
    elif target == bucket.name:
        problems.append("logs its own access into itself")
    return verdict(
        problems,
        f"audit bucket {bucket.name}",
        f"access is logged to {target}",
        logging_target_bucket=target,
    )


@define(
    "S3-AUDIT-LIFECYCLE",
    Kind.BUCKET,
    Severity.MEDIUM,
    parameters=("audit.s3_retention_days", "audit.s3_max_retention_days"),
    reads=(Kind.TRAIL,),
)
def s3_audit_bucket_lifecycle_within_retention(
    bucket: Bucket, params: Parameters, inventory: Inventory
) -> CheckResult:
    skip = _audit_bucket(bucket, inventory)
    if skip is not None:
        return skip
    minimum = param(params, "audit.s3_retention_days")
    maximum = param(params, "audit.s3_max_retention_days")
    rules = [r for r in bucket.lifecycle_rules if r.enabled and not r.prefix]
    evidence = {
        "rules": [
            {
                "id": r.id,
                "enabled": r.enabled,
                "prefix": r.prefix,
                "expiration_days": r.expiration_days,
                "noncurrent_expiration_days": r.noncurrent_expiration_days,
            }
            for r in bucket.lifecycle_rules
        ],
        "minimum_days": minimum,
        "maximum_days": maximum,
    }
    subject = f"audit bucket {bucket.name}"
    if not rules:
        return verdict(["has no enabled lifecycle rule for all objects"], subject, "", **evidence)
    problems = []
    expirations = [r.expiration_days for r in rules if r.expiration_days is not None]
    earliest = min(expirations) if expirations else None
    if minimum is not None and earliest is not None and earliest < minimum:
        problems.append(f"expires objects after {earliest} days, before the minimum {minimum}")
    if maximum is not None:
        if earliest is None:
            problems.append(f"never expires objects (maximum {maximum} days)")
        else:
            noncurrent = [
                r.noncurrent_expiration_days
                for r in rules
                if r.noncurrent_expiration_days is not None
            ]
            kept = earliest + (min(noncurrent) if noncurrent else 0)
            if bucket.versioning == "Enabled" and not noncurrent:
                problems.append("never expires noncurrent versions, so expired logs stay")
            elif kept > maximum:
                problems.append(f"keeps objects up to {kept} days, above the maximum {maximum}")
    if problems:
        return verdict(problems, subject, "", **evidence)
    return passed(f"{subject}: lifecycle keeps logs within the profile's retention", **evidence)

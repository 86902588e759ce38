from __future__ import annotations

from typing import Any

from provisioner.inventory.models import LifecycleRule, PublicAccessBlock
from tests.unit.controls.cases import Case, check_case, parametrize
from tests.unit.controls.stack import changed, tls_deny

AUDIT = "audit-logs-123"
ACCESS = "access-logs-123"


def bucket(name: str, **changes: Any):
    return lambda inv: changed(inv, "buckets", name, **changes)


def lifecycle(*rules: LifecycleRule):
    return bucket(AUDIT, lifecycle_rules=rules)


CASES = [
    # S3-AUDIT-BLOCK-PUBLIC (every bucket)
    Case("pass_audit_bucket_private", "S3-AUDIT-BLOCK-PUBLIC", AUDIT),
    Case("pass_access_log_bucket_private", "S3-AUDIT-BLOCK-PUBLIC", ACCESS),
    Case(
        "fail_one_flag_off",
        "S3-AUDIT-BLOCK-PUBLIC",
        AUDIT,
        bucket(AUDIT, public_access_block=PublicAccessBlock(block_public_acls=True)),
        message="public access block",
    ),
    Case(
        "fail_acls_enabled",
        "S3-AUDIT-BLOCK-PUBLIC",
        ACCESS,
        bucket(ACCESS, ownership="ObjectWriter"),
        message="ObjectWriter",
    ),
    Case(
        "fail_public_read_policy",
        "S3-AUDIT-BLOCK-PUBLIC",
        ACCESS,
        bucket(
            ACCESS,
            policy={
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": "*",
                        "Action": "s3:GetObject",
                        "Resource": f"arn:aws:s3:::{ACCESS}/*",
                    }
                ]
            },
        ),
        message="any principal",
    ),
    # S3-TLS-ONLY (every bucket)
    Case("pass_tls_deny_on_bucket_and_objects", "S3-TLS-ONLY", ACCESS),
    Case(
        "fail_deny_covers_only_objects",
        "S3-TLS-ONLY",
        ACCESS,
        bucket(ACCESS, policy={"Statement": [tls_deny("s3:*", f"arn:aws:s3:::{ACCESS}/*")]}),
    ),
    Case("fail_no_policy", "S3-TLS-ONLY", AUDIT, bucket(AUDIT, policy=None)),
    Case(
        "na_profile_without_tls",
        "S3-TLS-ONLY",
        AUDIT,
        bucket(AUDIT, policy=None),
        overrides=(("transport.tls_only", False),),
    ),
    # S3-AUDIT-VERSIONING
    Case("pass_versioned", "S3-AUDIT-VERSIONING", AUDIT),
    Case("fail_suspended", "S3-AUDIT-VERSIONING", AUDIT, bucket(AUDIT, versioning="Suspended")),
    Case("na_not_an_audit_bucket", "S3-AUDIT-VERSIONING", ACCESS, bucket(ACCESS, versioning=None)),
    # S3-AUDIT-OBJECT-LOCK
    Case("pass_compliance_lock_for_pci", "S3-AUDIT-OBJECT-LOCK", AUDIT, profiles=("pci",)),
    Case(
        "pass_compliance_satisfies_governance",
        "S3-AUDIT-OBJECT-LOCK",
        AUDIT,
        bucket(AUDIT, object_lock_mode="COMPLIANCE"),
    ),
    Case(
        "fail_governance_where_pci_needs_compliance",
        "S3-AUDIT-OBJECT-LOCK",
        AUDIT,
        bucket(AUDIT, object_lock_mode="GOVERNANCE"),
        profiles=("pci",),
        message="needs COMPLIANCE",
    ),
    Case(
        "fail_lock_shorter_than_retention",
        "S3-AUDIT-OBJECT-LOCK",
        AUDIT,
        bucket(AUDIT, object_lock_days=30),
        message="30 days is below 365",
    ),
    Case(
        "fail_lock_beyond_gdpr_maximum",
        "S3-AUDIT-OBJECT-LOCK",
        AUDIT,
        bucket(AUDIT, object_lock_days=2192),
        profiles=("gdpr",),
        message="exceeds the maximum 400",
    ),
    Case("fail_lock_off", "S3-AUDIT-OBJECT-LOCK", AUDIT, bucket(AUDIT, object_lock_enabled=False)),
    # S3-AUDIT-SSE-KMS
    Case("pass_sse_kms_with_cmk", "S3-AUDIT-SSE-KMS", AUDIT),
    Case(
        "fail_sse_s3",
        "S3-AUDIT-SSE-KMS",
        AUDIT,
        bucket(AUDIT, sse_algorithm="AES256", sse_kms_key_id=None),
        message="AES256",
    ),
    Case(
        "fail_aws_managed_s3_key",
        "S3-AUDIT-SSE-KMS",
        AUDIT,
        bucket(AUDIT, sse_kms_key_id="alias/aws/s3"),
        message="AWS managed key",
    ),
    Case("na_access_log_bucket_on_sse_s3", "S3-AUDIT-SSE-KMS", ACCESS),
    # S3-AUDIT-LOGGING
    Case("pass_logs_to_separate_bucket", "S3-AUDIT-LOGGING", AUDIT),
    Case("fail_logging_off", "S3-AUDIT-LOGGING", AUDIT, bucket(AUDIT, logging_target_bucket=None)),
    Case(
        "fail_logs_into_itself",
        "S3-AUDIT-LOGGING",
        AUDIT,
        bucket(AUDIT, logging_target_bucket=AUDIT),
        message="into itself",
    ),
    # S3-AUDIT-LIFECYCLE
    Case("pass_expires_after_retention", "S3-AUDIT-LIFECYCLE", AUDIT),
    Case(
        "pass_within_gdpr_maximum",
        "S3-AUDIT-LIFECYCLE",
        AUDIT,
        profiles=("gdpr",),
    ),
    Case(
        "fail_expires_before_pci_minimum",
        "S3-AUDIT-LIFECYCLE",
        AUDIT,
        lifecycle(LifecycleRule(id="short", enabled=True, expiration_days=90)),
        profiles=("pci",),
        message="before the minimum 366",
    ),
    Case(
        "fail_never_expires_under_gdpr",
        "S3-AUDIT-LIFECYCLE",
        AUDIT,
        lifecycle(LifecycleRule(id="archive", enabled=True)),
        profiles=("gdpr",),
        message="never expires objects",
    ),
    Case(
        "fail_noncurrent_versions_kept_forever_under_gdpr",
        "S3-AUDIT-LIFECYCLE",
        AUDIT,
        lifecycle(LifecycleRule(id="expire", enabled=True, expiration_days=365)),
        profiles=("gdpr",),
        message="noncurrent versions",
    ),
    Case(
        "fail_kept_beyond_gdpr_maximum",
        "S3-AUDIT-LIFECYCLE",
        AUDIT,
        lifecycle(
            LifecycleRule(
                id="expire", enabled=True, expiration_days=365, noncurrent_expiration_days=90
            )
        ),
        profiles=("gdpr",),
        message="up to 455 days",
    ),
    Case(
        "fail_only_disabled_rules",
        "S3-AUDIT-LIFECYCLE",
        AUDIT,
        lifecycle(LifecycleRule(id="off", enabled=False, expiration_days=400)),
        message="no enabled lifecycle rule",
    ),
]


@parametrize(CASES)
def test_s3_control(case: Case) -> None:
    check_case(case)

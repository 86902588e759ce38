from __future__ import annotations

import pulumi
import pytest

from components.audit_trail import AuditTrail, AuditTrailArgs
from provisioner.planning import PlanMonitor
from tests.unit.components.helpers import (
    ACCOUNT,
    REGION,
    TAGS,
    by_sid,
    denies_insecure_transport,
    one,
    policy,
    provider,
    public_allows,
    settled,
)

KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/00000000-0000-0000-0000-000000000000"
TRAIL = f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/pci-test-audit"


def _audit(**overrides: object) -> AuditTrail:
    args = {
        "bucket_name": f"pci-test-audit-{ACCOUNT}",
        "trail_name": "pci-test-audit",
        "log_group_name": "/provisioner/pci.test/cloudtrail",
        "account_id": ACCOUNT,
        "region": REGION,
        "kms_key_arn": KEY,
        "object_lock_mode": "COMPLIANCE",
        "object_lock_days": 366,
        "s3_retention_days": 366,
        "log_retention_days": 365,
        "tags": TAGS,
        **overrides,
    }
    return AuditTrail("audit", AuditTrailArgs(**args), opts=provider())  # type: ignore[arg-type]


@pulumi.runtime.test
def test_bucket_is_private_versioned_encrypted_and_locked(
    graph: PlanMonitor,
) -> pulumi.Output[None]:
    _audit()

    async def check() -> None:
        await settled()
        block = one(graph, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs
        for flag in (
            "blockPublicAcls",
            "blockPublicPolicy",
            "ignorePublicAcls",
            "restrictPublicBuckets",
        ):
            assert block[flag] is True, flag
        bucket = one(graph, "aws:s3/bucket:Bucket")
        assert bucket.inputs["objectLockEnabled"] is True
        versioning = one(graph, "aws:s3/bucketVersioning:BucketVersioning").inputs
        assert versioning["versioningConfiguration"]["status"] == "Enabled"
        sse = one(
            graph,
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        ).inputs["rules"][0]["applyServerSideEncryptionByDefault"]
        assert sse == {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": KEY}
        lock = one(graph, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration")
        assert lock.inputs["rule"]["defaultRetention"] == {"mode": "COMPLIANCE", "days": 366}

    return pulumi.Output.from_input(check())


@pulumi.runtime.test
def test_bucket_policy_denies_http_and_admits_only_this_trail(
    graph: PlanMonitor,
) -> pulumi.Output[None]:
    _audit()

    async def check() -> None:
        await settled()
        bucket_arn = one(graph, "aws:s3/bucket:Bucket").state["arn"]
        document = policy(one(graph, "aws:s3/bucketPolicy:BucketPolicy"))
        assert denies_insecure_transport(document, bucket_arn)
        assert not public_allows(document)
        acl = by_sid(document, "CloudTrailAclCheck")
        assert acl["Condition"] == {"StringEquals": {"aws:SourceArn": TRAIL}}
        write = by_sid(document, "CloudTrailWrite")
        assert write["Resource"] == f"{bucket_arn}/AWSLogs/{ACCOUNT}/*"
        assert write["Condition"]["StringEquals"] == {
            "s3:x-amz-acl": "bucket-owner-full-control",
            "aws:SourceArn": TRAIL,
        }

    return pulumi.Output.from_input(check())


@pulumi.runtime.test
def test_trail_records_sqs_and_sns_data_events_everywhere(
    graph: PlanMonitor,
) -> pulumi.Output[None]:
    _audit()

    async def check() -> None:
        await settled()
        trail = one(graph, "aws:cloudtrail/trail:Trail")
        assert trail.state["arn"] == TRAIL
        inputs = trail.inputs
        assert inputs["isMultiRegionTrail"] is True
        assert inputs["includeGlobalServiceEvents"] is True
        assert inputs["enableLogFileValidation"] is True
        assert inputs["kmsKeyId"] == KEY
        data_types = {
            selector["equals"][0]
            for entry in inputs["advancedEventSelectors"]
            for selector in entry["fieldSelectors"]
            if selector["field"] == "resources.type"
        }
        assert data_types == {"AWS::SQS::Queue", "AWS::SNS::Topic"}
        group = one(graph, "aws:cloudwatch/logGroup:LogGroup")
        assert inputs["cloudWatchLogsGroupArn"] == f"{group.state['arn']}:*"
        assert group.inputs["kmsKeyId"] == KEY and group.inputs["retentionInDays"] == 365

    return pulumi.Output.from_input(check())


@pulumi.runtime.test
def test_lifecycle_expires_only_after_the_maximum_retention(
    graph: PlanMonitor,
) -> pulumi.Output[None]:
    _audit(s3_max_retention_days=400)

    async def check() -> None:
        await settled()
        rules = one(
            graph, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
        ).inputs["rules"]
        (expiring,) = [r for r in rules if r.get("expiration")]
        current, noncurrent = (
            expiring["expiration"]["days"],
            expiring["noncurrentVersionExpiration"]["noncurrentDays"],
        )
        assert current >= 366  # never before the minimum retention
        assert current + noncurrent <= 400  # every version gone by the maximum

    return pulumi.Output.from_input(check())


def test_lifecycle_below_the_minimum_retention_is_refused() -> None:
    # Validated before anything is registered, so no mocks are needed.
    with pytest.raises(ValueError, match="s3_max_retention_days"):
        _audit(s3_retention_days=366, s3_max_retention_days=100)


@pulumi.runtime.test
def test_protect_marks_bucket_log_group_and_trail(graph: PlanMonitor) -> pulumi.Output[None]:
    _audit(protect=True)

    async def check() -> None:
        await settled()
        for type_ in (
            "aws:s3/bucket:Bucket",
            "aws:cloudtrail/trail:Trail",
            "aws:cloudwatch/logGroup:LogGroup",
        ):
            resource = one(graph, type_)
            assert resource.protect and resource.retain_on_delete, type_

    return pulumi.Output.from_input(check())


@pulumi.runtime.test
def test_access_logs_go_to_a_separate_private_bucket(graph: PlanMonitor) -> pulumi.Output[None]:
    _audit(access_log_bucket_name=f"pci-test-access-logs-{ACCOUNT}")

    async def check() -> None:
        await settled()
        audit_bucket = one(graph, "aws:s3/bucket:Bucket", "audit-bucket")
        log_bucket = one(graph, "aws:s3/bucket:Bucket", "audit-access-log-bucket")
        logging = one(graph, "aws:s3/bucketLogging:BucketLogging").inputs
        assert logging["bucket"] == audit_bucket.id
        assert logging["targetBucket"] == log_bucket.id != audit_bucket.id
        block = one(
            graph,
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
            "audit-access-log-public-access-block",
        ).inputs
        assert block["blockPublicPolicy"] is True and block["restrictPublicBuckets"] is True
        document = policy(
            one(graph, "aws:s3/bucketPolicy:BucketPolicy", "audit-access-log-bucket-policy")
        )
        assert denies_insecure_transport(document, log_bucket.state["arn"])
        writer = by_sid(document, "S3ServerAccessLogs")
        assert writer["Principal"] == {"Service": "logging.s3.amazonaws.com"}
        assert writer["Condition"]["ArnLike"] == {"aws:SourceArn": audit_bucket.state["arn"]}

    return pulumi.Output.from_input(check())


@pulumi.runtime.test
def test_audit_log_group_carries_the_tag_erase_looks_for(
    graph: PlanMonitor,
) -> pulumi.Output[None]:
    from provisioner.messaging.audit import AUDIT_LOG_TAG_KEY, AUDIT_LOG_TAG_VALUE

    _audit()

    async def check() -> None:
        await settled()
        tags = one(graph, "aws:cloudwatch/logGroup:LogGroup").inputs["tags"]
        assert tags[AUDIT_LOG_TAG_KEY] == AUDIT_LOG_TAG_VALUE
        assert tags["provisioner:stack"] == TAGS["provisioner:stack"]

    return pulumi.Output.from_input(check())

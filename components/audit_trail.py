"""AuditTrail: an immutable, private, KMS-encrypted log bucket and a multi-region CloudTrail."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components._naming import child_opts, merged_tags, type_token
from components._policy import condition, deny_insecure_transport, policy_json, statement

ACCESS_LOG_PREFIX = "access-logs/"
# Marks the stack's audit log group, where `provisioner erase` also writes its audit records.
AUDIT_LOG_TAG = {"provisioner:log": "audit"}


@dataclass(frozen=True, kw_only=True)
class AuditTrailArgs:
    bucket_name: pulumi.Input[str]
    trail_name: str
    log_group_name: str
    account_id: pulumi.Input[str]
    region: pulumi.Input[str]
    partition: pulumi.Input[str] = "aws"
    kms_key_arn: pulumi.Input[str]
    multi_region: bool = True
    log_file_validation: bool = True
    # Resource types whose data events are recorded (advanced event selectors).
    data_event_resource_types: Sequence[str] = ("AWS::SQS::Queue", "AWS::SNS::Topic")
    object_lock_mode: str = "GOVERNANCE"
    object_lock_days: int = 365
    s3_retention_days: int = 365
    s3_max_retention_days: int | None = None
    log_retention_days: int = 365
    # Where S3 server access logs of the audit bucket go (a separate bucket; None: no logging).
    access_log_bucket_name: pulumi.Input[str] | None = None
    protect: bool = False
    tags: Mapping[str, str] = field(default_factory=dict)


class AuditTrail(pulumi.ComponentResource):
    bucket: aws.s3.Bucket
    access_log_bucket: aws.s3.Bucket | None
    bucket_policy: aws.s3.BucketPolicy
    log_group: aws.cloudwatch.LogGroup
    trail: aws.cloudtrail.Trail
    trail_arn: pulumi.Output[str]
    bucket_name: pulumi.Output[str]
    bucket_arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: AuditTrailArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        if args.s3_max_retention_days is not None and (
            args.s3_max_retention_days < args.s3_retention_days
        ):
            raise ValueError("s3_max_retention_days must not be below s3_retention_days")
        super().__init__(type_token("AuditTrail"), name, None, opts)
        trail_arn = pulumi.Output.format(
            "arn:{0}:cloudtrail:{1}:{2}:trail/{3}",
            args.partition,
            args.region,
            args.account_id,
            args.trail_name,
        )
        self.bucket = aws.s3.Bucket(
            f"{name}-bucket",
            bucket=args.bucket_name,
            object_lock_enabled=True,
            force_destroy=False,
            tags=merged_tags(args.tags, Name=f"{name}-audit-logs"),
            opts=child_opts(self, protect=args.protect),
        )
        bucket_id = self.bucket.id
        public_block = aws.s3.BucketPublicAccessBlock(
            f"{name}-public-access-block",
            bucket=bucket_id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child_opts(self),
        )
        aws.s3.BucketOwnershipControls(
            f"{name}-ownership",
            bucket=bucket_id,
            rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
            opts=child_opts(self),
        )
        versioning = aws.s3.BucketVersioning(
            f"{name}-versioning",
            bucket=bucket_id,
            versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(
                status="Enabled"
            ),
            opts=child_opts(self),
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption",
            bucket=bucket_id,
            rules=[
                aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                    apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                        sse_algorithm="aws:kms", kms_master_key_id=args.kms_key_arn
                    ),
                )
            ],
            opts=child_opts(self),
        )
        aws.s3.BucketObjectLockConfiguration(
            f"{name}-object-lock",
            bucket=bucket_id,
            object_lock_enabled="Enabled",
            rule=aws.s3.BucketObjectLockConfigurationRuleArgs(
                default_retention=aws.s3.BucketObjectLockConfigurationRuleDefaultRetentionArgs(
                    mode=args.object_lock_mode, days=args.object_lock_days
                )
            ),
            opts=child_opts(self, depends_on=[versioning]),
        )
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-lifecycle",
            bucket=bucket_id,
            rules=_lifecycle_rules(args),
            opts=child_opts(self, depends_on=[versioning]),
        )
        self.bucket_policy = aws.s3.BucketPolicy(
            f"{name}-bucket-policy",
            bucket=bucket_id,
            policy=policy_json(self, _bucket_statements(args, self.bucket.arn, trail_arn)),
            opts=child_opts(self, depends_on=[public_block]),
        )

        self.access_log_bucket = None
        if args.access_log_bucket_name is not None:
            self.access_log_bucket = self._access_log_bucket(name, args)
            aws.s3.BucketLogging(
                f"{name}-access-logging",
                bucket=bucket_id,
                target_bucket=self.access_log_bucket.id,
                target_prefix=ACCESS_LOG_PREFIX,
                opts=child_opts(self),
            )

        self.log_group = aws.cloudwatch.LogGroup(
            f"{name}-log-group",
            name=args.log_group_name,
            kms_key_id=args.kms_key_arn,
            retention_in_days=args.log_retention_days,
            tags=merged_tags(args.tags, **AUDIT_LOG_TAG, Name=args.log_group_name),
            opts=child_opts(self, protect=args.protect),
        )
        delivery_role = aws.iam.Role(
            f"{name}-cloudwatch-role",
            assume_role_policy=policy_json(
                self,
                [
                    statement(
                        sid="CloudTrailAssume",
                        actions=["sts:AssumeRole"],
                        principal=("Service", ["cloudtrail.amazonaws.com"]),
                        conditions=[condition("StringEquals", "aws:SourceArn", [trail_arn])],
                    )
                ],
            ),
            tags=merged_tags(args.tags, Name=f"{name}-cloudwatch-role"),
            opts=child_opts(self),
        )
        delivery_policy = aws.iam.RolePolicy(
            f"{name}-cloudwatch-delivery",
            role=delivery_role.id,
            policy=policy_json(
                self,
                [
                    statement(
                        sid="DeliverTrailEvents",
                        actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                        resources=[
                            pulumi.Output.concat(self.log_group.arn, ":log-stream:*"),
                        ],
                    )
                ],
            ),
            opts=child_opts(self),
        )
        self.trail = aws.cloudtrail.Trail(
            f"{name}-trail",
            name=args.trail_name,
            s3_bucket_name=bucket_id,
            is_multi_region_trail=args.multi_region,
            include_global_service_events=True,
            enable_log_file_validation=args.log_file_validation,
            enable_logging=True,
            kms_key_id=args.kms_key_arn,
            advanced_event_selectors=_event_selectors(args.data_event_resource_types),
            cloud_watch_logs_group_arn=pulumi.Output.concat(self.log_group.arn, ":*"),
            cloud_watch_logs_role_arn=delivery_role.arn,
            tags=merged_tags(args.tags, Name=args.trail_name),
            opts=child_opts(
                self, protect=args.protect, depends_on=[self.bucket_policy, delivery_policy]
            ),
        )
        self.trail_arn = self.trail.arn
        self.bucket_name = self.bucket.bucket
        self.bucket_arn = self.bucket.arn
        self.register_outputs(
            {
                "trail_arn": self.trail_arn,
                "bucket_name": self.bucket_name,
                "log_group_arn": self.log_group.arn,
            }
        )

    def _access_log_bucket(self, name: str, args: AuditTrailArgs) -> aws.s3.Bucket:
        """A private, TLS-only bucket receiving the audit bucket's S3 server access logs."""
        bucket = aws.s3.Bucket(
            f"{name}-access-log-bucket",
            bucket=args.access_log_bucket_name,
            force_destroy=False,
            tags=merged_tags(args.tags, Name=f"{name}-access-logs"),
            opts=child_opts(self, protect=args.protect),
        )
        block = aws.s3.BucketPublicAccessBlock(
            f"{name}-access-log-public-access-block",
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child_opts(self),
        )
        aws.s3.BucketOwnershipControls(
            f"{name}-access-log-ownership",
            bucket=bucket.id,
            rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
            opts=child_opts(self),
        )
        # S3 server access logging cannot deliver to an SSE-KMS bucket; SSE-S3 it is.
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-access-log-encryption",
            bucket=bucket.id,
            rules=[
                aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                    apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                        sse_algorithm="AES256"
                    ),
                )
            ],
            opts=child_opts(self),
        )
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-access-log-lifecycle",
            bucket=bucket.id,
            rules=_lifecycle_rules(args),
            opts=child_opts(self),
        )
        objects = pulumi.Output.concat(bucket.arn, "/*")
        aws.s3.BucketPolicy(
            f"{name}-access-log-bucket-policy",
            bucket=bucket.id,
            policy=policy_json(
                self,
                [
                    deny_insecure_transport(
                        "DenyInsecureTransport", ["s3:*"], [bucket.arn, objects]
                    ),
                    statement(
                        sid="S3ServerAccessLogs",
                        actions=["s3:PutObject"],
                        resources=[pulumi.Output.concat(bucket.arn, "/", ACCESS_LOG_PREFIX, "*")],
                        principal=("Service", ["logging.s3.amazonaws.com"]),
                        conditions=[
                            condition("ArnLike", "aws:SourceArn", [self.bucket.arn]),
                            condition("StringEquals", "aws:SourceAccount", [args.account_id]),
                        ],
                    ),
                ],
            ),
            opts=child_opts(self, depends_on=[block]),
        )
        return bucket


def _event_selectors(
    data_resource_types: Sequence[str],
) -> list[aws.cloudtrail.TrailAdvancedEventSelectorArgs]:
    field_selector = aws.cloudtrail.TrailAdvancedEventSelectorFieldSelectorArgs
    selectors = [
        aws.cloudtrail.TrailAdvancedEventSelectorArgs(
            name="Management events",
            field_selectors=[field_selector(field="eventCategory", equals=["Management"])],
        )
    ]
    for resource_type in data_resource_types:
        selectors.append(
            aws.cloudtrail.TrailAdvancedEventSelectorArgs(
                name=f"Data events: {resource_type}",
                field_selectors=[
                    field_selector(field="eventCategory", equals=["Data"]),
                    field_selector(field="resources.type", equals=[resource_type]),
                ],
            )
        )
    return selectors


def _lifecycle_rules(args: AuditTrailArgs) -> list[aws.s3.BucketLifecycleConfigurationRuleArgs]:
    everything = aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix="")
    rules = [
        aws.s3.BucketLifecycleConfigurationRuleArgs(
            id="abort-incomplete-uploads",
            status="Enabled",
            filter=everything,
            abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                days_after_initiation=7
            ),
        )
    ]
    if args.s3_max_retention_days is not None:
        # The storage limit: logs are gone when the longest allowed retention is over, and
        # never expire before the minimum retention.
        rules.append(
            aws.s3.BucketLifecycleConfigurationRuleArgs(
                id="expire-after-maximum-retention",
                status="Enabled",
                filter=everything,
                expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(
                    days=max(args.s3_retention_days, args.s3_max_retention_days - 1)
                ),
                # A version turns noncurrent when it expires; it is gone one day later, so an
                # object lives at most the maximum retention.
                noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                    noncurrent_days=1
                ),
            )
        )
    return rules


def _bucket_statements(
    args: AuditTrailArgs, bucket_arn: pulumi.Output[str], trail_arn: pulumi.Output[str]
) -> list[aws.iam.GetPolicyDocumentStatementArgs]:
    objects = pulumi.Output.concat(bucket_arn, "/*")
    trail_objects = pulumi.Output.format("{0}/AWSLogs/{1}/*", bucket_arn, args.account_id)
    from_trail = condition("StringEquals", "aws:SourceArn", [trail_arn])
    return [
        deny_insecure_transport("DenyInsecureTransport", ["s3:*"], [bucket_arn, objects]),
        statement(
            sid="CloudTrailAclCheck",
            actions=["s3:GetBucketAcl"],
            resources=[bucket_arn],
            principal=("Service", ["cloudtrail.amazonaws.com"]),
            conditions=[from_trail],
        ),
        statement(
            sid="CloudTrailWrite",
            actions=["s3:PutObject"],
            resources=[trail_objects],
            principal=("Service", ["cloudtrail.amazonaws.com"]),
            conditions=[
                condition("StringEquals", "s3:x-amz-acl", ["bucket-owner-full-control"]),
                from_trail,
            ],
        ),
    ]

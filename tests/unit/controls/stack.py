"""A hand-built inventory of a compliant stack, shaped by a profile's parameters.

Tests start from it and break exactly one thing, so each case shows one control going red.
The same builder is the reference for what "compliant" means to the catalog.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from provisioner.inventory.models import (
    AdvancedEventSelector,
    Alarm,
    Bucket,
    ConfigRecorder,
    ConfigRule,
    FieldSelector,
    FlowLog,
    Inventory,
    Key,
    LifecycleRule,
    LogGroup,
    MetricFilter,
    PublicAccessBlock,
    Queue,
    RedriveAllowPolicy,
    RedrivePolicy,
    Role,
    SecurityGroup,
    SecurityGroupRule,
    Subscription,
    Topic,
    Trail,
    Vpc,
    VpcEndpoint,
)
from provisioner.profiles import ANY_REGION, Parameters, ProfileCatalog, merge_profiles

ACCOUNT = "123456789012"
STACK = "pci.prod"
TAGS = {"provisioner:stack": STACK, "managed-by": "provisioner"}


def parameters(*profiles: str) -> Parameters:
    catalog = ProfileCatalog()
    return merge_profiles([catalog.load(name) for name in profiles]).parameters


def tls_deny(action: str, *resources: str) -> dict[str, Any]:
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": action,
        "Resource": list(resources),
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def security_filter(name: str, pattern: str) -> MetricFilter:
    return MetricFilter(
        name=name, pattern=pattern, metric_name=name, metric_namespace="Provisioner/Security"
    )


SECURITY_FILTERS = (
    security_filter("kms", "{($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)}"),
    security_filter(
        "trail",
        "{($.eventName=StopLogging)||($.eventName=DeleteTrail)||($.eventName=UpdateTrail)}",
    ),
    security_filter(
        "iam",
        "{($.eventName=PutRolePolicy)||($.eventName=AttachRolePolicy)"
        "||($.eventName=CreatePolicyVersion)}",
    ),
    security_filter(
        "sg",
        "{($.eventName=AuthorizeSecurityGroupIngress)||($.eventName=RevokeSecurityGroupIngress)}",
    ),
    security_filter(
        "config",
        "{($.eventName=StopConfigurationRecorder)||($.eventName=DeleteDeliveryChannel)}",
    ),
    security_filter(
        "unauthorized",
        '{($.errorCode="*UnauthorizedOperation")||($.errorCode="AccessDenied*")}',
    ),
)


def compliant_inventory(params: Parameters) -> Inventory:
    allowed = params.regions.allowed.value if params.regions.allowed else [ANY_REGION]
    region = "eu-west-1" if ANY_REGION in allowed else allowed[0]
    arn = f"arn:aws:%s:{region}:{ACCOUNT}:%s"
    key_arn = arn % ("kms", "key/1111-2222")
    orders = arn % ("sqs", "orders")
    dlq = arn % ("sqs", "orders-dlq")
    events = arn % ("sns", "events")
    alerts = arn % ("sns", "alerts")
    trail_arn = arn % ("cloudtrail", "trail/audit")
    trail_group = arn % ("logs", "log-group:/provisioner/trail")
    flow_group = arn % ("logs", "log-group:/provisioner/flow")
    audit = "audit-logs-123"
    access = "access-logs-123"
    fips = bool(params.transport.fips_endpoints and params.transport.fips_endpoints.value)

    key = Key(
        arn=key_arn,
        key_id="1111-2222",
        rotation_enabled=True,
        rotation_period_days=params.kms.rotation_period_days.value
        if params.kms.rotation_period_days
        else 365,
        deletion_window_days=30,
        aliases=("alias/provisioner",),
        policy={
            "Statement": [
                {
                    "Sid": "AccountRoot",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                    "Action": "kms:*",
                    "Resource": "*",
                },
                {
                    "Sid": "SnsToEncryptedQueues",
                    "Effect": "Allow",
                    "Principal": {"Service": "sns.amazonaws.com"},
                    "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
                    "Resource": "*",
                    "Condition": {"ArnEquals": {"aws:SourceArn": [events, alerts]}},
                },
                {
                    "Sid": "CloudWatchAlarms",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudwatch.amazonaws.com"},
                    "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
                    "Resource": "*",
                    "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
                },
                {
                    "Sid": "EventBridge",
                    "Effect": "Allow",
                    "Principal": {"Service": "events.amazonaws.com"},
                    "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
                    "Resource": "*",
                },
                {
                    "Sid": "Logs",
                    "Effect": "Allow",
                    "Principal": {"Service": f"logs.{region}.amazonaws.com"},
                    "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:GenerateDataKey*"],
                    "Resource": "*",
                    "Condition": {
                        "ArnLike": {
                            "kms:EncryptionContext:aws:logs:arn": arn % ("logs", "log-group:*")
                        }
                    },
                },
                {
                    "Sid": "CloudTrail",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudtrail.amazonaws.com"},
                    "Action": "kms:GenerateDataKey*",
                    "Resource": "*",
                    "Condition": {"StringEquals": {"aws:SourceArn": trail_arn}},
                },
            ]
        },
        tags=TAGS,
    )
    queue_policy = {
        "Statement": [
            tls_deny("sqs:*", orders),
            {
                "Sid": "FromEventsTopic",
                "Effect": "Allow",
                "Principal": {"Service": "sns.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": orders,
                "Condition": {"ArnEquals": {"aws:SourceArn": events}},
            },
        ]
    }
    source_retention = params.queue.max_message_retention_seconds
    dlq_retention = params.queue.dlq_retention_seconds
    queues = (
        Queue(
            arn=orders,
            name="orders",
            kms_master_key_id="alias/provisioner",
            retention_seconds=source_retention.value if source_retention else 345_600,
            redrive_policy=RedrivePolicy(dead_letter_target_arn=dlq, max_receive_count=5),
            policy=queue_policy,
            tags=TAGS,
        ),
        Queue(
            arn=dlq,
            name="orders-dlq",
            kms_master_key_id=key_arn,
            retention_seconds=dlq_retention.value if dlq_retention else 1_209_600,
            redrive_allow_policy=RedriveAllowPolicy(
                permission="byQueue", source_queue_arns=(orders,)
            ),
            policy={
                "Statement": [
                    tls_deny("sqs:*", dlq),
                    {
                        "Sid": "SubscriptionDeadLetters",
                        "Effect": "Allow",
                        "Principal": {"Service": "sns.amazonaws.com"},
                        "Action": "sqs:SendMessage",
                        "Resource": dlq,
                        "Condition": {"ArnEquals": {"aws:SourceArn": events}},
                    },
                ]
            },
            is_dlq=True,
            tags=TAGS,
        ),
    )

    def topic(topic_arn: str, name: str, publishers: list[dict[str, Any]]) -> Topic:
        return Topic(
            arn=topic_arn,
            name=name,
            kms_master_key_id=key_arn,
            signature_version=2,
            policy={"Statement": [tls_deny("sns:Publish", topic_arn), *publishers]},
            tags=TAGS,
        )

    topics = (
        topic(events, "events", []),
        topic(
            alerts,
            "alerts",
            [
                {
                    "Sid": "Alarms",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudwatch.amazonaws.com"},
                    "Action": "sns:Publish",
                    "Resource": alerts,
                    "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
                },
                {
                    "Sid": "EventBridge",
                    "Effect": "Allow",
                    "Principal": {"Service": "events.amazonaws.com"},
                    "Action": "sns:Publish",
                    "Resource": alerts,
                },
            ],
        ),
    )
    subscriptions = (
        Subscription(
            arn=f"{events}:sub-orders",
            topic_arn=events,
            protocol="sqs",
            endpoint=orders,
            raw_message_delivery=True,
            redrive_policy_dlq_arn=dlq,
        ),
        Subscription(
            arn=f"{alerts}:sub-email",
            topic_arn=alerts,
            protocol="email",
            endpoint="secops@example.com",
        ),
    )
    audit_policy = {
        "Statement": [
            tls_deny("s3:*", f"arn:aws:s3:::{audit}", f"arn:aws:s3:::{audit}/*"),
            {
                "Sid": "CloudTrailWrite",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "s3:PutObject",
                "Resource": f"arn:aws:s3:::{audit}/AWSLogs/{ACCOUNT}/*",
                "Condition": {
                    "StringEquals": {
                        "s3:x-amz-acl": "bucket-owner-full-control",
                        "aws:SourceArn": trail_arn,
                    }
                },
            },
        ]
    }
    lock_days = params.audit.object_lock_days.value if params.audit.object_lock_days else 365
    retention = params.audit.s3_retention_days.value if params.audit.s3_retention_days else 365
    buckets = (
        Bucket(
            name=audit,
            arn=f"arn:aws:s3:::{audit}",
            region=region,
            public_access_block=PublicAccessBlock(
                block_public_acls=True,
                ignore_public_acls=True,
                block_public_policy=True,
                restrict_public_buckets=True,
            ),
            ownership="BucketOwnerEnforced",
            versioning="Enabled",
            object_lock_enabled=True,
            object_lock_mode=params.audit.object_lock_mode.value
            if params.audit.object_lock_mode
            else "COMPLIANCE",
            object_lock_days=lock_days,
            sse_algorithm="aws:kms",
            sse_kms_key_id=key_arn,
            bucket_key_enabled=True,
            policy=audit_policy,
            lifecycle_rules=(
                LifecycleRule(
                    id="expire",
                    enabled=True,
                    expiration_days=max(retention, lock_days),
                    noncurrent_expiration_days=1,
                ),
            ),
            logging_target_bucket=access,
            tags=TAGS,
        ),
        Bucket(
            name=access,
            arn=f"arn:aws:s3:::{access}",
            region=region,
            public_access_block=PublicAccessBlock(
                block_public_acls=True,
                ignore_public_acls=True,
                block_public_policy=True,
                restrict_public_buckets=True,
            ),
            ownership="BucketOwnerEnforced",
            versioning="Enabled",
            sse_algorithm="AES256",
            policy={
                "Statement": [
                    tls_deny("s3:*", f"arn:aws:s3:::{access}", f"arn:aws:s3:::{access}/*")
                ]
            },
            tags=TAGS,
        ),
    )
    data_selector = AdvancedEventSelector(
        name="messaging data events",
        field_selectors=(
            FieldSelector(field="eventCategory", equals=("Data",)),
            FieldSelector(field="resources.type", equals=("AWS::SQS::Queue",)),
        ),
    )
    trails = (
        Trail(
            arn=trail_arn,
            name="audit",
            home_region=region,
            s3_bucket_name=audit,
            multi_region=True,
            global_events=True,
            log_file_validation=True,
            kms_key_id=key_arn,
            advanced_event_selectors=(
                AdvancedEventSelector(
                    name="management",
                    field_selectors=(FieldSelector(field="eventCategory", equals=("Management",)),),
                ),
                data_selector,
                AdvancedEventSelector(
                    name="sns data events",
                    field_selectors=(
                        FieldSelector(field="eventCategory", equals=("Data",)),
                        FieldSelector(field="resources.type", equals=("AWS::SNS::Topic",)),
                        FieldSelector(field="resources.ARN", starts_with=(arn % ("sns", ""),)),
                    ),
                ),
            ),
            cw_logs_group_arn=f"{trail_group}:*",
            cw_logs_role_arn=f"arn:aws:iam::{ACCOUNT}:role/trail-to-logs",
            tags=TAGS,
        ),
    )
    cw_days = (
        params.audit.cloudwatch_retention_days.value
        if params.audit.cloudwatch_retention_days
        else 365
    )
    log_groups = (
        LogGroup(
            name="/provisioner/trail",
            arn=trail_group,
            retention_days=cw_days,
            kms_key_id=key_arn,
            metric_filters=SECURITY_FILTERS,
        ),
        LogGroup(
            name="/provisioner/flow", arn=flow_group, retention_days=cw_days, kms_key_id=key_arn
        ),
    )

    def alarm(
        name: str, namespace: str, metric: str, dimension: dict[str, str], threshold: float
    ) -> Alarm:
        return Alarm(
            name=name,
            arn=arn % ("cloudwatch", f"alarm:{name}"),
            namespace=namespace,
            metric_name=metric,
            dimensions=dimension,
            comparison_operator="GreaterThanThreshold",
            threshold=threshold,
            alarm_actions=(alerts,),
        )

    alarms_params = params.alarms
    alarms = (
        alarm(
            "orders-age",
            "AWS/SQS",
            "ApproximateAgeOfOldestMessage",
            {"QueueName": "orders"},
            alarms_params.oldest_message_age_seconds.value
            if alarms_params.oldest_message_age_seconds
            else 3600,
        ),
        alarm(
            "orders-volume",
            "AWS/SQS",
            "NumberOfMessagesSent",
            {"QueueName": "orders"},
            alarms_params.message_volume_threshold.value
            if alarms_params.message_volume_threshold
            else 10_000,
        ),
        alarm(
            "orders-dlq-depth",
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            {"QueueName": "orders-dlq"},
            alarms_params.dlq_depth_threshold.value if alarms_params.dlq_depth_threshold else 0,
        ),
        alarm(
            "events-failed", "AWS/SNS", "NumberOfNotificationsFailed", {"TopicName": "events"}, 0
        ),
        alarm(
            "alerts-failed", "AWS/SNS", "NumberOfNotificationsFailed", {"TopicName": "alerts"}, 0
        ),
        *(
            alarm(f"security-{f.name}", f.metric_namespace, f.metric_name, {}, 0)
            for f in SECURITY_FILTERS
        ),
    )
    required = params.network.required_endpoints.value if params.network.required_endpoints else []

    def endpoint_service(service: str) -> str:
        if fips and f"{service}-fips" in {"sqs-fips", "sns-fips", "kms-fips"}:
            service = f"{service}-fips"
        return f"com.amazonaws.{region}.{service}"

    vpc_endpoints = tuple(
        VpcEndpoint(
            id=f"vpce-{service}",
            arn=arn % ("ec2", f"vpc-endpoint/vpce-{service}"),
            vpc_id="vpc-1",
            service_name=endpoint_service(service),
            endpoint_type="Interface",
            private_dns_enabled=True,
            subnet_ids=("subnet-a", "subnet-b"),
            availability_zones=(f"{region}a", f"{region}b"),
            security_group_ids=("sg-endpoints",),
            policy={
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": "*",
                        "Action": "*",
                        "Resource": "*",
                        "Condition": {"StringEquals": {"aws:PrincipalAccount": ACCOUNT}},
                    }
                ]
            },
            tags=TAGS,
        )
        for service in required
    )
    security_groups = (
        SecurityGroup(
            id="sg-endpoints",
            arn=arn % ("ec2", "security-group/sg-endpoints"),
            name="endpoints",
            vpc_id="vpc-1",
            ingress=(
                SecurityGroupRule(
                    protocol="tcp", from_port=443, to_port=443, cidr_ipv4=("10.42.0.0/16",)
                ),
            ),
            egress=(SecurityGroupRule(protocol="-1", cidr_ipv4=("0.0.0.0/0",)),),
            tags=TAGS,
        ),
        SecurityGroup(
            id="sg-default",
            arn=arn % ("ec2", "security-group/sg-default"),
            name="default",
            vpc_id="vpc-1",
            is_default=True,
        ),
    )
    vpcs = (
        Vpc(
            id="vpc-1",
            arn=arn % ("ec2", "vpc/vpc-1"),
            cidr_block="10.42.0.0/16",
            flow_logs=(FlowLog(id="fl-1", destination=flow_group),),
            tags=TAGS,
        ),
    )
    producer = Role(
        arn=f"arn:aws:iam::{ACCOUNT}:role/producer",
        name="producer",
        trust_policy={
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                    "Action": "sts:AssumeRole",
                }
            ]
        },
        inline_policies={
            "produce": {
                "Statement": [
                    {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": orders},
                    {"Effect": "Allow", "Action": "sns:Publish", "Resource": events},
                    {
                        "Effect": "Allow",
                        "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
                        "Resource": key_arn,
                    },
                ]
            }
        },
    )
    consumer = Role(
        arn=f"arn:aws:iam::{ACCOUNT}:role/consumer",
        name="consumer",
        trust_policy=producer.trust_policy,
        inline_policies={
            "consume": {
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": [
                            "sqs:ReceiveMessage",
                            "sqs:DeleteMessage",
                            "sqs:ChangeMessageVisibility",
                            "sqs:GetQueueAttributes",
                        ],
                        "Resource": orders,
                    },
                    {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": key_arn},
                ]
            }
        },
    )
    trail_role = Role(
        arn=f"arn:aws:iam::{ACCOUNT}:role/trail-to-logs",
        name="trail-to-logs",
        trust_policy={
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudtrail.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
                }
            ]
        },
        inline_policies={
            "deliver": {
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                        "Resource": f"{trail_group}:*",
                    }
                ]
            }
        },
    )
    rules = params.config.rules.value if params.config.rules else []
    return Inventory(
        source="plan",
        account=ACCOUNT,
        region=region,
        stack=STACK,
        keys=(key,),
        queues=queues,
        topics=topics,
        subscriptions=subscriptions,
        buckets=buckets,
        trails=trails,
        log_groups=log_groups,
        config_recorders=(
            ConfigRecorder(
                name="default",
                region=region,
                role_arn=f"arn:aws:iam::{ACCOUNT}:role/config",
                all_supported=True,
                include_global_resource_types=True,
                recording=True,
                last_status="SUCCESS",
                delivery_bucket=audit,
                delivery_kms_key_arn=key_arn,
            ),
        ),
        config_rules=tuple(
            ConfigRule(
                name=rule.lower(),
                arn=arn % ("config", f"config-rule/{rule}"),
                source_identifier=rule,
            )
            for rule in rules
        ),
        alarms=alarms,
        vpc_endpoints=vpc_endpoints,
        security_groups=security_groups,
        roles=(producer, consumer, trail_role),
        vpcs=vpcs,
    )


def changed(inventory: Inventory, field: str, name: str, **changes: Any) -> Inventory:
    """The inventory with one resource (found by name, id or ARN) changed."""
    resources = getattr(inventory, field)
    matched = [r for r in resources if name in _names(r)]
    assert len(matched) == 1, f"{field}: no single resource named {name}"
    updated = tuple(replace(r, **changes) if r is matched[0] else r for r in resources)
    fields: dict[str, Any] = {field: updated}
    return replace(inventory, **fields)


def without(inventory: Inventory, field: str, name: str | None = None) -> Inventory:
    """The inventory without one resource of a kind (or without every one when name is None)."""
    resources = getattr(inventory, field)
    fields: dict[str, Any] = {
        field: tuple(r for r in resources if name is not None and name not in _names(r))
    }
    return replace(inventory, **fields)


def added(inventory: Inventory, field: str, resource: Any) -> Inventory:
    fields: dict[str, Any] = {field: (*getattr(inventory, field), resource)}
    return replace(inventory, **fields)


def _names(resource: Any) -> set[str]:
    return {
        str(getattr(resource, a)) for a in ("name", "id", "key_id", "arn") if hasattr(resource, a)
    }

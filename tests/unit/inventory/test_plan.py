"""The planned resource graph becomes the same inventory models live AWS fills.

Resources here are hand-built the way `provisioner.planning` records them: the Pulumi type token,
the camelCase inputs the program set (policies as JSON strings, as `get_policy_document().json`
produces them) and the mock state (ids and ARNs).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from provisioner.inventory.models import (
    FieldSelector,
    LifecycleRule,
    LifecycleTransition,
    PublicAccessBlock,
    RedriveAllowPolicy,
    RedrivePolicy,
    SecurityGroupRule,
)
from provisioner.inventory.plan import inventory_from_plan

ACCOUNT = "123456789012"
REGION = "eu-west-1"
TAGS = {"managed-by": "provisioner", "provisioner:stack": "pci.prod"}
KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/k-1"
QUEUE_ARN = f"arn:aws:sqs:{REGION}:{ACCOUNT}:orders"
DLQ_ARN = f"arn:aws:sqs:{REGION}:{ACCOUNT}:orders-dlq"
QUEUE_URL = f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/orders"
DLQ_URL = f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/orders-dlq"
TOPIC_ARN = f"arn:aws:sns:{REGION}:{ACCOUNT}:events"

TLS_ONLY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Action": "sqs:*",
            "Resource": QUEUE_ARN,
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    ],
}


@dataclass(frozen=True)
class Planned:
    type: str
    name: str
    inputs: Mapping[str, Any]
    state: Mapping[str, Any] = field(default_factory=dict)
    id: str | None = None
    parent: str = ""
    urn: str = ""
    custom: bool = True


@dataclass(frozen=True)
class Plan:
    resources: list[Planned]


def _plan(*resources: Planned) -> Plan:
    return Plan(resources=list(resources))


def test_queue_folds_policy_and_redrive_resources_and_marks_its_dlq() -> None:
    inventory = inventory_from_plan(
        _plan(
            Planned(
                "aws:sqs/queue:Queue",
                "orders-dlq",
                {"name": "orders-dlq", "kmsMasterKeyId": KEY_ARN, "tags": TAGS},
                {"arn": DLQ_ARN, "url": DLQ_URL},
                id=DLQ_URL,
            ),
            Planned(
                "aws:sqs/queue:Queue",
                "orders",
                {
                    "name": "orders",
                    "kmsMasterKeyId": KEY_ARN,
                    "kmsDataKeyReusePeriodSeconds": 300,
                    "messageRetentionSeconds": 86400,
                    "sqsManagedSseEnabled": False,
                    "redrivePolicy": json.dumps(
                        {"deadLetterTargetArn": DLQ_ARN, "maxReceiveCount": 5}
                    ),
                    "tags": TAGS,
                },
                {"arn": QUEUE_ARN, "url": QUEUE_URL},
                id=QUEUE_URL,
            ),
            Planned(
                "aws:sqs/queuePolicy:QueuePolicy",
                "orders-policy",
                {"queueUrl": QUEUE_URL, "policy": json.dumps(TLS_ONLY)},
            ),
            Planned(
                "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy",
                "orders-dlq-allow",
                {
                    "queueUrl": DLQ_URL,
                    "redriveAllowPolicy": {
                        "redrivePermission": "byQueue",
                        "sourceQueueArns": [QUEUE_ARN],
                    },
                },
            ),
        ),
        stack="pci.prod",
    )
    assert inventory.source == "plan"
    assert (inventory.account, inventory.region, inventory.stack) == (ACCOUNT, REGION, "pci.prod")
    dlq, queue = inventory.queues
    assert queue.arn == QUEUE_ARN and queue.url == QUEUE_URL and queue.name == "orders"
    assert queue.kms_master_key_id == KEY_ARN and not queue.sqs_managed_sse
    assert queue.retention_seconds == 86400 and queue.data_key_reuse_seconds == 300
    assert queue.redrive_policy == RedrivePolicy(
        dead_letter_target_arn=DLQ_ARN, max_receive_count=5
    )
    assert queue.policy == TLS_ONLY
    assert queue.tags == TAGS
    assert not queue.is_dlq and dlq.is_dlq
    assert dlq.redrive_allow_policy == RedriveAllowPolicy(
        permission="byQueue", source_queue_arns=(QUEUE_ARN,)
    )
    assert dlq.retention_seconds == 345_600  # AWS default when the program sets none
    assert dlq.policy is None


def test_key_gets_its_aliases_and_is_found_by_them() -> None:
    policy = {"Version": "2012-10-17", "Statement": []}
    inventory = inventory_from_plan(
        _plan(
            Planned(
                "aws:kms/key:Key",
                "data-key",
                {
                    "enableKeyRotation": True,
                    "rotationPeriodInDays": 180,
                    "deletionWindowInDays": 30,
                    "multiRegion": False,
                    "policy": json.dumps(policy),
                    "tags": TAGS,
                },
                {"arn": KEY_ARN, "keyId": "k-1"},
                id="k-1",
            ),
            Planned(
                "aws:kms/alias:Alias",
                "data-key-alias",
                {"name": "alias/pci-prod-data", "targetKeyId": "k-1"},
            ),
        )
    )
    (key,) = inventory.keys
    assert key.key_manager == "CUSTOMER" and key.state == "Enabled"
    assert key.rotation_enabled and key.rotation_period_days == 180
    assert key.deletion_window_days == 30 and not key.multi_region
    assert key.aliases == ("alias/pci-prod-data",)
    assert key.policy == policy
    assert inventory.key("alias/pci-prod-data") is key
    assert inventory.key(f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/pci-prod-data") is key


def test_bucket_folds_the_separate_configuration_resources() -> None:
    bucket = "pci-prod-audit"
    bucket_policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny"}]}
    inventory = inventory_from_plan(
        _plan(
            Planned(
                "aws:s3/bucket:Bucket",
                "audit",
                {"bucket": bucket, "objectLockEnabled": True, "tags": TAGS},
                {"arn": f"arn:aws:s3:::{bucket}"},
                id=bucket,
            ),
            Planned(
                "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
                "audit-pab",
                {
                    "bucket": bucket,
                    "blockPublicAcls": True,
                    "ignorePublicAcls": True,
                    "blockPublicPolicy": True,
                    "restrictPublicBuckets": True,
                },
            ),
            Planned(
                "aws:s3/bucketVersioning:BucketVersioning",
                "audit-versioning",
                {"bucket": bucket, "versioningConfiguration": {"status": "Enabled"}},
            ),
            Planned(
                "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                "audit-sse",
                {
                    "bucket": bucket,
                    "rules": [
                        {
                            "applyServerSideEncryptionByDefault": {
                                "sseAlgorithm": "aws:kms",
                                "kmsMasterKeyId": KEY_ARN,
                            },
                            "bucketKeyEnabled": True,
                        }
                    ],
                },
            ),
            Planned(
                "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
                "audit-lock",
                {
                    "bucket": bucket,
                    "objectLockEnabled": "Enabled",
                    "rule": {"defaultRetention": {"mode": "COMPLIANCE", "years": 1}},
                },
            ),
            Planned(
                "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
                "audit-lifecycle",
                {
                    "bucket": bucket,
                    "rules": [
                        {
                            "id": "retain",
                            "status": "Enabled",
                            "filter": {"prefix": "AWSLogs/"},
                            "expiration": {"days": 400},
                            "transitions": [{"days": 90, "storageClass": "GLACIER"}],
                        }
                    ],
                },
            ),
            Planned(
                "aws:s3/bucketPolicy:BucketPolicy",
                "audit-policy",
                {"bucket": bucket, "policy": json.dumps(bucket_policy)},
            ),
            Planned(
                "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
                "audit-ownership",
                {"bucket": bucket, "rule": {"objectOwnership": "BucketOwnerEnforced"}},
            ),
        ),
        region=REGION,
    )
    (audit,) = inventory.buckets
    assert audit.name == bucket and audit.arn == f"arn:aws:s3:::{bucket}"
    assert audit.region == REGION
    assert audit.public_access_block == PublicAccessBlock(
        block_public_acls=True,
        ignore_public_acls=True,
        block_public_policy=True,
        restrict_public_buckets=True,
    )
    assert audit.versioning == "Enabled" and not audit.mfa_delete
    assert (audit.sse_algorithm, audit.sse_kms_key_id, audit.bucket_key_enabled) == (
        "aws:kms",
        KEY_ARN,
        True,
    )
    assert audit.object_lock_enabled
    assert (audit.object_lock_mode, audit.object_lock_days) == ("COMPLIANCE", 365)
    assert audit.lifecycle_rules == (
        LifecycleRule(
            id="retain",
            enabled=True,
            prefix="AWSLogs/",
            expiration_days=400,
            transitions=(LifecycleTransition(days=90, storage_class="GLACIER"),),
        ),
    )
    assert audit.policy == bucket_policy
    assert audit.ownership == "BucketOwnerEnforced"


def test_trail_reads_advanced_event_selectors_in_pulumi_spelling() -> None:
    inventory = inventory_from_plan(
        _plan(
            Planned(
                "aws:cloudtrail/trail:Trail",
                "trail",
                {
                    "name": "pci-prod",
                    "s3BucketName": "pci-prod-audit",
                    "isMultiRegionTrail": True,
                    "enableLogFileValidation": True,
                    "kmsKeyId": KEY_ARN,
                    "cloudWatchLogsGroupArn": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:t:*",
                    "advancedEventSelectors": [
                        {
                            "name": "sqs-data",
                            "fieldSelectors": [
                                {"field": "eventCategory", "equals": ["Data"]},
                                {"field": "resources.type", "equals": ["AWS::SQS::Queue"]},
                                {"field": "resources.ARN", "startsWiths": [QUEUE_ARN]},
                            ],
                        }
                    ],
                },
                {"arn": f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/pci-prod"},
            )
        )
    )
    (trail,) = inventory.trails
    assert trail.multi_region and trail.global_events and trail.log_file_validation
    assert trail.is_logging and trail.kms_key_id == KEY_ARN and trail.home_region == REGION
    (selector,) = trail.advanced_event_selectors
    assert selector.equals("resources.type") == ("AWS::SQS::Queue",)
    assert selector.field_selectors[2] == FieldSelector(
        field="resources.ARN", starts_with=(QUEUE_ARN,)
    )


def test_role_collects_inline_and_attached_policy_documents() -> None:
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/producer"
    policy_arn = f"arn:aws:iam::{ACCOUNT}:policy/producer-send"
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}],
    }
    send = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage"}],
    }
    decrypt = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt"}]}
    inventory = inventory_from_plan(
        _plan(
            Planned(
                "aws:iam/role:Role",
                "producer",
                {"name": "producer", "assumeRolePolicy": json.dumps(trust)},
                {"arn": role_arn},
                id="producer",
            ),
            Planned(
                "aws:iam/rolePolicy:RolePolicy",
                "producer-kms",
                {"role": "producer", "name": "kms", "policy": decrypt},
            ),
            Planned(
                "aws:iam/policy:Policy",
                "producer-send",
                {"policy": json.dumps(send)},
                {"arn": policy_arn},
            ),
            Planned(
                "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
                "producer-send-attach",
                {"role": "producer", "policyArn": policy_arn},
            ),
        )
    )
    (role,) = inventory.roles
    assert role.arn == role_arn and role.trust_policy == trust
    assert role.inline_policies == {"kms": decrypt}
    assert role.attached_policies == {policy_arn: send}
    assert dict(role.identity_policies()) == {"kms": decrypt, policy_arn: send}


def test_security_groups_fold_separate_rules_and_mark_the_default_group() -> None:
    inventory = inventory_from_plan(
        _plan(
            Planned(
                "aws:ec2/securityGroup:SecurityGroup",
                "endpoints",
                {
                    "name": "endpoints",
                    "vpcId": "vpc-1",
                    "ingress": [
                        {
                            "protocol": "tcp",
                            "fromPort": 443,
                            "toPort": 443,
                            "cidrBlocks": ["10.0.0.0/16"],
                        }
                    ],
                },
                id="sg-1",
            ),
            Planned(
                "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
                "endpoints-open",
                {"securityGroupId": "sg-1", "ipProtocol": "-1", "cidrIpv4": "0.0.0.0/0"},
            ),
            Planned(
                "aws:ec2/securityGroupRule:SecurityGroupRule",
                "endpoints-egress",
                {
                    "securityGroupId": "sg-1",
                    "type": "egress",
                    "protocol": "tcp",
                    "fromPort": 443,
                    "toPort": 443,
                    "cidrBlocks": ["10.0.0.0/16"],
                },
            ),
            Planned(
                "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
                "default",
                {"vpcId": "vpc-1"},
                id="sg-0",
            ),
        )
    )
    group, default = inventory.security_groups
    assert group.id == "sg-1" and group.vpc_id == "vpc-1" and not group.is_default
    assert group.arn == f"arn:aws:ec2:{inventory.region}:{inventory.account}:security-group/sg-1"
    assert [r.open_to_world for r in group.ingress] == [False, True]
    assert group.egress == (
        SecurityGroupRule(protocol="tcp", from_port=443, to_port=443, cidr_ipv4=("10.0.0.0/16",)),
    )
    assert default.is_default and default.ingress == () and default.egress == ()


def test_account_level_and_monitoring_resources() -> None:
    topic_policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Action": "sns:Publish"}],
    }
    inventory = inventory_from_plan(
        _plan(
            Planned(
                "aws:sns/topic:Topic",
                "events",
                {
                    "name": "events",
                    "kmsMasterKeyId": KEY_ARN,
                    "signatureVersion": 2,
                    "sqsFailureFeedbackRoleArn": "arn:aws:iam::1:role/fb",
                },
                {"arn": TOPIC_ARN},
            ),
            Planned(
                "aws:sns/topicPolicy:TopicPolicy",
                "events-policy",
                {"arn": TOPIC_ARN, "policy": json.dumps(topic_policy)},
            ),
            Planned(
                "aws:sns/topicSubscription:TopicSubscription",
                "events-to-orders",
                {
                    "topic": TOPIC_ARN,
                    "protocol": "sqs",
                    "endpoint": QUEUE_ARN,
                    "rawMessageDelivery": True,
                    "redrivePolicy": json.dumps({"deadLetterTargetArn": DLQ_ARN}),
                },
                {"arn": f"{TOPIC_ARN}:sub-1"},
            ),
            Planned(
                "aws:cloudwatch/logGroup:LogGroup",
                "trail-logs",
                {"name": "/pci/trail", "retentionInDays": 365, "kmsKeyId": KEY_ARN},
            ),
            Planned(
                "aws:cloudwatch/logGroup:LogGroup",
                "forever",
                {"name": "/pci/app", "retentionInDays": 0},
            ),
            Planned(
                "aws:cloudwatch/logMetricFilter:LogMetricFilter",
                "kms-deletion",
                {
                    "name": "kms-deletion",
                    "logGroupName": "/pci/trail",
                    "pattern": "{ $.eventName = ScheduleKeyDeletion }",
                    "metricTransformation": {
                        "name": "KmsDeletion",
                        "namespace": "Pci",
                        "value": "1",
                    },
                },
            ),
            Planned(
                "aws:cloudwatch/metricAlarm:MetricAlarm",
                "dlq-depth",
                {
                    "name": "dlq-depth",
                    "namespace": "AWS/SQS",
                    "metricName": "ApproximateNumberOfMessagesVisible",
                    "dimensions": {"QueueName": "orders-dlq"},
                    "threshold": 0,
                    "comparisonOperator": "GreaterThanThreshold",
                    "alarmActions": [TOPIC_ARN],
                },
            ),
            Planned(
                "aws:cloudwatch/eventRule:EventRule",
                "kms-events",
                {"name": "kms-events", "eventPattern": json.dumps({"source": ["aws.kms"]})},
            ),
            Planned(
                "aws:cloudwatch/eventTarget:EventTarget",
                "kms-events-topic",
                {"rule": "kms-events", "arn": TOPIC_ARN, "targetId": "topic"},
            ),
            Planned(
                "aws:cfg/recorder:Recorder",
                "recorder",
                {
                    "name": "default",
                    "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True},
                },
            ),
            Planned(
                "aws:cfg/recorderStatus:RecorderStatus",
                "recorder-on",
                {"name": "default", "isEnabled": True},
            ),
            Planned(
                "aws:cfg/deliveryChannel:DeliveryChannel",
                "channel",
                {"s3BucketName": "pci-prod-config", "s3KmsKeyArn": KEY_ARN},
            ),
            Planned(
                "aws:cfg/rule:Rule",
                "retention-rule",
                {
                    "name": "log-retention",
                    "source": {
                        "owner": "AWS",
                        "sourceIdentifier": "CW_LOGGROUP_RETENTION_PERIOD_CHECK",
                    },
                    "inputParameters": json.dumps({"MinRetentionTime": "365"}),
                },
            ),
            Planned("aws:ec2/vpc:Vpc", "vpc", {"cidrBlock": "10.0.0.0/16"}, id="vpc-1"),
            Planned(
                "aws:ec2/flowLog:FlowLog",
                "vpc-flow",
                {"vpcId": "vpc-1", "trafficType": "ALL", "logDestination": "arn:lg"},
                id="fl-1",
            ),
            Planned(
                "aws:ec2/subnet:Subnet", "a", {"availabilityZone": f"{REGION}a"}, id="subnet-a"
            ),
            Planned(
                "aws:ec2/subnet:Subnet", "b", {"availabilityZone": f"{REGION}b"}, id="subnet-b"
            ),
            Planned(
                "aws:ec2/vpcEndpoint:VpcEndpoint",
                "sqs-endpoint",
                {
                    "vpcId": "vpc-1",
                    "serviceName": f"com.amazonaws.{REGION}.sqs",
                    "vpcEndpointType": "Interface",
                    "privateDnsEnabled": True,
                    "subnetIds": ["subnet-a", "subnet-b"],
                    "securityGroupIds": ["sg-1"],
                },
                id="vpce-1",
            ),
        )
    )
    (topic,) = inventory.topics
    assert topic.policy == topic_policy and topic.signature_version == 2
    assert topic.delivery_feedback_role_arns == {
        "SqsFailureFeedbackRoleArn": "arn:aws:iam::1:role/fb"
    }
    (subscription,) = inventory.subscriptions
    assert (subscription.protocol, subscription.endpoint) == ("sqs", QUEUE_ARN)
    assert subscription.raw_message_delivery and subscription.redrive_policy_dlq_arn == DLQ_ARN
    trail_logs, forever = inventory.log_groups
    assert trail_logs.retention_days == 365 and trail_logs.kms_key_id == KEY_ARN
    assert [f.metric_name for f in trail_logs.metric_filters] == ["KmsDeletion"]
    assert forever.retention_days is None  # 0 in Pulumi means never expire
    (alarm,) = inventory.alarms
    assert alarm.dimensions == {"QueueName": "orders-dlq"} and alarm.alarm_actions == (TOPIC_ARN,)
    assert alarm.actions_enabled and alarm.threshold == 0.0
    (rule,) = inventory.event_rules
    assert rule.event_pattern == {"source": ["aws.kms"]}
    assert [t.arn for t in rule.targets] == [TOPIC_ARN]
    (recorder,) = inventory.config_recorders
    assert (
        recorder.all_supported
        and recorder.recording
        and recorder.delivery_bucket == "pci-prod-config"
    )
    (config_rule,) = inventory.config_rules
    assert config_rule.source_identifier == "CW_LOGGROUP_RETENTION_PERIOD_CHECK"
    assert config_rule.input_parameters == {"MinRetentionTime": "365"}
    (vpc,) = inventory.vpcs
    assert [f.id for f in vpc.flow_logs] == ["fl-1"]
    (endpoint,) = inventory.vpc_endpoints
    assert endpoint.service == "sqs" and endpoint.endpoint_type == "Interface"
    assert endpoint.availability_zones == (f"{REGION}a", f"{REGION}b")


def test_recorder_without_a_status_resource_is_not_recording() -> None:
    inventory = inventory_from_plan(
        _plan(Planned("aws:cfg/recorder:Recorder", "recorder", {"name": "default"}))
    )
    assert not inventory.config_recorders[0].recording

"""A small messaging stack created in moto with boto3, tagged as the provisioner tags it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from tests.support.moto_server import ACCOUNT_ID, MotoServer

STACK = "pci.prod"
REGION = "us-east-1"
TAGS = {
    "managed-by": "provisioner",
    "provisioner:stack": STACK,
    "provisioner:environment": "prod",
    "provisioner:profiles": "pci",
}
OTHER_STACK_TAGS = {**TAGS, "provisioner:stack": "gdpr.dev"}


def tag_list(tags: dict[str, str], key: str = "Key", value: str = "Value") -> list[dict[str, str]]:
    return [{key: k, value: v} for k, v in tags.items()]


def statement_document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


@dataclass
class DeployedStack:
    key_arn: str
    key_id: str
    queue_url: str
    queue_arn: str
    dlq_arn: str
    topic_arn: str
    vpc_id: str
    group_id: str
    role_arn: str
    managed_policy_arn: str


def deploy_stack(moto: MotoServer) -> DeployedStack:
    kms = moto.client("kms")
    sqs = moto.client("sqs")
    sns = moto.client("sns")
    key = kms.create_key(Description="pci data key", Tags=tag_list(TAGS, "TagKey", "TagValue"))[
        "KeyMetadata"
    ]
    kms.enable_key_rotation(KeyId=key["KeyId"])
    kms.create_alias(AliasName="alias/pci-prod-data", TargetKeyId=key["KeyId"])
    kms.create_key(Description="someone else's key")  # untagged: not in the stack

    dlq_url = sqs.create_queue(
        QueueName="orders-dlq",
        tags=TAGS,
        Attributes={"KmsMasterKeyId": key["Arn"], "MessageRetentionPeriod": "1209600"},
    )["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    queue_arn = dlq_arn.replace("orders-dlq", "orders")
    tls_only = statement_document(
        {
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Action": "sqs:*",
            "Resource": queue_arn,
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    )
    queue_url = sqs.create_queue(
        QueueName="orders",
        tags=TAGS,
        Attributes={
            "KmsMasterKeyId": key["Arn"],
            "KmsDataKeyReusePeriodSeconds": "600",
            "MessageRetentionPeriod": "86400",
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5}),
            "Policy": tls_only,
        },
    )["QueueUrl"]
    sqs.set_queue_attributes(
        QueueUrl=dlq_url,
        Attributes={
            "RedriveAllowPolicy": json.dumps(
                {"redrivePermission": "byQueue", "sourceQueueArns": [queue_arn]}
            )
        },
    )
    sqs.create_queue(QueueName="untagged")
    sqs.create_queue(QueueName="other-stack", tags=OTHER_STACK_TAGS)

    topic_arn = sns.create_topic(
        Name="events", Tags=tag_list(TAGS), Attributes={"KmsMasterKeyId": "alias/pci-prod-data"}
    )["TopicArn"]
    sns.subscribe(
        TopicArn=topic_arn,
        Protocol="sqs",
        Endpoint=queue_arn,
        Attributes={
            "RawMessageDelivery": "true",
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn}),
        },
    )

    s3 = moto.client("s3")
    s3.create_bucket(Bucket="pci-prod-audit", ObjectLockEnabledForBucket=True)
    s3.put_bucket_tagging(Bucket="pci-prod-audit", Tagging={"TagSet": tag_list(TAGS)})
    s3.put_public_access_block(
        Bucket="pci-prod-audit",
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_object_lock_configuration(
        Bucket="pci-prod-audit",
        ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Years": 1}},
        },
    )
    s3.put_bucket_encryption(
        Bucket="pci-prod-audit",
        ServerSideEncryptionConfiguration={
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {
                        "SSEAlgorithm": "aws:kms",
                        "KMSMasterKeyID": key["Arn"],
                    },
                    "BucketKeyEnabled": True,
                }
            ]
        },
    )
    s3.put_bucket_lifecycle_configuration(
        Bucket="pci-prod-audit",
        LifecycleConfiguration={
            "Rules": [
                {
                    "ID": "retain",
                    "Status": "Enabled",
                    "Filter": {"Prefix": "AWSLogs/"},
                    "Expiration": {"Days": 400},
                    "Transitions": [{"Days": 90, "StorageClass": "GLACIER"}],
                }
            ]
        },
    )
    s3.put_bucket_policy(
        Bucket="pci-prod-audit",
        Policy=statement_document(
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": ["arn:aws:s3:::pci-prod-audit", "arn:aws:s3:::pci-prod-audit/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ),
    )
    s3.create_bucket(Bucket="not-ours")

    trail = moto.client("cloudtrail")
    trail.create_trail(
        Name="org-trail",
        S3BucketName="pci-prod-audit",
        IsMultiRegionTrail=True,
        EnableLogFileValidation=True,
        KmsKeyId=key["Arn"],
        TagsList=tag_list(TAGS),
    )
    trail.start_logging(Name="org-trail")
    trail.put_event_selectors(
        TrailName="org-trail",
        AdvancedEventSelectors=[
            {
                "Name": "sqs-data",
                "FieldSelectors": [
                    {"Field": "eventCategory", "Equals": ["Data"]},
                    {"Field": "resources.type", "Equals": ["AWS::SQS::Queue"]},
                    {"Field": "resources.ARN", "StartsWith": [queue_arn]},
                ],
            }
        ],
    )

    logs = moto.client("logs")
    logs.create_log_group(logGroupName="/pci/trail", tags=TAGS, kmsKeyId=key["Arn"])
    logs.put_retention_policy(logGroupName="/pci/trail", retentionInDays=365)
    logs.create_log_group(logGroupName="/pci/app", tags=TAGS)  # never expires
    logs.create_log_group(logGroupName="/other")
    logs.put_metric_filter(
        logGroupName="/pci/trail",
        filterName="kms-deletion",
        filterPattern="{ $.eventName = ScheduleKeyDeletion }",
        metricTransformations=[
            {"metricName": "KmsDeletion", "metricNamespace": "Pci", "metricValue": "1"}
        ],
    )
    moto.client("cloudwatch").put_metric_alarm(
        AlarmName="orders-dlq-depth",
        Namespace="AWS/SQS",
        MetricName="ApproximateNumberOfMessagesVisible",
        Dimensions=[{"Name": "QueueName", "Value": "orders-dlq"}],
        Statistic="Maximum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=0,
        ComparisonOperator="GreaterThanThreshold",
        AlarmActions=[topic_arn],
        Tags=tag_list(TAGS),
    )
    events = moto.client("events")
    events.put_rule(
        Name="kms-changes",
        EventPattern=json.dumps({"source": ["aws.kms"]}),
        Tags=tag_list(TAGS),
    )
    events.put_targets(Rule="kms-changes", Targets=[{"Id": "alerts", "Arn": topic_arn}])

    ec2 = moto.client("ec2")
    vpc_id = ec2.create_vpc(
        CidrBlock="10.0.0.0/16",
        TagSpecifications=[{"ResourceType": "vpc", "Tags": tag_list(TAGS)}],
    )["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(
            VpcId=vpc_id, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"{REGION}{z}"
        )["Subnet"]["SubnetId"]
        for i, z in enumerate("ab", start=1)
    ]
    group_id = ec2.create_security_group(
        GroupName="endpoints",
        Description="interface endpoints",
        VpcId=vpc_id,
        TagSpecifications=[{"ResourceType": "security-group", "Tags": tag_list(TAGS)}],
    )["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=group_id,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "IpRanges": [{"CidrIp": "10.0.0.0/16"}],
            }
        ],
    )
    ec2.create_vpc_endpoint(
        VpcId=vpc_id,
        ServiceName=f"com.amazonaws.{REGION}.sqs",
        VpcEndpointType="Interface",
        SubnetIds=subnets,
        SecurityGroupIds=[group_id],
        PrivateDnsEnabled=True,
        TagSpecifications=[{"ResourceType": "vpc-endpoint", "Tags": tag_list(TAGS)}],
    )
    ec2.create_flow_logs(
        ResourceIds=[vpc_id],
        ResourceType="VPC",
        TrafficType="ALL",
        LogDestinationType="cloud-watch-logs",
        LogGroupName="/pci/flow",
        DeliverLogsPermissionArn=f"arn:aws:iam::{ACCOUNT_ID}:role/flow-logs",
    )

    iam = moto.client("iam")
    role_arn = iam.create_role(
        RoleName="pci-prod-producer",
        AssumeRolePolicyDocument=statement_document(
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT_ID}:root"},
                "Action": "sts:AssumeRole",
            }
        ),
        Tags=tag_list(TAGS),
    )["Role"]["Arn"]
    iam.put_role_policy(
        RoleName="pci-prod-producer",
        PolicyName="send",
        PolicyDocument=statement_document(
            {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": queue_arn}
        ),
    )
    managed_policy_arn = iam.create_policy(
        PolicyName="pci-prod-kms",
        PolicyDocument=statement_document(
            {"Effect": "Allow", "Action": "kms:GenerateDataKey", "Resource": key["Arn"]}
        ),
    )["Policy"]["Arn"]
    iam.attach_role_policy(RoleName="pci-prod-producer", PolicyArn=managed_policy_arn)
    iam.create_role(RoleName="not-ours", AssumeRolePolicyDocument=statement_document())

    config = moto.client("config")
    config.put_configuration_recorder(
        ConfigurationRecorder={
            "name": "default",
            "roleARN": f"arn:aws:iam::{ACCOUNT_ID}:role/config",
            "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True},
        }
    )
    config.put_delivery_channel(
        DeliveryChannel={"name": "default", "s3BucketName": "pci-prod-audit"}
    )
    config.start_configuration_recorder(ConfigurationRecorderName="default")
    config.put_config_rule(
        ConfigRule={
            "ConfigRuleName": "log-retention",
            "Source": {"Owner": "AWS", "SourceIdentifier": "CW_LOGGROUP_RETENTION_PERIOD_CHECK"},
            "InputParameters": json.dumps({"MinRetentionTime": "365"}),
        }
    )
    return DeployedStack(
        key_arn=key["Arn"],
        key_id=key["KeyId"],
        queue_url=queue_url,
        queue_arn=queue_arn,
        dlq_arn=dlq_arn,
        topic_arn=topic_arn,
        vpc_id=vpc_id,
        group_id=group_id,
        role_arn=role_arn,
        managed_policy_arn=managed_policy_arn,
    )


def aws_session() -> boto3.Session:
    return boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
    )


@pytest.fixture
def session() -> boto3.Session:
    return aws_session()


@pytest.fixture
def api_calls(session: boto3.Session) -> Iterator[list[str]]:
    """Every API call clients of `session` make, as "service.Operation" (retries not counted)."""
    calls: list[str] = []

    def record(model: Any, **_: Any) -> None:
        calls.append(f"{model.service_model.endpoint_prefix}.{model.name}")

    session.events.register("before-call", record)
    yield calls

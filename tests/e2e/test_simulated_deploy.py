"""The simulated deploy really creates what a program declares, with moto's identifiers."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws
import pytest

from provisioner.planning import run_program
from tests.support.moto_server import MotoServer
from tests.support.simulated_deploy import SimulatedDeployMocks, UnsupportedResourceError

pytestmark = pytest.mark.e2e

REGION = "eu-west-1"
TAGS = {"managed-by": "provisioner", "provisioner:stack": "demo.dev"}


def _program() -> None:
    provider = aws.Provider("aws", region=REGION)
    opts = pulumi.ResourceOptions(provider=provider)
    key = aws.kms.Key("key", enable_key_rotation=True, tags=TAGS, opts=opts)
    aws.kms.Alias("alias", name="alias/demo", target_key_id=key.key_id, opts=opts)
    dlq = aws.sqs.Queue("dlq", name="demo-dlq", kms_master_key_id=key.arn, tags=TAGS, opts=opts)
    queue = aws.sqs.Queue(
        "queue",
        name="demo",
        kms_master_key_id=key.arn,
        message_retention_seconds=3600,
        redrive_policy=dlq.arn.apply(
            lambda arn: json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": 5})
        ),
        tags=TAGS,
        opts=opts,
    )
    topic = aws.sns.Topic(
        "topic", name="demo-topic", kms_master_key_id=key.arn, tags=TAGS, opts=opts
    )
    aws.sns.TopicSubscription("sub", topic=topic.arn, protocol="sqs", endpoint=queue.arn, opts=opts)
    bucket = aws.s3.Bucket(
        "audit", bucket="demo-audit", object_lock_enabled=True, tags=TAGS, opts=opts
    )
    aws.s3.BucketPublicAccessBlock(
        "audit-pab",
        bucket=bucket.bucket,
        block_public_acls=True,
        ignore_public_acls=True,
        block_public_policy=True,
        restrict_public_buckets=True,
        opts=opts,
    )
    group = aws.cloudwatch.LogGroup(
        "trail-logs",
        name="/demo/trail",
        retention_in_days=365,
        kms_key_id=key.arn,
        tags=TAGS,
        opts=opts,
    )
    aws.cloudtrail.Trail(
        "trail",
        name="demo-trail",
        s3_bucket_name=bucket.bucket,
        is_multi_region_trail=True,
        enable_log_file_validation=True,
        kms_key_id=key.arn,
        cloud_watch_logs_group_arn=group.arn.apply(lambda arn: f"{arn}:*"),
        advanced_event_selectors=[
            aws.cloudtrail.TrailAdvancedEventSelectorArgs(
                name="sqs",
                field_selectors=[
                    aws.cloudtrail.TrailAdvancedEventSelectorFieldSelectorArgs(
                        field="eventCategory", equals=["Data"]
                    ),
                    aws.cloudtrail.TrailAdvancedEventSelectorFieldSelectorArgs(
                        field="resources.type", equals=["AWS::SQS::Queue"]
                    ),
                ],
            )
        ],
        tags=TAGS,
        opts=opts,
    )
    vpc = aws.ec2.Vpc("vpc", cidr_block="10.40.0.0/16", tags=TAGS, opts=opts)
    sg = aws.ec2.SecurityGroup(
        "endpoints",
        vpc_id=vpc.id,
        description="endpoints",
        ingress=[
            aws.ec2.SecurityGroupIngressArgs(
                protocol="tcp", from_port=443, to_port=443, cidr_blocks=["10.40.0.0/16"]
            )
        ],
        tags=TAGS,
        opts=opts,
    )
    subnet = aws.ec2.Subnet("a", vpc_id=vpc.id, cidr_block="10.40.1.0/24", tags=TAGS, opts=opts)
    aws.ec2.VpcEndpoint(
        "sqs",
        vpc_id=vpc.id,
        service_name=f"com.amazonaws.{REGION}.sqs",
        vpc_endpoint_type="Interface",
        subnet_ids=[subnet.id],
        security_group_ids=[sg.id],
        private_dns_enabled=True,
        tags=TAGS,
        opts=opts,
    )
    role = aws.iam.Role(
        "producer",
        name="demo-producer",
        assume_role_policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}
                ],
            }
        ),
        tags=TAGS,
        opts=opts,
    )
    aws.iam.RolePolicy(
        "producer-send",
        role=role.name,
        policy=queue.arn.apply(
            lambda arn: json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": arn}
                    ],
                }
            )
        ),
        opts=opts,
    )
    pulumi.export("queue_url", queue.url)
    pulumi.export("key_id", key.key_id)
    pulumi.export("sg_id", sg.id)


def test_resources_exist_in_moto_with_real_identifiers(moto_server: MotoServer) -> None:
    mocks = SimulatedDeployMocks(moto_server.url, region=REGION)
    _, outputs = run_program(_program, mocks, stack="demo.dev")

    sqs = moto_server.client("sqs", REGION)
    assert outputs["queue_url"] == sqs.get_queue_url(QueueName="demo")["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=outputs["queue_url"], AttributeNames=["All"])[
        "Attributes"
    ]
    assert attributes["MessageRetentionPeriod"] == "3600"
    assert json.loads(attributes["RedrivePolicy"])["deadLetterTargetArn"].endswith(":demo-dlq")
    assert sqs.list_queue_tags(QueueUrl=outputs["queue_url"])["Tags"] == TAGS

    kms = moto_server.client("kms", REGION)
    assert kms.get_key_rotation_status(KeyId=outputs["key_id"])["KeyRotationEnabled"] is True
    assert (
        attributes["KmsMasterKeyId"]
        == kms.describe_key(KeyId=outputs["key_id"])["KeyMetadata"]["Arn"]
    )

    sns = moto_server.client("sns", REGION)
    [topic] = sns.list_topics()["Topics"]
    [subscription] = sns.list_subscriptions_by_topic(TopicArn=topic["TopicArn"])["Subscriptions"]
    assert subscription["Protocol"] == "sqs"

    cloudtrail = moto_server.client("cloudtrail", REGION)
    [trail] = cloudtrail.describe_trails()["trailList"]
    assert trail["IsMultiRegionTrail"] is True
    assert cloudtrail.get_trail_status(Name="demo-trail")["IsLogging"] is True
    selectors = cloudtrail.get_event_selectors(TrailName="demo-trail")
    assert selectors["AdvancedEventSelectors"][0]["Name"] == "sqs"

    logs = moto_server.client("logs", REGION)
    [group] = logs.describe_log_groups(logGroupNamePrefix="/demo/trail")["logGroups"]
    assert group["retentionInDays"] == 365

    ec2 = moto_server.client("ec2", REGION)
    [sg] = ec2.describe_security_groups(GroupIds=[outputs["sg_id"]])["SecurityGroups"]
    assert [r["IpRanges"][0]["CidrIp"] for r in sg["IpPermissions"]] == ["10.40.0.0/16"]
    assert sg["IpPermissionsEgress"] == []
    [endpoint] = ec2.describe_vpc_endpoints()["VpcEndpoints"]
    assert endpoint["VpcEndpointType"] == "Interface"

    iam = moto_server.client("iam", REGION)
    [policy_name] = iam.list_role_policies(RoleName="demo-producer")["PolicyNames"]
    assert policy_name.startswith("producer-send-")
    assert {
        t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName="demo-producer")["Tags"]
    } == TAGS

    s3 = moto_server.client("s3", REGION)
    assert s3.get_public_access_block(Bucket="demo-audit")["PublicAccessBlockConfiguration"][
        "BlockPublicPolicy"
    ]


def test_an_unknown_aws_type_fails_loudly(moto_server: MotoServer) -> None:
    def program() -> None:
        provider = aws.Provider("aws", region=REGION)
        aws.lambda_.Function(
            "fn",
            role="arn:aws:iam::123456789012:role/x",
            runtime="python3.12",
            handler="x.y",
            code=pulumi.AssetArchive({}),
            opts=pulumi.ResourceOptions(provider=provider),
        )

    mocks = SimulatedDeployMocks(moto_server.url, region=REGION)
    with pytest.raises(UnsupportedResourceError, match="aws:lambda/function:Function"):
        run_program(program, mocks, stack="demo.dev")

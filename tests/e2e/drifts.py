"""One drift per live-checked control: a boto3 change to the deployed stack that violates it.

Each drift returns the id of the resource that must now fail that control (an ARN, or the
account scope for account-level controls). Used by the drift tests and the drift table script.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.e2e.conftest import DeployedStack

ACCOUNT = "123456789012"


@dataclass(frozen=True)
class Drift:
    control: str
    change: str
    apply: Callable[[DeployedStack], str]
    # Controls the catalog defines to overlap with this one (a multi-Region key is both a key
    # control and a residency control): they fail too, on the account scope.
    also: tuple[str, ...] = ()


def _c(stack: DeployedStack, service: str) -> Any:
    return stack.client(service)


def _prefix(stack: DeployedStack) -> str:
    return stack.target.stack_name.replace(".", "-")


def _account_scope(stack: DeployedStack) -> str:
    return f"account:{ACCOUNT}/{stack.target.region}"


def _queue(stack: DeployedStack, suffix: str = "orders") -> tuple[str, str]:
    sqs = _c(stack, "sqs")
    url = sqs.get_queue_url(QueueName=f"{_prefix(stack)}-{suffix}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    return url, arn


def _queue_policy(stack: DeployedStack, url: str) -> dict[str, Any]:
    attributes = _c(stack, "sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])
    document: dict[str, Any] = json.loads(attributes["Attributes"]["Policy"])
    return document


def _set_queue_policy(stack: DeployedStack, url: str, document: dict[str, Any]) -> None:
    _c(stack, "sqs").set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(document)})


def _is_tls_deny(statement: dict[str, Any]) -> bool:
    return statement.get("Effect") == "Deny" and "aws:SecureTransport" in json.dumps(
        statement.get("Condition", {})
    )


def _topic(stack: DeployedStack, name: str = "events") -> str:
    return f"arn:aws:sns:{stack.target.region}:{ACCOUNT}:{_prefix(stack)}-{name}"


def _topic_policy(stack: DeployedStack, arn: str) -> dict[str, Any]:
    attributes = _c(stack, "sns").get_topic_attributes(TopicArn=arn)["Attributes"]
    document: dict[str, Any] = json.loads(attributes["Policy"])
    return document


def _set_topic_policy(stack: DeployedStack, arn: str, document: dict[str, Any]) -> None:
    _c(stack, "sns").set_topic_attributes(
        TopicArn=arn, AttributeName="Policy", AttributeValue=json.dumps(document)
    )


def _subscription(stack: DeployedStack) -> str:
    [subscription] = _c(stack, "sns").list_subscriptions_by_topic(TopicArn=_topic(stack))[
        "Subscriptions"
    ]
    arn: str = subscription["SubscriptionArn"]
    return arn


def _data_key(stack: DeployedStack) -> str:
    """The key that encrypts the orders queue."""
    url, _ = _queue(stack)
    key_id = _c(stack, "sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["KmsMasterKeyId"])[
        "Attributes"
    ]["KmsMasterKeyId"]
    arn: str = _c(stack, "kms").describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    return arn


def _trail(stack: DeployedStack) -> tuple[str, str]:
    [trail] = _c(stack, "cloudtrail").describe_trails()["trailList"]
    return trail["Name"], trail["TrailARN"]


def _audit_bucket(stack: DeployedStack) -> str:
    return f"{_prefix(stack)}-audit-{ACCOUNT}-{stack.target.region}"


def _log_group(stack: DeployedStack, suffix: str) -> tuple[str, str]:
    name = f"/provisioner/{stack.target.stack_name}/{suffix}"
    return name, f"arn:aws:logs:{stack.target.region}:{ACCOUNT}:log-group:{name}"


def _alarm(stack: DeployedStack, suffix: str) -> tuple[str, str]:
    name = f"{_prefix(stack)}-{suffix}"
    return name, f"arn:aws:cloudwatch:{stack.target.region}:{ACCOUNT}:alarm:{name}"


def _role(stack: DeployedStack, suffix: str) -> tuple[str, str]:
    name = f"{_prefix(stack)}-{suffix}"
    return name, f"arn:aws:iam::{ACCOUNT}:role/{name}"


def _endpoints(stack: DeployedStack) -> list[dict[str, Any]]:
    endpoints: list[dict[str, Any]] = _c(stack, "ec2").describe_vpc_endpoints()["VpcEndpoints"]
    return endpoints


def _stack_tags(stack: DeployedStack) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in stack.target.tags.items()]


# ---- SQS


def sqs_key_reuse(stack: DeployedStack) -> str:
    url, arn = _queue(stack)
    _c(stack, "sqs").set_queue_attributes(
        QueueUrl=url, Attributes={"KmsDataKeyReusePeriodSeconds": "86400"}
    )
    return arn


def sqs_tls_removed(stack: DeployedStack) -> str:
    url, arn = _queue(stack)
    document = _queue_policy(stack, url)
    document["Statement"] = [s for s in document["Statement"] if not _is_tls_deny(s)]
    _set_queue_policy(stack, url, document)
    return arn


def sqs_dlq_detached(stack: DeployedStack) -> str:
    url, arn = _queue(stack)
    _c(stack, "sqs").set_queue_attributes(QueueUrl=url, Attributes={"RedrivePolicy": ""})
    return arn


def sqs_retention_raised(stack: DeployedStack) -> str:
    """The queue keeps messages past the profile maximum (but no longer than its DLQ does)."""
    url, arn = _queue(stack)
    _, dlq_arn = _queue(stack, "orders-dlq")
    sqs = _c(stack, "sqs")
    dlq_url = sqs.get_queue_url(QueueName=dlq_arn.rsplit(":", 1)[-1])["QueueUrl"]
    dlq_retention = int(
        sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["MessageRetentionPeriod"])[
            "Attributes"
        ]["MessageRetentionPeriod"]
    )
    limit = stack.target.parameters.queue.max_message_retention_seconds
    assert limit is not None and dlq_retention > limit.value, "no room for this drift"
    sqs.set_queue_attributes(
        QueueUrl=url, Attributes={"MessageRetentionPeriod": str(dlq_retention)}
    )
    return arn


def sqs_public_principal(stack: DeployedStack) -> str:
    url, arn = _queue(stack)
    document = _queue_policy(stack, url)
    document["Statement"].append(
        {
            "Sid": "Drift",
            "Effect": "Allow",
            "Principal": "*",
            "Action": "sqs:SendMessage",
            "Resource": arn,
        }
    )
    _set_queue_policy(stack, url, document)
    return arn


def sqs_sns_grant_removed(stack: DeployedStack) -> str:
    url, _ = _queue(stack)
    document = _queue_policy(stack, url)
    document["Statement"] = [
        s
        for s in document["Statement"]
        if "sns.amazonaws.com" not in json.dumps(s.get("Principal"))
    ]
    _set_queue_policy(stack, url, document)
    return _subscription(stack)


# ---- SNS


def sns_encryption_removed(stack: DeployedStack) -> str:
    arn = _topic(stack)
    _c(stack, "sns").set_topic_attributes(
        TopicArn=arn, AttributeName="KmsMasterKeyId", AttributeValue=""
    )
    return arn


def sns_tls_removed(stack: DeployedStack) -> str:
    arn = _topic(stack)
    document = _topic_policy(stack, arn)
    document["Statement"] = [s for s in document["Statement"] if not _is_tls_deny(s)]
    _set_topic_policy(stack, arn, document)
    return arn


def sns_public_principal(stack: DeployedStack) -> str:
    arn = _topic(stack)
    document = _topic_policy(stack, arn)
    document["Statement"].append(
        {
            "Sid": "Drift",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": "sns:Publish",
            "Resource": arn,
        }
    )
    _set_topic_policy(stack, arn, document)
    return arn


def sns_subscription_dlq_removed(stack: DeployedStack) -> str:
    arn = _subscription(stack)
    _c(stack, "sns").set_subscription_attributes(
        SubscriptionArn=arn, AttributeName="RedrivePolicy", AttributeValue=""
    )
    return arn


def sns_publisher_key_grant_removed(stack: DeployedStack) -> str:
    name, arn = _role(stack, "producer")
    iam = _c(stack, "iam")
    for policy_name in iam.list_role_policies(RoleName=name)["PolicyNames"]:
        document = iam.get_role_policy(RoleName=name, PolicyName=policy_name)["PolicyDocument"]
        for statement in document["Statement"]:
            actions = (
                statement["Action"]
                if isinstance(statement["Action"], list)
                else [statement["Action"]]
            )
            statement["Action"] = [a for a in actions if a != "kms:GenerateDataKey"] or [
                "sqs:GetQueueUrl"
            ]
        iam.put_role_policy(
            RoleName=name, PolicyName=policy_name, PolicyDocument=json.dumps(document)
        )
    return arn


# ---- KMS


def kms_rotation_off(stack: DeployedStack) -> str:
    arn = _data_key(stack)
    _c(stack, "kms").disable_key_rotation(KeyId=arn)
    return arn


def kms_policy_public(stack: DeployedStack) -> str:
    arn = _data_key(stack)
    kms = _c(stack, "kms")
    document = json.loads(kms.get_key_policy(KeyId=arn, PolicyName="default")["Policy"])
    document["Statement"].append(
        {
            "Sid": "Drift",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": "kms:Decrypt",
            "Resource": "*",
        }
    )
    kms.put_key_policy(KeyId=arn, PolicyName="default", Policy=json.dumps(document))
    return arn


def kms_broad_decrypt(stack: DeployedStack) -> str:
    name, arn = _role(stack, "consumer")
    _c(stack, "iam").put_role_policy(
        RoleName=name,
        PolicyName="drift",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "kms:Decrypt",
                        "Resource": f"arn:aws:kms:{stack.target.region}:{ACCOUNT}:key/*",
                    }
                ],
            }
        ),
    )
    return arn


def kms_scheduled_for_deletion(stack: DeployedStack) -> str:
    """The stack key that encrypts no other resource (scheduling the data key's deletion
    rightly fails every control that needs a usable CMK)."""
    kms = _c(stack, "kms")
    data_key = _data_key(stack)
    [other] = [
        k["KeyArn"]
        for k in kms.list_keys()["Keys"]
        if k["KeyArn"] != data_key
        and {"TagKey": "provisioner:stack", "TagValue": stack.target.stack_name}
        in kms.list_resource_tags(KeyId=k["KeyId"])["Tags"]
    ]
    kms.schedule_key_deletion(KeyId=other.rsplit("/", 1)[-1], PendingWindowInDays=7)
    arn: str = other
    return arn


def kms_multi_region_key(stack: DeployedStack) -> str:
    kms = _c(stack, "kms")
    key = kms.create_key(
        MultiRegion=True,
        Tags=[{"TagKey": t["Key"], "TagValue": t["Value"]} for t in _stack_tags(stack)],
    )["KeyMetadata"]
    kms.enable_key_rotation(KeyId=key["KeyId"])
    arn: str = key["Arn"]
    return arn


# ---- CloudTrail


def trail_stopped(stack: DeployedStack) -> str:
    name, _ = _trail(stack)
    _c(stack, "cloudtrail").stop_logging(Name=name)
    return _account_scope(stack)


def trail_validation_off(stack: DeployedStack) -> str:
    name, arn = _trail(stack)
    _c(stack, "cloudtrail").update_trail(Name=name, EnableLogFileValidation=False)
    return arn


def trail_unencrypted(stack: DeployedStack) -> str:
    name, arn = _trail(stack)
    _c(stack, "cloudtrail").update_trail(Name=name, KmsKeyId="")
    return arn


def _selectors_without(stack: DeployedStack, resource_type: str) -> str:
    name, _ = _trail(stack)
    cloudtrail = _c(stack, "cloudtrail")
    selectors = cloudtrail.get_event_selectors(TrailName=name)["AdvancedEventSelectors"]
    kept = [s for s in selectors if resource_type not in json.dumps(s)]
    cloudtrail.put_event_selectors(TrailName=name, AdvancedEventSelectors=kept)
    return _account_scope(stack)


def trail_sqs_selector_removed(stack: DeployedStack) -> str:
    return _selectors_without(stack, "AWS::SQS::Queue")


def trail_sns_selector_removed(stack: DeployedStack) -> str:
    return _selectors_without(stack, "AWS::SNS::Topic")


def trail_cloudwatch_detached(stack: DeployedStack) -> str:
    name, arn = _trail(stack)
    _c(stack, "cloudtrail").update_trail(
        Name=name, CloudWatchLogsLogGroupArn="", CloudWatchLogsRoleArn=""
    )
    return arn


# ---- S3 audit bucket


def s3_public_access_unblocked(stack: DeployedStack) -> str:
    bucket = _audit_bucket(stack)
    _c(stack, "s3").put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": False,
            "IgnorePublicAcls": False,
            "BlockPublicPolicy": False,
            "RestrictPublicBuckets": False,
        },
    )
    return f"arn:aws:s3:::{bucket}"


def s3_versioning_suspended(stack: DeployedStack) -> str:
    bucket = _audit_bucket(stack)
    _c(stack, "s3").put_bucket_versioning(
        Bucket=bucket, VersioningConfiguration={"Status": "Suspended"}
    )
    return f"arn:aws:s3:::{bucket}"


def s3_object_lock_shortened(stack: DeployedStack) -> str:
    bucket = _audit_bucket(stack)
    _c(stack, "s3").put_object_lock_configuration(
        Bucket=bucket,
        ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}},
        },
    )
    return f"arn:aws:s3:::{bucket}"


def s3_tls_removed(stack: DeployedStack) -> str:
    bucket = _audit_bucket(stack)
    s3 = _c(stack, "s3")
    document = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    document["Statement"] = [s for s in document["Statement"] if not _is_tls_deny(s)]
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(document))
    return f"arn:aws:s3:::{bucket}"


def s3_sse_s3(stack: DeployedStack) -> str:
    bucket = _audit_bucket(stack)
    _c(stack, "s3").put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    return f"arn:aws:s3:::{bucket}"


def s3_access_logging_off(stack: DeployedStack) -> str:
    bucket = _audit_bucket(stack)
    _c(stack, "s3").put_bucket_logging(Bucket=bucket, BucketLoggingStatus={})
    return f"arn:aws:s3:::{bucket}"


def s3_lifecycle_deleted(stack: DeployedStack) -> str:
    bucket = _audit_bucket(stack)
    _c(stack, "s3").delete_bucket_lifecycle(Bucket=bucket)
    return f"arn:aws:s3:::{bucket}"


# ---- Logs and alarms


def logs_retention_removed(stack: DeployedStack) -> str:
    name, arn = _log_group(stack, "cloudtrail")
    _c(stack, "logs").delete_retention_policy(logGroupName=name)
    return arn


def logs_key_removed(stack: DeployedStack) -> str:
    """The flow-log group recreated without its KMS key (same name, retention and tags)."""
    name, arn = _log_group(stack, "flow-logs")
    logs = _c(stack, "logs")
    [group] = logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]
    tags = logs.list_tags_log_group(logGroupName=name)["tags"]
    logs.delete_log_group(logGroupName=name)
    logs.create_log_group(logGroupName=name, tags=tags)
    logs.put_retention_policy(logGroupName=name, retentionInDays=group["retentionInDays"])
    return arn


def alarm_actions_retargeted(stack: DeployedStack) -> str:
    """The alarm now notifies an unencrypted topic outside the stack."""
    name, arn = _alarm(stack, "orders-message-volume")
    cloudwatch = _c(stack, "cloudwatch")
    stray = _c(stack, "sns").create_topic(Name="someone-elses-topic")["TopicArn"]
    [alarm] = cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"]
    keys = (
        "AlarmName",
        "ComparisonOperator",
        "EvaluationPeriods",
        "MetricName",
        "Namespace",
        "Period",
        "Statistic",
        "Threshold",
        "ActionsEnabled",
        "Dimensions",
        "TreatMissingData",
        "OKActions",
        "InsufficientDataActions",
    )
    request = {k: alarm[k] for k in keys if k in alarm}
    cloudwatch.put_metric_alarm(**request, AlarmActions=[stray])
    return arn


def queue_alarm_deleted(stack: DeployedStack) -> str:
    name, _ = _alarm(stack, "orders-dlq-depth")
    _c(stack, "cloudwatch").delete_alarms(AlarmNames=[name])
    return _queue(stack, "orders-dlq")[1]


def topic_alarm_deleted(stack: DeployedStack) -> str:
    name, _ = _alarm(stack, "events-delivery-failures")
    _c(stack, "cloudwatch").delete_alarms(AlarmNames=[name])
    return _topic(stack)


def security_event_rules_deleted(stack: DeployedStack) -> str:
    events = _c(stack, "events")
    for rule in events.list_rules()["Rules"]:
        targets = events.list_targets_by_rule(Rule=rule["Name"])["Targets"]
        if targets:
            events.remove_targets(Rule=rule["Name"], Ids=[t["Id"] for t in targets])
        events.delete_rule(Name=rule["Name"])
    logs = _c(stack, "logs")
    name, _ = _log_group(stack, "cloudtrail")
    for metric_filter in logs.describe_metric_filters(logGroupName=name)["metricFilters"]:
        logs.delete_metric_filter(logGroupName=name, filterName=metric_filter["filterName"])
    return _account_scope(stack)


# ---- Network


def _endpoint_deleted(service: str) -> Callable[[DeployedStack], str]:
    def drift(stack: DeployedStack) -> str:
        ec2 = _c(stack, "ec2")
        ids = [
            e["VpcEndpointId"]
            for e in _endpoints(stack)
            if e["ServiceName"].rsplit(".", 1)[-1] in (service, f"{service}-fips")
        ]
        ec2.delete_vpc_endpoints(VpcEndpointIds=ids)
        return _account_scope(stack)

    return drift


def sg_open_ingress(stack: DeployedStack) -> str:
    [endpoint] = [
        e
        for e in _endpoints(stack)
        if e["ServiceName"].endswith("sqs-fips") or e["ServiceName"].endswith(".sqs")
    ][:1]
    group = endpoint["Groups"][0]["GroupId"]
    _c(stack, "ec2").authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            }
        ],
    )
    return f"arn:aws:ec2:{stack.target.region}:{ACCOUNT}:security-group/{group}"


def flow_logs_deleted(stack: DeployedStack) -> str:
    ec2 = _c(stack, "ec2")
    flow_logs = ec2.describe_flow_logs()["FlowLogs"]
    ec2.delete_flow_logs(FlowLogIds=[f["FlowLogId"] for f in flow_logs])
    vpc = flow_logs[0]["ResourceId"]
    return f"arn:aws:ec2:{stack.target.region}:{ACCOUNT}:vpc/{vpc}"


def non_fips_endpoint_added(stack: DeployedStack) -> str:
    ec2 = _c(stack, "ec2")
    existing = _endpoints(stack)[0]
    ec2.create_vpc_endpoint(
        VpcEndpointType="Interface",
        VpcId=existing["VpcId"],
        ServiceName=f"com.amazonaws.{stack.target.region}.sqs",
        SubnetIds=existing.get("SubnetIds", []),
        SecurityGroupIds=[g["GroupId"] for g in existing.get("Groups", [])],
        PrivateDnsEnabled=False,
        TagSpecifications=[{"ResourceType": "vpc-endpoint", "Tags": _stack_tags(stack)}],
    )
    return _account_scope(stack)


# ---- IAM


def iam_wildcard_action(stack: DeployedStack) -> str:
    name, arn = _role(stack, "consumer")
    _, queue = _queue(stack)
    _c(stack, "iam").put_role_policy(
        RoleName=name,
        PolicyName="drift",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "sqs:*", "Resource": queue}],
            }
        ),
    )
    return arn


def iam_trust_unscoped(stack: DeployedStack) -> str:
    name, arn = _role(stack, "config")
    iam = _c(stack, "iam")
    document = iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"]
    for statement in document["Statement"]:
        statement.pop("Condition", None)
    iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(document))
    return arn


# ---- Governance


def config_recorder_stopped(stack: DeployedStack) -> str:
    config = _c(stack, "config")
    [recorder] = config.describe_configuration_recorders()["ConfigurationRecorders"]
    config.stop_configuration_recorder(ConfigurationRecorderName=recorder["name"])
    return _account_scope(stack)


def config_rule_deleted(stack: DeployedStack) -> str:
    config = _c(stack, "config")
    rule = config.describe_config_rules()["ConfigRules"][0]
    config.delete_config_rule(ConfigRuleName=rule["ConfigRuleName"])
    return _account_scope(stack)


def bucket_outside_allowed_regions(stack: DeployedStack) -> str:
    """A compliant-looking stack bucket, but in a region the profile does not allow."""
    s3 = stack.server.client("s3", "eu-west-1")
    bucket = f"{_prefix(stack)}-stray-{ACCOUNT}"
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": _stack_tags(stack)})
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_ownership_controls(
        Bucket=bucket,
        OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
    )
    arn = f"arn:aws:s3:::{bucket}"
    s3.put_bucket_policy(
        Bucket=bucket,
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "DenyInsecureTransport",
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:*",
                        "Resource": [arn, f"{arn}/*"],
                        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                    }
                ],
            }
        ),
    )
    return _account_scope(stack)


DRIFTS: tuple[Drift, ...] = (
    Drift("SQS-ENC-CMK", "data key reuse raised to 86400 s on the queue", sqs_key_reuse),
    Drift("SQS-TLS-ONLY", "TLS deny statement removed from the queue policy", sqs_tls_removed),
    Drift("SQS-DLQ", "DLQ detached (RedrivePolicy cleared)", sqs_dlq_detached),
    Drift("SQS-RETENTION-MAX", "queue retention raised past the maximum", sqs_retention_raised),
    Drift("SQS-NO-PUBLIC", "public principal added to the queue policy", sqs_public_principal),
    Drift(
        "SQS-SNS-SCOPED", "topic's send grant removed from the queue policy", sqs_sns_grant_removed
    ),
    Drift("SNS-ENC-CMK", "topic encryption removed", sns_encryption_removed),
    Drift("SNS-TLS-ONLY", "TLS deny statement removed from the topic policy", sns_tls_removed),
    Drift("SNS-NO-PUBLIC", "public principal added to the topic policy", sns_public_principal),
    Drift("SNS-SUB-SECURE", "subscription dead-letter queue removed", sns_subscription_dlq_removed),
    Drift(
        "SNS-PUBLISHER-KMS", "producer loses kms:GenerateDataKey", sns_publisher_key_grant_removed
    ),
    Drift("KMS-ROTATION", "rotation off on the data key", kms_rotation_off),
    Drift("KMS-POLICY-NO-WILDCARD-PRINCIPAL", "key policy allows AWS:*", kms_policy_public),
    Drift("KMS-IAM-NO-BROAD-ACTIONS", "consumer may kms:Decrypt with any key", kms_broad_decrypt),
    Drift("KMS-DELETION-WINDOW", "signing key scheduled for deletion", kms_scheduled_for_deletion),
    Drift(
        "KMS-SINGLE-REGION",
        "multi-Region key added to the stack",
        kms_multi_region_key,
        also=("REGION-RESIDENCY",),
    ),
    Drift("TRAIL-MULTI-REGION", "trail stopped", trail_stopped),
    Drift("TRAIL-LOG-VALIDATION", "log file validation off", trail_validation_off),
    Drift("TRAIL-KMS", "trail encryption removed", trail_unencrypted),
    Drift("TRAIL-DATA-EVENTS-SQS", "SQS data-event selector removed", trail_sqs_selector_removed),
    Drift("TRAIL-DATA-EVENTS-SNS", "SNS data-event selector removed", trail_sns_selector_removed),
    Drift("TRAIL-CWLOGS", "CloudWatch Logs delivery detached", trail_cloudwatch_detached),
    Drift("S3-AUDIT-BLOCK-PUBLIC", "public access block turned off", s3_public_access_unblocked),
    Drift("S3-AUDIT-VERSIONING", "versioning suspended", s3_versioning_suspended),
    Drift("S3-AUDIT-OBJECT-LOCK", "object lock GOVERNANCE 1 day", s3_object_lock_shortened),
    Drift("S3-TLS-ONLY", "TLS deny statement removed from the bucket policy", s3_tls_removed),
    Drift("S3-AUDIT-SSE-KMS", "default encryption set to SSE-S3", s3_sse_s3),
    Drift("S3-AUDIT-LOGGING", "server access logging off", s3_access_logging_off),
    Drift("S3-AUDIT-LIFECYCLE", "lifecycle configuration deleted", s3_lifecycle_deleted),
    Drift("LOGS-RETENTION", "trail log group retention removed", logs_retention_removed),
    Drift("LOGS-KMS", "flow-log group recreated without its key", logs_key_removed),
    Drift("ALARM-ACTIONS", "alarm notifies an unencrypted outside topic", alarm_actions_retargeted),
    Drift("ALARM-QUEUE-HEALTH", "DLQ depth alarm deleted", queue_alarm_deleted),
    Drift("ALARM-TOPIC-HEALTH", "topic delivery-failure alarm deleted", topic_alarm_deleted),
    Drift(
        "ALARM-SECURITY-EVENTS",
        "security event rules and filters deleted",
        security_event_rules_deleted,
    ),
    Drift("VPC-ENDPOINT-SQS", "SQS endpoint deleted", _endpoint_deleted("sqs")),
    Drift("VPC-ENDPOINT-SNS", "SNS endpoint deleted", _endpoint_deleted("sns")),
    Drift("VPC-ENDPOINT-KMS", "KMS endpoint deleted", _endpoint_deleted("kms")),
    Drift("VPC-ENDPOINT-LOGS", "Logs endpoint deleted", _endpoint_deleted("logs")),
    Drift("SG-NO-OPEN-INGRESS", "0.0.0.0/0 ingress on the endpoint group", sg_open_ingress),
    Drift("VPC-FLOW-LOGS", "flow logs deleted", flow_logs_deleted),
    Drift("IAM-NO-WILDCARD-ACTION", "consumer gets sqs:*", iam_wildcard_action),
    Drift(
        "IAM-CONFUSED-DEPUTY", "Config role trust loses its source conditions", iam_trust_unscoped
    ),
    Drift("CONFIG-RECORDER-ON", "Config recorder stopped", config_recorder_stopped),
    Drift("CONFIG-RULES-DEPLOYED", "a Config rule deleted", config_rule_deleted),
    Drift("REGION-RESIDENCY", "stack bucket created in eu-west-1", bucket_outside_allowed_regions),
    Drift("FIPS-ENDPOINTS", "non-FIPS SQS endpoint added", non_fips_endpoint_added),
)

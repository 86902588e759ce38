"""The live collectors read a stack from a real moto server into the inventory models."""

from __future__ import annotations

import json
import threading
from collections import Counter
from typing import Any, cast

import boto3
import pytest
from botocore.awsrequest import AWSResponse

from provisioner.errors import OperationError
from provisioner.inventory.live import collect_live
from provisioner.inventory.models import (
    FieldSelector,
    Kind,
    LifecycleRule,
    LifecycleTransition,
    PublicAccessBlock,
    RedrivePolicy,
    SecurityGroupRule,
)
from tests.integration.inventory.conftest import (
    REGION,
    STACK,
    TAGS,
    DeployedStack,
    aws_session,
    deploy_stack,
)
from tests.support.moto_server import ACCOUNT_ID, MotoServer, running_moto_server

pytestmark = pytest.mark.integration


class _RawBody:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Any:
        yield self._body


def error_response(status: int, body: str, content_type: str) -> AWSResponse:
    return AWSResponse(
        "http://127.0.0.1/",
        status,
        cast(Any, {"Content-Type": content_type}),
        _RawBody(body.encode()),
    )


@pytest.fixture(scope="module")
def moto(moto_session_server: MotoServer) -> MotoServer:
    return moto_session_server


@pytest.fixture(scope="module")
def deployed(moto: MotoServer) -> DeployedStack:
    """One stack for the module: the tests only read it (deploying takes seconds in moto)."""
    moto.reset()
    return deploy_stack(moto)


def test_collects_every_kind_of_the_stack_and_nothing_else(
    moto: MotoServer, deployed: DeployedStack, session: boto3.Session
) -> None:
    inventory = collect_live(session, REGION, STACK, endpoint_url=moto.url)

    assert (inventory.source, inventory.account, inventory.region) == ("live", ACCOUNT_ID, REGION)
    assert inventory.errors == {}

    (key,) = inventory.keys
    assert key.arn == deployed.key_arn and key.key_manager == "CUSTOMER"
    assert key.rotation_enabled and key.state == "Enabled" and not key.multi_region
    assert key.aliases == ("alias/pci-prod-data",) and key.tags == TAGS
    assert key.policy is not None and "Statement" in key.policy

    queues = {q.name: q for q in inventory.queues}
    assert set(queues) == {"orders", "orders-dlq"}
    orders, dlq = queues["orders"], queues["orders-dlq"]
    assert orders.arn == deployed.queue_arn and orders.url == deployed.queue_url
    assert orders.kms_master_key_id == deployed.key_arn and orders.data_key_reuse_seconds == 600
    assert orders.retention_seconds == 86400
    assert orders.redrive_policy == RedrivePolicy(
        dead_letter_target_arn=deployed.dlq_arn, max_receive_count=5
    )
    assert orders.policy is not None
    assert orders.policy["Statement"][0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert not orders.is_dlq and dlq.is_dlq and dlq.retention_seconds == 1_209_600
    # moto 5.2.5 neither stores nor returns RedriveAllowPolicy; the parser is unit-tested
    assert inventory.key(orders.kms_master_key_id) is key

    (topic,) = inventory.topics
    assert topic.arn == deployed.topic_arn and topic.kms_master_key_id == "alias/pci-prod-data"
    assert inventory.key(topic.kms_master_key_id) is key
    (subscription,) = inventory.subscriptions
    assert (subscription.topic_arn, subscription.protocol) == (deployed.topic_arn, "sqs")
    assert subscription.endpoint == deployed.queue_arn and subscription.raw_message_delivery
    assert subscription.redrive_policy_dlq_arn == deployed.dlq_arn

    (bucket,) = inventory.buckets
    assert bucket.name == "pci-prod-audit" and bucket.region == REGION
    assert bucket.public_access_block == PublicAccessBlock(
        block_public_acls=True,
        ignore_public_acls=True,
        block_public_policy=True,
        restrict_public_buckets=True,
    )
    assert bucket.versioning == "Enabled" and bucket.object_lock_enabled
    assert (bucket.object_lock_mode, bucket.object_lock_days) == ("COMPLIANCE", 365)
    assert (bucket.sse_algorithm, bucket.sse_kms_key_id) == ("aws:kms", deployed.key_arn)
    assert bucket.lifecycle_rules == (
        LifecycleRule(
            id="retain",
            enabled=True,
            prefix="AWSLogs/",
            expiration_days=400,
            transitions=(LifecycleTransition(days=90, storage_class="GLACIER"),),
        ),
    )
    assert bucket.policy is not None and bucket.policy["Statement"][0]["Effect"] == "Deny"

    (trail,) = inventory.trails
    assert trail.name == "org-trail" and trail.multi_region and trail.log_file_validation
    assert trail.is_logging and trail.kms_key_id == deployed.key_arn
    assert trail.home_region == REGION and trail.tags == TAGS
    (selector,) = trail.advanced_event_selectors
    assert selector.equals("resources.type") == ("AWS::SQS::Queue",)
    assert FieldSelector(field="resources.ARN", starts_with=(deployed.queue_arn,)) in (
        selector.field_selectors
    )

    groups = {g.name: g for g in inventory.log_groups}
    assert set(groups) == {"/pci/trail", "/pci/app"}
    assert groups["/pci/trail"].retention_days == 365
    assert groups["/pci/trail"].kms_key_id == deployed.key_arn
    assert [f.metric_name for f in groups["/pci/trail"].metric_filters] == ["KmsDeletion"]
    assert groups["/pci/app"].retention_days is None  # never expires
    assert not groups["/pci/trail"].arn.endswith(":*")

    (alarm,) = inventory.alarms
    assert alarm.namespace == "AWS/SQS" and alarm.dimensions == {"QueueName": "orders-dlq"}
    assert alarm.actions_enabled and alarm.alarm_actions == (deployed.topic_arn,)

    (rule,) = inventory.event_rules
    assert rule.event_pattern == {"source": ["aws.kms"]}
    assert [t.arn for t in rule.targets] == [deployed.topic_arn]

    (recorder,) = inventory.config_recorders
    assert recorder.all_supported and recorder.recording
    assert recorder.delivery_bucket == "pci-prod-audit"
    (config_rule,) = inventory.config_rules
    assert config_rule.source_identifier == "CW_LOGGROUP_RETENTION_PERIOD_CHECK"
    assert config_rule.input_parameters == {"MinRetentionTime": "365"}

    (vpc,) = inventory.vpcs
    assert vpc.id == deployed.vpc_id and [f.traffic_type for f in vpc.flow_logs] == ["ALL"]
    (endpoint,) = inventory.vpc_endpoints
    assert endpoint.service == "sqs" and endpoint.endpoint_type == "Interface"
    assert endpoint.private_dns_enabled and endpoint.state == "available"
    assert endpoint.availability_zones == (f"{REGION}a", f"{REGION}b")
    assert endpoint.security_group_ids == (deployed.group_id,)
    groups_by_id = {g.id: g for g in inventory.security_groups}
    endpoint_group = groups_by_id.pop(deployed.group_id)
    assert endpoint_group.ingress == (
        SecurityGroupRule(protocol="tcp", from_port=443, to_port=443, cidr_ipv4=("10.0.0.0/16",)),
    )
    (default_group,) = groups_by_id.values()  # the stack VPC's default group is judged too
    assert default_group.is_default and default_group.vpc_id == deployed.vpc_id

    (role,) = inventory.roles
    assert role.arn == deployed.role_arn and role.tags == TAGS
    assert role.trust_policy is not None
    assert role.inline_policies["send"]["Statement"][0]["Action"] == "sqs:SendMessage"
    attached = role.attached_policies[deployed.managed_policy_arn]
    assert attached["Statement"][0]["Action"] == "kms:GenerateDataKey"


def test_reads_each_queue_with_at_most_three_calls(
    moto: MotoServer,
    deployed: DeployedStack,
    session: boto3.Session,
    api_calls: list[str],
) -> None:
    inventory = collect_live(session, REGION, STACK, endpoint_url=moto.url, services=["sqs"])
    calls = Counter(api_calls)
    assert {q.name for q in inventory.queues} == {"orders", "orders-dlq"}
    assert calls["tagging.GetResources"] == 1  # the stack's queues and their tags, at once
    assert calls["sqs.ListQueues"] == 1
    assert calls["sqs.ListQueueTags"] == 0
    assert calls["sqs.GetQueueAttributes"] == 2  # only the stack's two queues
    assert sum(v for k, v in calls.items() if k.startswith("sqs.")) == 1 + 2


def deny_tag_sweep(**_: Any) -> AWSResponse:
    denied = json.dumps(
        {"__type": "AccessDeniedException", "Message": "not authorized to tag:GetResources"}
    )
    return error_response(400, denied, "application/x-amz-json-1.1")


def test_without_the_tag_sweep_each_resource_s_tags_are_read_and_the_inventory_is_the_same(
    moto: MotoServer, deployed: DeployedStack, session: boto3.Session, api_calls: list[str]
) -> None:
    swept = collect_live(aws_session(), REGION, STACK, endpoint_url=moto.url)
    session.events.register("before-send.resource-groups-tagging-api", cast(Any, deny_tag_sweep))
    read_one_by_one = collect_live(session, REGION, STACK, endpoint_url=moto.url)

    assert read_one_by_one.errors == {} and swept.errors == {}
    assert read_one_by_one == swept
    assert len(swept.queues) == 2 and len(swept.topics) == 1 and len(swept.keys) == 1
    calls = Counter(api_calls)
    assert calls["sqs.ListQueueTags"] == 4  # every queue of the account, the stack's or not
    assert calls["sns.ListTagsForResource"] >= 1 and calls["kms.ListResourceTags"] >= 1
    assert calls["s3.GetBucketTagging"] >= 1 and calls["monitoring.ListTagsForResource"] >= 1
    assert calls["logs.ListTagsForResource"] >= 1


def test_with_the_tag_sweep_no_resource_s_tags_are_read_one_by_one(
    moto: MotoServer, deployed: DeployedStack, session: boto3.Session, api_calls: list[str]
) -> None:
    inventory = collect_live(session, REGION, STACK, endpoint_url=moto.url)
    assert inventory.errors == {} and len(inventory.buckets) >= 1 and len(inventory.alarms) >= 1
    calls = Counter(api_calls)
    assert calls["tagging.GetResources"] == 1
    per_resource_tag_reads = (
        "sqs.ListQueueTags",
        "sns.ListTagsForResource",
        "kms.ListResourceTags",
        "s3.GetBucketTagging",
        "monitoring.ListTagsForResource",
        "logs.ListTagsForResource",
    )
    assert {name: calls[name] for name in per_resource_tag_reads} == dict.fromkeys(
        per_resource_tag_reads, 0
    )


def test_a_service_the_sweep_returns_nothing_for_is_read_one_by_one(
    moto: MotoServer, deployed: DeployedStack, session: boto3.Session, api_calls: list[str]
) -> None:
    """An empty answer cannot tell "none" from "not indexed here": the tags are read instead."""

    def drop_buckets(parsed: dict[str, Any], **_: Any) -> None:
        parsed["ResourceTagMappingList"] = [
            m for m in parsed["ResourceTagMappingList"] if ":s3:" not in m["ResourceARN"]
        ]

    session.events.register(
        "after-call.resource-groups-tagging-api.GetResources", cast(Any, drop_buckets)
    )
    inventory = collect_live(session, REGION, STACK, endpoint_url=moto.url)
    assert inventory == collect_live(aws_session(), REGION, STACK, endpoint_url=moto.url)
    assert {b.name for b in inventory.buckets} == {"pci-prod-audit"}
    calls = Counter(api_calls)
    assert calls["s3.GetBucketTagging"] == len(moto.client("s3").list_buckets()["Buckets"])
    assert calls["sqs.ListQueueTags"] == 0  # the other services still trust the sweep


def test_output_arns_narrow_the_service_they_name(
    moto: MotoServer, deployed: DeployedStack, session: boto3.Session
) -> None:
    inventory = collect_live(
        session,
        REGION,
        STACK,
        endpoint_url=moto.url,
        output_arns=[deployed.queue_arn],
        services=["sqs", "sns"],
    )
    assert [q.arn for q in inventory.queues] == [deployed.queue_arn]
    assert [t.arn for t in inventory.topics] == [deployed.topic_arn]  # found by tag


def test_paginates_past_the_first_page(
    moto: MotoServer, deployed: DeployedStack, session: boto3.Session, api_calls: list[str]
) -> None:
    config = moto.client("config")
    names = [f"extra-rule-{i:02d}" for i in range(30)]  # DescribeConfigRules pages hold 25
    for name in names:
        config.put_config_rule(
            ConfigRule={
                "ConfigRuleName": name,
                "Source": {"Owner": "AWS", "SourceIdentifier": "SQS_QUEUE_DLQ_CHECK"},
            }
        )
    try:
        inventory = collect_live(session, REGION, STACK, endpoint_url=moto.url, services=["config"])
    finally:
        for name in names:
            config.delete_config_rule(ConfigRuleName=name)
    assert {r.name for r in inventory.config_rules} == {"log-retention", *names}
    assert Counter(api_calls)["config.DescribeConfigRules"] == 2


def test_access_denied_on_one_service_marks_only_its_kinds(
    moto: MotoServer, deployed: DeployedStack, session: boto3.Session
) -> None:
    denied = (
        "<ErrorResponse><Error><Type>Sender</Type><Code>AuthorizationError</Code>"
        "<Message>not authorized to perform SNS:ListTopics</Message></Error>"
        "<RequestId>1</RequestId></ErrorResponse>"
    )

    def deny(**_: Any) -> AWSResponse:
        return error_response(403, denied, "text/xml")

    session.events.register("before-send.sns", cast(Any, deny))
    inventory = collect_live(session, REGION, STACK, endpoint_url=moto.url)

    assert set(inventory.errors) == {Kind.TOPIC, Kind.SUBSCRIPTION}
    assert "AuthorizationError" in inventory.errors[Kind.TOPIC].message
    assert inventory.topics == () and inventory.error_for(Kind.QUEUE) is None
    assert {q.name for q in inventory.queues} == {"orders", "orders-dlq"}
    assert len(inventory.keys) == 1 and len(inventory.trails) == 1


def test_throttled_calls_are_retried_until_they_succeed(
    moto: MotoServer, deployed: DeployedStack, session: boto3.Session
) -> None:
    throttled = json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"})
    attempts: list[str] = []
    lock = threading.Lock()

    def throttle_first_two(**_: Any) -> AWSResponse | None:
        with lock:
            attempts.append("DescribeKey")
            if len(attempts) <= 2:
                return error_response(400, throttled, "application/x-amz-json-1.1")
        return None

    session.events.register("before-send.kms.DescribeKey", cast(Any, throttle_first_two))
    inventory = collect_live(session, REGION, STACK, endpoint_url=moto.url, services=["kms"])
    assert inventory.errors == {}
    assert [k.arn for k in inventory.keys] == [deployed.key_arn]
    assert len(attempts) == 3  # two throttled, then the one that got through


def test_unreachable_endpoint_is_an_operation_error_naming_it() -> None:
    with running_moto_server() as server:
        url = server.url
        server.stop()
        with pytest.raises(OperationError) as raised:
            collect_live(aws_session(), REGION, STACK, endpoint_url=url)
    assert url in raised.value.message
    assert raised.value.exit_code == 3


def test_endpoint_lost_during_collection_is_an_operation_error(deployed: DeployedStack) -> None:
    # in-process moto servers share their backends: this one serves the module's stack
    with running_moto_server() as server:
        session = aws_session()
        stopped = threading.Event()

        def stop_on_first_queue_call(**_: Any) -> None:
            if not stopped.is_set():
                stopped.set()
                server.stop()

        session.events.register("before-call.sqs", stop_on_first_queue_call)
        with pytest.raises(OperationError) as raised:
            collect_live(session, REGION, STACK, endpoint_url=server.url)
    assert raised.value.message.startswith(f"lost {server.url}")


def test_a_queue_deleted_between_listing_and_reading_is_skipped(
    moto: MotoServer, deployed: DeployedStack, session: boto3.Session
) -> None:
    sqs = moto.client("sqs")
    doomed = sqs.create_queue(QueueName="doomed", tags=TAGS)["QueueUrl"]

    def delete_first(params: dict[str, Any], **_: Any) -> None:
        if params.get("QueueUrl") == doomed:
            sqs.delete_queue(QueueUrl=doomed)

    session.events.register(
        "before-parameter-build.sqs.GetQueueAttributes", cast(Any, delete_first)
    )
    inventory = collect_live(session, REGION, STACK, endpoint_url=moto.url, services=["sqs"])
    assert inventory.errors == {}
    assert {q.name for q in inventory.queues} == {"orders", "orders-dlq"}

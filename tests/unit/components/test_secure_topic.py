from __future__ import annotations

import json

import pulumi

from components.secure_topic import (
    QueueSubscriber,
    SecureTopic,
    SecureTopicArgs,
    ServicePublisher,
)
from provisioner.planning import PlanMonitor
from tests.unit.components.helpers import (
    ACCOUNT,
    REGION,
    TAGS,
    as_list,
    by_sid,
    denies_insecure_transport,
    one,
    policy,
    provider,
    public_allows,
    resources,
    settled,
)

KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/00000000-0000-0000-0000-000000000000"
QUEUE = f"arn:aws:sqs:{REGION}:{ACCOUNT}:pci-test-orders"
DLQ = f"arn:aws:sqs:{REGION}:{ACCOUNT}:pci-test-orders-dlq"
TRUSTED = "210987654321"


def _topic(**overrides: object) -> SecureTopic:
    args = {
        "topic_name": "pci-test-events",
        "kms_key_arn": KEY,
        "account_id": ACCOUNT,
        "subscribers": [QueueSubscriber(name="orders", queue_arn=QUEUE, dead_letter_arn=DLQ)],
        "publisher_accounts": [TRUSTED],
        "tags": TAGS,
        **overrides,
    }
    return SecureTopic("events", SecureTopicArgs(**args), opts=provider())  # type: ignore[arg-type]


@pulumi.runtime.test
def test_topic_is_encrypted_and_tls_only(graph: PlanMonitor) -> pulumi.Output[None]:
    _topic()

    async def check() -> None:
        await settled()
        topic = one(graph, "aws:sns/topic:Topic")
        assert topic.inputs["kmsMasterKeyId"] == KEY
        assert TAGS.items() <= topic.inputs["tags"].items()
        document = policy(one(graph, "aws:sns/topicPolicy:TopicPolicy"))
        assert denies_insecure_transport(document, topic.state["arn"])
        assert not public_allows(document)
        trusted = by_sid(document, "AllowTrustedAccountsPublish")
        assert trusted["Action"] == "sns:Publish"
        assert trusted["Principal"] == {"AWS": f"arn:aws:iam::{TRUSTED}:root"}

    return pulumi.Output.from_input(check())


@pulumi.runtime.test
def test_subscriptions_use_raw_delivery_and_a_dead_letter_queue(
    graph: PlanMonitor,
) -> pulumi.Output[None]:
    _topic()

    async def check() -> None:
        await settled()
        subscription = one(graph, "aws:sns/topicSubscription:TopicSubscription")
        assert subscription.inputs["protocol"] == "sqs"
        assert subscription.inputs["endpoint"] == QUEUE
        assert subscription.inputs["rawMessageDelivery"] is True
        assert json.loads(subscription.inputs["redrivePolicy"]) == {"deadLetterTargetArn": DLQ}
        assert subscription.inputs["topic"] == one(graph, "aws:sns/topic:Topic").state["arn"]

    return pulumi.Output.from_input(check())


@pulumi.runtime.test
def test_service_publishers_are_narrowed_by_conditions(graph: PlanMonitor) -> pulumi.Output[None]:
    _topic(
        subscribers=[],
        publisher_accounts=[],
        service_publishers=[
            ServicePublisher(service="cloudwatch.amazonaws.com", source_account=ACCOUNT),
            ServicePublisher(service="events.amazonaws.com"),
        ],
    )

    async def check() -> None:
        await settled()
        assert not resources(graph, "aws:sns/topicSubscription:TopicSubscription")
        document = policy(one(graph, "aws:sns/topicPolicy:TopicPolicy"))
        cloudwatch = by_sid(document, "AllowCloudwatchPublish")
        assert cloudwatch["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
        events = by_sid(document, "AllowEventsPublish")
        assert as_list(events["Action"]) == ["sns:Publish"]
        assert "AllowTrustedAccountsPublish" not in {s.get("Sid") for s in document["Statement"]}

    return pulumi.Output.from_input(check())

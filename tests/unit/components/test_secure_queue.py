from __future__ import annotations

import json

import pulumi

from components.messaging_key import MessagingKey, MessagingKeyArgs
from components.secure_queue import SecureQueue, SecureQueueArgs
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
    resolve,
    resources,
    settled,
)

TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:pci-test-events"


def _queue(fifo: bool = False, **overrides: object) -> tuple[MessagingKey, SecureQueue]:
    opts = provider()
    key = MessagingKey(
        "key",
        MessagingKeyArgs(alias_name="pci-test", account_id=ACCOUNT, region=REGION, tags=TAGS),
        opts=opts,
    )
    queue = SecureQueue(
        "orders",
        SecureQueueArgs(
            queue_name="pci-test-orders",
            kms_key_arn=key.arn,
            account_id=ACCOUNT,
            region=REGION,
            fifo=fifo,
            message_retention_seconds=86_400,
            max_receive_count=3,
            sns_source_arns=[TOPIC],
            tags=TAGS,
            **overrides,  # type: ignore[arg-type]
        ),
        opts=opts,
    )
    return key, queue


@pulumi.runtime.test
def test_queue_and_dlq_use_the_stack_cmk_never_sse_sqs(graph: PlanMonitor) -> pulumi.Output[None]:
    key, queue = _queue()

    async def check() -> None:
        await settled()
        key_arn = await resolve(key.arn)
        assert key_arn.startswith(f"arn:aws:kms:{REGION}:{ACCOUNT}:key/")
        queues = resources(graph, "aws:sqs/queue:Queue")
        assert len(queues) == 2
        for q in queues:
            assert q.inputs["kmsMasterKeyId"] == key_arn
            assert q.inputs.get("sqsManagedSseEnabled") is not True
            assert q.state["sqsManagedSseEnabled"] is False
            assert q.inputs["kmsDataKeyReusePeriodSeconds"] == 300
        assert await resolve(queue.queue.kms_master_key_id) == key_arn

    return pulumi.Output.from_input(check())


@pulumi.runtime.test
def test_dead_letter_wiring_and_redrive_allow(graph: PlanMonitor) -> pulumi.Output[None]:
    _, queue = _queue()

    async def check() -> None:
        await settled()
        source_arn = await resolve(queue.arn)
        dlq = one(graph, "aws:sqs/queue:Queue", "orders-dlq")
        main = one(graph, "aws:sqs/queue:Queue", "orders-queue")
        redrive = json.loads(main.inputs["redrivePolicy"])
        assert redrive == {"deadLetterTargetArn": dlq.state["arn"], "maxReceiveCount": 3}
        allow = json.loads(dlq.inputs["redriveAllowPolicy"])
        assert allow == {"redrivePermission": "byQueue", "sourceQueueArns": [source_arn]}
        assert main.inputs["messageRetentionSeconds"] == 86_400
        assert dlq.inputs["messageRetentionSeconds"] == 1_209_600

    return pulumi.Output.from_input(check())


@pulumi.runtime.test
def test_queue_policies_deny_plain_http_and_admit_only_stack_topics(
    graph: PlanMonitor,
) -> pulumi.Output[None]:
    _, queue = _queue()

    async def check() -> None:
        await settled()
        await resolve(queue.url)
        for policy_name, queue_name in (
            ("orders-queue-policy", "orders-queue"),
            ("orders-dlq-policy", "orders-dlq"),
        ):
            queue_arn = one(graph, "aws:sqs/queue:Queue", queue_name).state["arn"]
            document = policy(one(graph, "aws:sqs/queuePolicy:QueuePolicy", policy_name))
            assert denies_insecure_transport(document, queue_arn)
            assert not public_allows(document)
            sns = by_sid(document, "AllowStackTopicsToDeliver")
            assert sns["Principal"] == {"Service": "sns.amazonaws.com"}
            assert sns["Action"] == "sqs:SendMessage"
            assert sns["Resource"] == queue_arn
            assert sns["Condition"] == {"ArnEquals": {"aws:SourceArn": TOPIC}}

    return pulumi.Output.from_input(check())


@pulumi.runtime.test
def test_fifo_queue_names_end_in_fifo(graph: PlanMonitor) -> pulumi.Output[None]:
    _, queue = _queue(fifo=True)

    async def check() -> None:
        await settled()
        assert (await resolve(queue.name)) == "pci-test-orders.fifo"
        dlq = one(graph, "aws:sqs/queue:Queue", "orders-dlq")
        assert dlq.inputs["name"] == "pci-test-orders-dlq.fifo"
        assert dlq.inputs["fifoQueue"] is True

    return pulumi.Output.from_input(check())


@pulumi.runtime.test
def test_every_queue_resource_carries_the_stack_tags(graph: PlanMonitor) -> pulumi.Output[None]:
    _, queue = _queue()

    async def check() -> None:
        await settled()
        await resolve(queue.arn)
        for q in resources(graph, "aws:sqs/queue:Queue"):
            assert TAGS.items() <= q.inputs["tags"].items()

    return pulumi.Output.from_input(check())

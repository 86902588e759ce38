"""SNS topics and subscriptions: list each once; per topic of the stack its attributes (and its
tags when the tag sweep is refused), per subscription of a stack topic its attributes."""

from __future__ import annotations

from typing import Any

from provisioner.inventory._normalize import (
    as_bool,
    as_str,
    int_or,
    parse_json,
    parse_policy,
    tags_from_list,
)
from provisioner.inventory.collectors._base import CollectorContext, paginate
from provisioner.inventory.models import AnyResource, Kind, Subscription, Topic

KINDS = (Kind.TOPIC, Kind.SUBSCRIPTION)
PENDING = "PendingConfirmation"


def collect(ctx: CollectorContext) -> dict[Kind, tuple[AnyResource, ...]]:
    client = ctx.client("sns")
    arns = [t["TopicArn"] for t in paginate(client, "list_topics", "Topics")]
    wanted = ctx.scope.by_arns("arn:aws:sns:")
    known_tags = ctx.stack_tags("sns")
    if wanted is not None:
        arns = [a for a in arns if a in wanted]
    elif known_tags is not None:
        arns = [a for a in arns if a in known_tags]

    def read_topic(arn: str) -> Topic | None:
        tags = dict((known_tags or {}).get(arn) or {})
        if not tags:  # not in the tag sweep (refused, or an output ARN without the stack tag)
            tags = tags_from_list(client.list_tags_for_resource(ResourceArn=arn).get("Tags"))
            if wanted is None and not ctx.scope.tagged(tags):
                return None
        attributes = client.get_topic_attributes(TopicArn=arn).get("Attributes") or {}
        return topic_from_attributes(arn, attributes, tags)

    topics = tuple(t for t in ctx.map(read_topic, arns) if t is not None)
    topic_arns = {t.arn for t in topics}
    listed = [
        s
        for s in (paginate(client, "list_subscriptions", "Subscriptions") if topics else ())
        if s.get("TopicArn") in topic_arns
    ]

    def read_subscription(entry: dict[str, Any]) -> Subscription:
        arn = str(entry.get("SubscriptionArn") or PENDING)
        attributes: dict[str, Any] = {}
        if arn.startswith("arn:"):
            attributes = client.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
        return subscription_from_attributes(entry, attributes)

    subscriptions = tuple(ctx.map(read_subscription, listed))
    return {Kind.TOPIC: topics, Kind.SUBSCRIPTION: subscriptions}


def topic_from_attributes(arn: str, attributes: dict[str, Any], tags: dict[str, str]) -> Topic:
    name = arn.rsplit(":", 1)[-1]
    return Topic(
        arn=arn,
        name=name,
        fifo=as_bool(attributes.get("FifoTopic")) or name.endswith(".fifo"),
        kms_master_key_id=as_str(attributes.get("KmsMasterKeyId")),
        signature_version=int_or(attributes.get("SignatureVersion"), 1),
        policy=parse_policy(attributes.get("Policy")),
        delivery_feedback_role_arns={
            k: str(v) for k, v in attributes.items() if k.endswith("FeedbackRoleArn") and v
        },
        tags=tags,
    )


def subscription_from_attributes(entry: dict[str, Any], attributes: dict[str, Any]) -> Subscription:
    redrive = parse_json(attributes.get("RedrivePolicy"))
    arn = str(entry.get("SubscriptionArn") or PENDING)
    return Subscription(
        arn=arn if arn.startswith("arn:") else f"{entry.get('TopicArn')}:{PENDING}",
        topic_arn=str(entry.get("TopicArn") or ""),
        protocol=str(entry.get("Protocol") or ""),
        endpoint=str(entry.get("Endpoint") or ""),
        raw_message_delivery=as_bool(attributes.get("RawMessageDelivery")),
        redrive_policy_dlq_arn=(
            as_str(redrive.get("deadLetterTargetArn")) if isinstance(redrive, dict) else None
        ),
        pending_confirmation=not arn.startswith("arn:")
        or as_bool(attributes.get("PendingConfirmation")),
        filter_policy=parse_policy(attributes.get("FilterPolicy")),
    )

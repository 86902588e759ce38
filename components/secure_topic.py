"""SecureTopic: an SSE-KMS topic with a TLS-only policy and raw-delivery queue subscriptions."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components._naming import child_opts, merged_tags, type_token
from components._policy import (
    account_root,
    condition,
    deny_insecure_transport,
    policy_json,
    statement,
)


@dataclass(frozen=True, kw_only=True)
class QueueSubscriber:
    """A queue the topic delivers to; undeliverable messages go to `dead_letter_arn`."""

    name: str
    queue_arn: pulumi.Input[str]
    dead_letter_arn: pulumi.Input[str] | None = None


@dataclass(frozen=True, kw_only=True)
class ServicePublisher:
    """An AWS service allowed to publish (CloudWatch alarms, EventBridge rules)."""

    service: str
    source_account: pulumi.Input[str] | None = None
    source_arn_like: pulumi.Input[str] | None = None


@dataclass(frozen=True, kw_only=True)
class SecureTopicArgs:
    topic_name: str
    kms_key_arn: pulumi.Input[str]
    account_id: pulumi.Input[str]
    partition: pulumi.Input[str] = "aws"
    fifo: bool = False
    subscribers: Sequence[QueueSubscriber] = ()
    # Other accounts whose principals may publish (cross-account producers).
    publisher_accounts: Sequence[pulumi.Input[str]] = ()
    service_publishers: Sequence[ServicePublisher] = ()
    tls_only: bool = True
    tags: Mapping[str, str] = field(default_factory=dict)


class SecureTopic(pulumi.ComponentResource):
    """Topic encrypted with the stack CMK; no public publish or subscribe."""

    topic: aws.sns.Topic
    topic_policy: aws.sns.TopicPolicy
    subscriptions: dict[str, aws.sns.TopicSubscription]
    arn: pulumi.Output[str]
    name: pulumi.Output[str]

    def __init__(
        self, name: str, args: SecureTopicArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(type_token("SecureTopic"), name, None, opts)
        topic_name = f"{args.topic_name}.fifo" if args.fifo else args.topic_name
        self.topic = aws.sns.Topic(
            f"{name}-topic",
            name=topic_name,
            fifo_topic=args.fifo or None,
            kms_master_key_id=args.kms_key_arn,
            signature_version=2,
            tags=merged_tags(args.tags, Name=args.topic_name),
            opts=child_opts(self),
        )
        self.topic_policy = aws.sns.TopicPolicy(
            f"{name}-topic-policy",
            arn=self.topic.arn,
            policy=policy_json(self, _topic_statements(args, self.topic.arn)),
            opts=child_opts(self),
        )
        self.subscriptions = {}
        for subscriber in args.subscribers:
            redrive = (
                pulumi.Output.from_input(subscriber.dead_letter_arn).apply(
                    lambda arn: json.dumps({"deadLetterTargetArn": arn})
                )
                if subscriber.dead_letter_arn is not None
                else None
            )
            self.subscriptions[subscriber.name] = aws.sns.TopicSubscription(
                f"{name}-{subscriber.name}-subscription",
                topic=self.topic.arn,
                protocol="sqs",
                endpoint=subscriber.queue_arn,
                raw_message_delivery=True,
                redrive_policy=redrive,
                opts=child_opts(self, depends_on=[self.topic_policy]),
            )
        self.arn = self.topic.arn
        self.name = self.topic.name
        self.register_outputs({"arn": self.arn, "name": self.name})


def _topic_statements(
    args: SecureTopicArgs, topic_arn: pulumi.Input[str]
) -> list[aws.iam.GetPolicyDocumentStatementArgs]:
    owner = account_root(args.partition, args.account_id)
    statements = [
        statement(
            sid="AllowOwnerAccountManage",
            actions=[
                "sns:GetTopicAttributes",
                "sns:SetTopicAttributes",
                "sns:ListSubscriptionsByTopic",
                "sns:Subscribe",
                "sns:Publish",
            ],
            resources=[topic_arn],
            principal=("AWS", [owner]),
        )
    ]
    if args.publisher_accounts:
        statements.append(
            statement(
                sid="AllowTrustedAccountsPublish",
                actions=["sns:Publish"],
                resources=[topic_arn],
                principal=(
                    "AWS",
                    [account_root(args.partition, a) for a in args.publisher_accounts],
                ),
            )
        )
    for publisher in args.service_publishers:
        conditions = []
        if publisher.source_account is not None:
            conditions.append(
                condition("StringEquals", "aws:SourceAccount", [publisher.source_account])
            )
        if publisher.source_arn_like is not None:
            conditions.append(condition("ArnLike", "aws:SourceArn", [publisher.source_arn_like]))
        service_id = publisher.service.split(".")[0].capitalize()
        statements.append(
            statement(
                sid=f"Allow{service_id}Publish",
                actions=["sns:Publish"],
                resources=[topic_arn],
                principal=("Service", [publisher.service]),
                conditions=conditions,
            )
        )
    if args.tls_only:
        statements.append(
            deny_insecure_transport(
                "DenyInsecureTransport", ["sns:Publish", "sns:Subscribe"], [topic_arn]
            )
        )
    return statements

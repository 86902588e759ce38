"""SecureQueue: an SSE-KMS queue with its dead-letter queue and TLS-only queue policies."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components._naming import child_opts, merged_tags, type_token
from components._policy import condition, deny_insecure_transport, policy_json, statement


@dataclass(frozen=True, kw_only=True)
class SecureQueueArgs:
    """A queue encrypted with the stack CMK; secure defaults (DLQ on, TLS-only on)."""

    queue_name: str
    kms_key_arn: pulumi.Input[str]
    account_id: pulumi.Input[str]
    region: pulumi.Input[str]
    partition: pulumi.Input[str] = "aws"
    fifo: bool = False
    message_retention_seconds: int = 345_600
    visibility_timeout_seconds: int = 300
    data_key_reuse_seconds: int = 300
    dead_letter: bool = True
    max_receive_count: int = 5
    dlq_retention_seconds: int = 1_209_600
    # Topics allowed to deliver to the queue (and to its DLQ, for subscription redrive).
    sns_source_arns: Sequence[pulumi.Input[str]] = ()
    tls_only: bool = True
    tags: Mapping[str, str] = field(default_factory=dict)


class SecureQueue(pulumi.ComponentResource):
    """Queue + DLQ, SSE-KMS with the stack CMK, redrive and redrive-allow, TLS-only policies."""

    queue: aws.sqs.Queue
    dead_letter_queue: aws.sqs.Queue | None
    queue_policy: aws.sqs.QueuePolicy
    dead_letter_policy: aws.sqs.QueuePolicy | None
    arn: pulumi.Output[str]
    url: pulumi.Output[str]
    name: pulumi.Output[str]
    dead_letter_arn: pulumi.Output[str] | None
    dead_letter_name: pulumi.Output[str] | None

    def __init__(
        self, name: str, args: SecureQueueArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(type_token("SecureQueue"), name, None, opts)
        suffix = ".fifo" if args.fifo else ""
        queue_name = f"{args.queue_name}{suffix}"
        queue_arn = pulumi.Output.format(
            "arn:{0}:sqs:{1}:{2}:{3}", args.partition, args.region, args.account_id, queue_name
        )

        # SSE-KMS with the customer managed key. `sqs_managed_sse_enabled` stays unset: the
        # provider rejects False next to a key ("conflicts with kms_master_key_id"), and SQS
        # reports SqsManagedSseEnabled=false by itself once a key is set.
        self.dead_letter_queue = None
        self.dead_letter_policy = None
        redrive_policy: pulumi.Input[str] | None = None
        if args.dead_letter:
            self.dead_letter_queue = aws.sqs.Queue(
                f"{name}-dlq",
                name=f"{args.queue_name}-dlq{suffix}",
                fifo_queue=args.fifo or None,
                message_retention_seconds=args.dlq_retention_seconds,
                visibility_timeout_seconds=args.visibility_timeout_seconds,
                # Only the source queue may use this queue as its DLQ.
                redrive_allow_policy=queue_arn.apply(
                    lambda arn: json.dumps(
                        {"redrivePermission": "byQueue", "sourceQueueArns": [arn]}
                    )
                ),
                tags=merged_tags(args.tags, Name=f"{args.queue_name}-dlq"),
                opts=child_opts(self),
                kms_master_key_id=args.kms_key_arn,
                kms_data_key_reuse_period_seconds=args.data_key_reuse_seconds,
            )
            redrive_policy = self.dead_letter_queue.arn.apply(
                lambda arn: json.dumps(
                    {"deadLetterTargetArn": arn, "maxReceiveCount": args.max_receive_count}
                )
            )

        self.queue = aws.sqs.Queue(
            f"{name}-queue",
            name=queue_name,
            fifo_queue=args.fifo or None,
            message_retention_seconds=args.message_retention_seconds,
            visibility_timeout_seconds=args.visibility_timeout_seconds,
            redrive_policy=redrive_policy,
            tags=merged_tags(args.tags, Name=args.queue_name),
            opts=child_opts(self),
            kms_master_key_id=args.kms_key_arn,
            kms_data_key_reuse_period_seconds=args.data_key_reuse_seconds,
        )
        self.queue_policy = aws.sqs.QueuePolicy(
            f"{name}-queue-policy",
            queue_url=self.queue.url,
            policy=policy_json(self, _queue_statements(args, self.queue.arn)),
            opts=child_opts(self),
        )
        if self.dead_letter_queue is not None:
            self.dead_letter_policy = aws.sqs.QueuePolicy(
                f"{name}-dlq-policy",
                queue_url=self.dead_letter_queue.url,
                policy=policy_json(self, _queue_statements(args, self.dead_letter_queue.arn)),
                opts=child_opts(self),
            )

        self.arn = self.queue.arn
        self.url = self.queue.url
        self.name = self.queue.name
        self.dead_letter_arn = self.dead_letter_queue.arn if self.dead_letter_queue else None
        self.dead_letter_name = self.dead_letter_queue.name if self.dead_letter_queue else None
        self.register_outputs(
            {
                "arn": self.arn,
                "url": self.url,
                "name": self.name,
                "dead_letter_arn": self.dead_letter_arn,
            }
        )


def _queue_statements(
    args: SecureQueueArgs, queue_arn: pulumi.Input[str]
) -> list[aws.iam.GetPolicyDocumentStatementArgs]:
    statements = []
    if args.tls_only:
        statements.append(deny_insecure_transport("DenyInsecureTransport", ["sqs:*"], [queue_arn]))
    if args.sns_source_arns:
        statements.append(
            statement(
                sid="AllowStackTopicsToDeliver",
                actions=["sqs:SendMessage"],
                resources=[queue_arn],
                principal=("Service", ["sns.amazonaws.com"]),
                conditions=[condition("ArnEquals", "aws:SourceArn", args.sns_source_arns)],
            )
        )
    return statements

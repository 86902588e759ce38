"""MessagingKey: the stack's symmetric customer managed KMS key, its alias and key policy."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components._naming import child_opts, merged_tags, type_token
from components._policy import account_root, condition, policy_json, statement

# Actions a key user needs for envelope encryption through SQS/SNS (controls.md 3f, item 2).
_KEY_USER_ACTIONS = (
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:ReEncrypt*",
    "kms:GenerateDataKey*",
    "kms:DescribeKey",
)


@dataclass(frozen=True, kw_only=True)
class MessagingKeyArgs:
    """What the key encrypts and which AWS services may use it (controls.md section 4)."""

    alias_name: str
    account_id: pulumi.Input[str]
    region: pulumi.Input[str]
    partition: pulumi.Input[str] = "aws"
    description: str = "Encrypts the queues, topics, audit trail and logs of a messaging stack"
    rotation_period_days: int = 365
    deletion_window_days: int = 30
    # Callers in the account may use the key only through these services (kms:ViaService).
    via_services: Sequence[str] = ("sqs", "sns")
    # SNS topics allowed to deliver to queues encrypted with this key (aws:SourceArn).
    sns_topic_arns: Sequence[pulumi.Input[str]] = ()
    # The CloudTrail trail writing encrypted logs (aws:SourceArn + encryption context).
    trail_arn: pulumi.Input[str] | None = None
    # Log groups (ARN patterns) CloudWatch Logs may encrypt (kms:EncryptionContext:aws:logs:arn).
    log_group_arns: Sequence[pulumi.Input[str]] = ()
    allow_cloudwatch_alarms: bool = True
    allow_eventbridge: bool = True
    protect: bool = False
    tags: Mapping[str, str] = field(default_factory=dict)


class MessagingKey(pulumi.ComponentResource):
    """A rotating symmetric CMK whose policy grants only the service access the stack needs."""

    key: aws.kms.Key
    alias: aws.kms.Alias
    arn: pulumi.Output[str]
    key_id: pulumi.Output[str]
    alias_name: pulumi.Output[str]

    def __init__(
        self, name: str, args: MessagingKeyArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(type_token("MessagingKey"), name, None, opts)
        self.key = aws.kms.Key(
            f"{name}-key",
            description=args.description,
            key_usage="ENCRYPT_DECRYPT",
            customer_master_key_spec="SYMMETRIC_DEFAULT",
            enable_key_rotation=True,
            rotation_period_in_days=args.rotation_period_days,
            deletion_window_in_days=args.deletion_window_days,
            multi_region=False,
            policy=policy_json(self, key_policy_statements(args)),
            tags=merged_tags(args.tags, Name=args.alias_name),
            opts=child_opts(self, protect=args.protect),
        )
        self.alias = aws.kms.Alias(
            f"{name}-alias",
            name=f"alias/{args.alias_name}",
            target_key_id=self.key.key_id,
            opts=child_opts(self),
        )
        self.arn = self.key.arn
        self.key_id = self.key.key_id
        self.alias_name = self.alias.name
        self.register_outputs(
            {"arn": self.arn, "key_id": self.key_id, "alias_name": self.alias_name}
        )


def key_policy_statements(args: MessagingKeyArgs) -> list[aws.iam.GetPolicyDocumentStatementArgs]:
    """AWS's default root statement plus one statement per service grant the stack needs."""
    account, partition, region = args.account_id, args.partition, args.region
    source_account = condition("StringEquals", "aws:SourceAccount", [account])
    statements = [
        # AWS's default statement: makes the key governable by IAM in the owning account.
        statement(
            sid="EnableIAMPolicies",
            actions=["kms:*"],
            resources=["*"],
            principal=("AWS", [account_root(partition, account)]),
        )
    ]
    if args.via_services:
        statements.append(
            statement(
                sid="AllowAccountUseViaMessagingServices",
                actions=_KEY_USER_ACTIONS,
                resources=["*"],
                principal=("AWS", [account_root(partition, account)]),
                conditions=[
                    condition("StringEquals", "kms:CallerAccount", [account]),
                    condition(
                        "StringEquals",
                        "kms:ViaService",
                        [
                            pulumi.Output.format("{0}.{1}.amazonaws.com", service, region)
                            for service in args.via_services
                        ],
                    ),
                ],
            )
        )
    if args.sns_topic_arns:
        statements.append(
            statement(
                sid="AllowSnsDeliveryToEncryptedQueues",
                actions=["kms:GenerateDataKey*", "kms:Decrypt"],
                resources=["*"],
                principal=("Service", ["sns.amazonaws.com"]),
                conditions=[
                    condition("ArnEquals", "aws:SourceArn", args.sns_topic_arns),
                    source_account,
                ],
            )
        )
    if args.trail_arn is not None:
        trail_context = pulumi.Output.format("arn:{0}:cloudtrail:*:{1}:trail/*", partition, account)
        statements += [
            statement(
                sid="AllowCloudTrailEncryptLogs",
                actions=["kms:GenerateDataKey*"],
                resources=["*"],
                principal=("Service", ["cloudtrail.amazonaws.com"]),
                conditions=[
                    condition(
                        "StringLike", "kms:EncryptionContext:aws:cloudtrail:arn", [trail_context]
                    ),
                    condition("StringEquals", "aws:SourceArn", [args.trail_arn]),
                ],
            ),
            statement(
                sid="AllowCloudTrailDescribeKey",
                actions=["kms:DescribeKey"],
                resources=["*"],
                principal=("Service", ["cloudtrail.amazonaws.com"]),
                conditions=[condition("StringEquals", "aws:SourceArn", [args.trail_arn])],
            ),
        ]
    if args.allow_cloudwatch_alarms:
        statements.append(
            statement(
                sid="AllowCloudWatchAlarmsToEncryptedTopics",
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],
                principal=("Service", ["cloudwatch.amazonaws.com"]),
                conditions=[
                    source_account,
                    condition(
                        "ArnLike",
                        "aws:SourceArn",
                        [
                            pulumi.Output.format(
                                "arn:{0}:cloudwatch:{1}:{2}:alarm:*", partition, region, account
                            )
                        ],
                    ),
                ],
            )
        )
    if args.allow_eventbridge:
        # Unconditioned on purpose: EventBridge's KMS calls for SNS targets carry no
        # aws:SourceArn/aws:SourceAccount, so a condition silently drops events (controls.md 4 iv).
        statements.append(
            statement(
                sid="AllowEventBridgeToEncryptedTopics",
                actions=["kms:Decrypt", "kms:GenerateDataKey"],
                resources=["*"],
                principal=("Service", ["events.amazonaws.com"]),
            )
        )
    if args.log_group_arns:
        statements.append(
            statement(
                sid="AllowCloudWatchLogsEncryption",
                actions=[
                    "kms:Encrypt*",
                    "kms:Decrypt*",
                    "kms:ReEncrypt*",
                    "kms:GenerateDataKey*",
                    "kms:Describe*",
                ],
                resources=["*"],
                principal=(
                    "Service",
                    [pulumi.Output.format("logs.{0}.amazonaws.com", region)],
                ),
                conditions=[
                    condition("ArnLike", "kms:EncryptionContext:aws:logs:arn", args.log_group_arns)
                ],
            )
        )
    return statements

"""AccessRoles: least-privilege producer and consumer roles, and the producer signing key."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components._naming import child_opts, merged_tags, type_token
from components._policy import account_root, condition, policy_json, statement


@dataclass(frozen=True, kw_only=True)
class AccessRolesArgs:
    name_prefix: str
    account_id: pulumi.Input[str]
    region: pulumi.Input[str]
    partition: pulumi.Input[str] = "aws"
    # Regions the roles may act in (aws:RequestedRegion).
    allowed_regions: Sequence[str]
    queue_arns: Sequence[pulumi.Input[str]]
    topic_arns: Sequence[pulumi.Input[str]] = ()
    kms_key_arn: pulumi.Input[str]
    # Accounts whose principals may assume the producer role (cross-account publish).
    trusted_accounts: Sequence[str] = ()
    signing_key_deletion_window_days: int = 30
    protect: bool = False
    tags: Mapping[str, str] = field(default_factory=dict)


class AccessRoles(pulumi.ComponentResource):
    producer_role: aws.iam.Role
    consumer_role: aws.iam.Role
    signing_key: aws.kms.Key
    signing_key_alias: aws.kms.Alias
    producer_role_arn: pulumi.Output[str]
    consumer_role_arn: pulumi.Output[str]
    signing_key_arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: AccessRolesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        if not args.allowed_regions:
            raise ValueError("AccessRoles needs at least one allowed region")
        super().__init__(type_token("AccessRoles"), name, None, opts)
        root = account_root(args.partition, args.account_id)

        # Producers sign each message with an asymmetric key that never leaves KMS; consumers
        # verify. Asymmetric keys cannot rotate automatically, so rotation stays off.
        self.signing_key = aws.kms.Key(
            f"{name}-producer-signing-key",
            description=f"Signs messages of {args.name_prefix} producers",
            key_usage="SIGN_VERIFY",
            customer_master_key_spec="ECC_NIST_P256",
            enable_key_rotation=False,
            deletion_window_in_days=args.signing_key_deletion_window_days,
            multi_region=False,
            policy=policy_json(
                self,
                [
                    statement(
                        sid="EnableIAMPolicies",
                        actions=["kms:*"],
                        resources=["*"],
                        principal=("AWS", [root]),
                    )
                ],
            ),
            tags=merged_tags(args.tags, Name=f"{args.name_prefix}-producer-signing"),
            opts=child_opts(self, protect=args.protect),
        )
        self.signing_key_alias = aws.kms.Alias(
            f"{name}-producer-signing-alias",
            name=f"alias/{args.name_prefix}-producer-signing",
            target_key_id=self.signing_key.key_id,
            opts=child_opts(self),
        )

        in_regions = condition("StringEquals", "aws:RequestedRegion", list(args.allowed_regions))

        def via(*services: str) -> aws.iam.GetPolicyDocumentStatementConditionArgs:
            return condition(
                "StringEquals",
                "kms:ViaService",
                [pulumi.Output.format("{0}.{1}.amazonaws.com", s, args.region) for s in services],
            )

        producer_statements = [
            statement(
                sid="SendToStackQueues",
                actions=["sqs:SendMessage", "sqs:GetQueueUrl"],
                resources=args.queue_arns,
                conditions=[in_regions],
            ),
            statement(
                sid="UseStackKeyThroughMessaging",
                actions=["kms:GenerateDataKey", "kms:Decrypt"],
                resources=[args.kms_key_arn],
                conditions=[in_regions, via("sqs", "sns") if args.topic_arns else via("sqs")],
            ),
            statement(
                sid="SignMessages",
                actions=["kms:Sign", "kms:GetPublicKey"],
                resources=[self.signing_key.arn],
                conditions=[in_regions],
            ),
        ]
        if args.topic_arns:
            producer_statements.insert(
                1,
                statement(
                    sid="PublishToStackTopics",
                    actions=["sns:Publish"],
                    resources=args.topic_arns,
                    conditions=[in_regions],
                ),
            )
        consumer_statements = [
            statement(
                sid="ConsumeStackQueues",
                actions=[
                    "sqs:ReceiveMessage",
                    "sqs:DeleteMessage",
                    "sqs:ChangeMessageVisibility",
                    "sqs:GetQueueAttributes",
                    "sqs:GetQueueUrl",
                ],
                resources=args.queue_arns,
                conditions=[in_regions],
            ),
            statement(
                sid="DecryptThroughSqs",
                actions=["kms:Decrypt"],
                resources=[args.kms_key_arn],
                conditions=[in_regions, via("sqs")],
            ),
            statement(
                sid="VerifyProducerSignatures",
                actions=["kms:GetPublicKey", "kms:Verify"],
                resources=[self.signing_key.arn],
                conditions=[in_regions],
            ),
        ]

        producer_trust = [root, *(account_root(args.partition, a) for a in args.trusted_accounts)]
        self.producer_role = self._role(name, "producer", args, producer_trust, producer_statements)
        self.consumer_role = self._role(name, "consumer", args, [root], consumer_statements)
        self.producer_role_arn = self.producer_role.arn
        self.consumer_role_arn = self.consumer_role.arn
        self.signing_key_arn = self.signing_key.arn
        self.register_outputs(
            {
                "producer_role_arn": self.producer_role_arn,
                "consumer_role_arn": self.consumer_role_arn,
                "signing_key_arn": self.signing_key_arn,
            }
        )

    def _role(
        self,
        name: str,
        role: str,
        args: AccessRolesArgs,
        trusted: Sequence[pulumi.Input[str]],
        statements: Sequence[aws.iam.GetPolicyDocumentStatementArgs],
    ) -> aws.iam.Role:
        role_name = f"{args.name_prefix}-{role}"
        created = aws.iam.Role(
            f"{name}-{role}-role",
            name=role_name,
            description=f"{role.capitalize()} of the {args.name_prefix} messaging stack",
            assume_role_policy=policy_json(
                self,
                [
                    statement(
                        sid="TrustedAccountsAssume",
                        actions=["sts:AssumeRole"],
                        principal=("AWS", trusted),
                    )
                ],
            ),
            max_session_duration=3600,
            tags=merged_tags(args.tags, Name=role_name),
            opts=child_opts(self),
        )
        aws.iam.RolePolicy(
            f"{name}-{role}-policy",
            name=f"{role_name}-messaging",
            role=created.id,
            policy=policy_json(self, statements),
            opts=child_opts(self),
        )
        return created

"""ComplianceRules: an AWS Config recorder, its delivery channel, and managed rules."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components._naming import child_opts, merged_tags, type_token
from components._policy import condition, policy_json, statement

CONFIG_ROLE_POLICY = "arn:{0}:iam::aws:policy/service-role/AWS_ConfigRole"


@dataclass(frozen=True, kw_only=True)
class ConfigRuleSpec:
    """One AWS managed rule: its real source identifier and optional input parameters."""

    identifier: str
    input_parameters: Mapping[str, str] = field(default_factory=dict)
    # Distinguishes several instances of one identifier (e.g. one per VPC endpoint service).
    instance: str | None = None

    @property
    def rule_name(self) -> str:
        base = self.identifier.lower().replace("_", "-")
        return f"{base}-{self.instance}" if self.instance else base


@dataclass(frozen=True, kw_only=True)
class ComplianceRulesArgs:
    name_prefix: str
    account_id: pulumi.Input[str]
    partition: pulumi.Input[str] = "aws"
    bucket_name: pulumi.Input[str]
    bucket_arn: pulumi.Input[str]
    kms_key_arn: pulumi.Input[str]
    rules: Sequence[ConfigRuleSpec] = ()
    s3_key_prefix: str = "config"
    tags: Mapping[str, str] = field(default_factory=dict)


class ComplianceRules(pulumi.ComponentResource):
    recorder: aws.cfg.Recorder
    delivery_channel: aws.cfg.DeliveryChannel
    recorder_status: aws.cfg.RecorderStatus
    rules: dict[str, aws.cfg.Rule]
    role: aws.iam.Role

    def __init__(
        self, name: str, args: ComplianceRulesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        names = [spec.rule_name for spec in args.rules]
        if len(set(names)) != len(names):
            raise ValueError(f"duplicate Config rule names: {sorted(names)}")
        super().__init__(type_token("ComplianceRules"), name, None, opts)
        self.role = aws.iam.Role(
            f"{name}-role",
            name=f"{args.name_prefix}-config",
            assume_role_policy=policy_json(
                self,
                [
                    statement(
                        sid="ConfigAssume",
                        actions=["sts:AssumeRole"],
                        principal=("Service", ["config.amazonaws.com"]),
                        conditions=[
                            condition("StringEquals", "aws:SourceAccount", [args.account_id])
                        ],
                    )
                ],
            ),
            tags=merged_tags(args.tags, Name=f"{args.name_prefix}-config"),
            opts=child_opts(self),
        )
        managed = aws.iam.RolePolicyAttachment(
            f"{name}-role-managed-policy",
            role=self.role.name,
            policy_arn=pulumi.Output.format(CONFIG_ROLE_POLICY, args.partition),
            opts=child_opts(self),
        )
        delivery = aws.iam.RolePolicy(
            f"{name}-role-delivery",
            role=self.role.id,
            policy=policy_json(self, _delivery_statements(args)),
            opts=child_opts(self),
        )
        self.recorder = aws.cfg.Recorder(
            f"{name}-recorder",
            name=f"{args.name_prefix}-recorder",
            role_arn=self.role.arn,
            recording_group=aws.cfg.RecorderRecordingGroupArgs(
                all_supported=True, include_global_resource_types=True
            ),
            opts=child_opts(self, depends_on=[managed]),
        )
        self.delivery_channel = aws.cfg.DeliveryChannel(
            f"{name}-delivery-channel",
            name=f"{args.name_prefix}-delivery",
            s3_bucket_name=args.bucket_name,
            s3_key_prefix=args.s3_key_prefix,
            s3_kms_key_arn=args.kms_key_arn,
            opts=child_opts(self, depends_on=[self.recorder, delivery]),
        )
        self.recorder_status = aws.cfg.RecorderStatus(
            f"{name}-recorder-status",
            name=self.recorder.name,
            is_enabled=True,
            opts=child_opts(self, depends_on=[self.delivery_channel]),
        )
        self.rules = {}
        for spec in args.rules:
            self.rules[spec.rule_name] = aws.cfg.Rule(
                f"{name}-{spec.rule_name}",
                name=f"{args.name_prefix}-{spec.rule_name}",
                source=aws.cfg.RuleSourceArgs(owner="AWS", source_identifier=spec.identifier),
                input_parameters=json.dumps(dict(spec.input_parameters))
                if spec.input_parameters
                else None,
                tags=merged_tags(args.tags, Name=spec.rule_name),
                opts=child_opts(self, depends_on=[self.recorder]),
            )
        self.register_outputs(
            {
                "recorder_name": self.recorder.name,
                "rule_names": [rule.name for rule in self.rules.values()],
            }
        )


def _delivery_statements(args: ComplianceRulesArgs) -> list[aws.iam.GetPolicyDocumentStatementArgs]:
    objects = pulumi.Output.format(
        "{0}/{1}/AWSLogs/{2}/Config/*", args.bucket_arn, args.s3_key_prefix, args.account_id
    )
    return [
        statement(
            sid="WriteConfigSnapshots",
            actions=["s3:PutObject"],
            resources=[objects],
        ),
        statement(
            sid="CheckBucketAcl",
            actions=["s3:GetBucketAcl"],
            resources=[args.bucket_arn],
        ),
        statement(
            sid="EncryptSnapshots",
            actions=["kms:GenerateDataKey", "kms:Decrypt"],
            resources=[args.kms_key_arn],
        ),
    ]

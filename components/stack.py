"""SecureMessagingStack: composes every component into one secure messaging stack."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components._naming import type_token
from components.access_roles import AccessRoles, AccessRolesArgs
from components.audit_trail import AuditTrail, AuditTrailArgs
from components.compliance_rules import ComplianceRules, ComplianceRulesArgs, ConfigRuleSpec
from components.messaging_key import MessagingKey, MessagingKeyArgs
from components.private_network import PrivateNetwork, PrivateNetworkArgs
from components.secure_queue import SecureQueue, SecureQueueArgs
from components.secure_topic import QueueSubscriber, SecureTopic, SecureTopicArgs
from components.security_alarms import (
    SecurityAlarms,
    SecurityAlarmsArgs,
    WatchedQueue,
    WatchedTopic,
)


@dataclass(frozen=True, kw_only=True)
class QueueSpec:
    name: str
    fifo: bool = False


@dataclass(frozen=True, kw_only=True)
class TopicSpec:
    name: str
    fifo: bool = False
    subscribers: Sequence[str] = ()


@dataclass(frozen=True, kw_only=True)
class KeySettings:
    rotation_period_days: int = 365
    deletion_window_days: int = 30


@dataclass(frozen=True, kw_only=True)
class QueueSettings:
    message_retention_seconds: int = 345_600
    visibility_timeout_seconds: int = 300
    data_key_reuse_seconds: int = 300
    dead_letter: bool = True
    max_receive_count: int = 5
    dlq_retention_seconds: int = 1_209_600


@dataclass(frozen=True, kw_only=True)
class NetworkSettings:
    vpc_cidr: str = "10.42.0.0/16"
    endpoint_services: Sequence[str] = ("sqs", "sns", "kms", "logs")
    flow_logs: bool = True


@dataclass(frozen=True, kw_only=True)
class AuditSettings:
    multi_region: bool = True
    log_file_validation: bool = True
    data_event_resource_types: Sequence[str] = ("AWS::SQS::Queue", "AWS::SNS::Topic")
    object_lock_mode: str = "GOVERNANCE"
    object_lock_days: int = 365
    s3_retention_days: int = 365
    s3_max_retention_days: int | None = None
    cloudwatch_retention_days: int = 365


@dataclass(frozen=True, kw_only=True)
class AlarmSettings:
    message_volume_threshold: int = 10_000
    dlq_depth_threshold: int = 0
    oldest_message_age_seconds: int = 3600
    alarm_email: str | None = None


@dataclass(frozen=True, kw_only=True)
class SecureMessagingStackArgs:
    """Everything the stack needs, already resolved (the program translates profiles to this)."""

    stack_name: str
    environment: str
    profiles: Sequence[str]
    name_prefix: str
    region: str
    queues: Sequence[QueueSpec]
    topics: Sequence[TopicSpec] = ()
    key: KeySettings = KeySettings()
    queue: QueueSettings = QueueSettings()
    tls_only: bool = True
    network: NetworkSettings = NetworkSettings()
    audit: AuditSettings = AuditSettings()
    config_recorder: bool = True
    config_rules: Sequence[ConfigRuleSpec] = ()
    alarms: AlarmSettings = AlarmSettings()
    allowed_regions: Sequence[str] = ()
    trusted_accounts: Sequence[str] = ()
    protect: bool = False
    tags: Mapping[str, str] = field(default_factory=dict)


class SecureMessagingStack(pulumi.ComponentResource):
    """Key, queues, topics, private network, audit trail, Config rules, alarms and roles."""

    key: MessagingKey
    queues: dict[str, SecureQueue]
    topics: dict[str, SecureTopic]
    network: PrivateNetwork
    audit: AuditTrail
    compliance: ComplianceRules | None
    alarms: SecurityAlarms
    roles: AccessRoles
    outputs: dict[str, pulumi.Input[object]]

    def __init__(
        self,
        name: str,
        args: SecureMessagingStackArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        _check_wiring(args)
        super().__init__(type_token("SecureMessagingStack"), name, None, opts)
        invoke_opts = pulumi.InvokeOutputOptions(parent=self)
        account = aws.get_caller_identity_output(opts=invoke_opts).account_id
        partition = aws.get_partition_output(opts=invoke_opts).partition
        region = args.region
        prefix = args.name_prefix
        tags = dict(args.tags)
        child = pulumi.ResourceOptions(parent=self)

        def fifo_suffix(fifo: bool) -> str:
            return ".fifo" if fifo else ""

        # Physical names are fixed up front, so ARNs are known before the resources exist
        # (the key policy names the topics and the trail that need the key).
        topic_arns = {
            topic.name: pulumi.Output.format(
                "arn:{0}:sns:{1}:{2}:{3}-{4}{5}",
                partition,
                region,
                account,
                prefix,
                topic.name,
                fifo_suffix(topic.fifo),
            )
            for topic in args.topics
        }
        trail_name = f"{prefix}-audit"
        trail_arn = pulumi.Output.format(
            "arn:{0}:cloudtrail:{1}:{2}:trail/{3}", partition, region, account, trail_name
        )
        log_group_root = f"/provisioner/{args.stack_name}"
        log_groups = pulumi.Output.format(
            "arn:{0}:logs:{1}:{2}:log-group:{3}/*", partition, region, account, log_group_root
        )

        self.key = MessagingKey(
            f"{name}-key",
            MessagingKeyArgs(
                alias_name=f"{prefix}-messaging",
                account_id=account,
                region=region,
                partition=partition,
                rotation_period_days=args.key.rotation_period_days,
                deletion_window_days=args.key.deletion_window_days,
                sns_topic_arns=list(topic_arns.values()),
                trail_arn=trail_arn,
                log_group_arns=[log_groups],
                protect=args.protect,
                tags=tags,
            ),
            opts=child,
        )
        key_arn = self.key.arn

        subscribed_by: dict[str, list[pulumi.Output[str]]] = {}
        for topic in args.topics:
            for queue_name in topic.subscribers:
                subscribed_by.setdefault(queue_name, []).append(topic_arns[topic.name])
        self.queues = {}
        for queue in args.queues:
            settings = args.queue
            self.queues[queue.name] = SecureQueue(
                f"{name}-{queue.name}",
                SecureQueueArgs(
                    queue_name=f"{prefix}-{queue.name}",
                    kms_key_arn=key_arn,
                    account_id=account,
                    region=region,
                    partition=partition,
                    fifo=queue.fifo,
                    message_retention_seconds=settings.message_retention_seconds,
                    visibility_timeout_seconds=settings.visibility_timeout_seconds,
                    data_key_reuse_seconds=settings.data_key_reuse_seconds,
                    dead_letter=settings.dead_letter,
                    max_receive_count=settings.max_receive_count,
                    dlq_retention_seconds=settings.dlq_retention_seconds,
                    sns_source_arns=subscribed_by.get(queue.name, []),
                    tls_only=args.tls_only,
                    tags=tags,
                ),
                opts=child,
            )

        self.topics = {}
        for topic in args.topics:
            self.topics[topic.name] = SecureTopic(
                f"{name}-{topic.name}",
                SecureTopicArgs(
                    topic_name=f"{prefix}-{topic.name}",
                    kms_key_arn=key_arn,
                    account_id=account,
                    partition=partition,
                    fifo=topic.fifo,
                    subscribers=[
                        QueueSubscriber(
                            name=queue_name,
                            queue_arn=self.queues[queue_name].arn,
                            dead_letter_arn=self.queues[queue_name].dead_letter_arn,
                        )
                        for queue_name in topic.subscribers
                    ],
                    publisher_accounts=list(args.trusted_accounts),
                    tls_only=args.tls_only,
                    tags=tags,
                ),
                opts=child,
            )

        self.network = PrivateNetwork(
            f"{name}-network",
            PrivateNetworkArgs(
                vpc_cidr=args.network.vpc_cidr,
                region=region,
                account_id=account,
                endpoint_services=args.network.endpoint_services,
                flow_logs=args.network.flow_logs,
                flow_log_group_name=f"{log_group_root}/flow-logs",
                kms_key_arn=key_arn,
                log_retention_days=args.audit.cloudwatch_retention_days,
                tags=tags,
            ),
            opts=child,
        )

        audit = args.audit
        self.audit = AuditTrail(
            f"{name}-audit",
            AuditTrailArgs(
                bucket_name=pulumi.Output.format("{0}-audit-{1}-{2}", prefix, account, region),
                access_log_bucket_name=pulumi.Output.format(
                    "{0}-access-logs-{1}-{2}", prefix, account, region
                ),
                trail_name=trail_name,
                log_group_name=f"{log_group_root}/cloudtrail",
                account_id=account,
                region=region,
                partition=partition,
                kms_key_arn=key_arn,
                multi_region=audit.multi_region,
                log_file_validation=audit.log_file_validation,
                data_event_resource_types=audit.data_event_resource_types,
                object_lock_mode=audit.object_lock_mode,
                object_lock_days=audit.object_lock_days,
                s3_retention_days=audit.s3_retention_days,
                s3_max_retention_days=audit.s3_max_retention_days,
                log_retention_days=audit.cloudwatch_retention_days,
                protect=args.protect,
                tags=tags,
            ),
            opts=child,
        )

        self.compliance = None
        if args.config_recorder:
            self.compliance = ComplianceRules(
                f"{name}-config",
                ComplianceRulesArgs(
                    name_prefix=prefix,
                    account_id=account,
                    partition=partition,
                    bucket_name=self.audit.bucket_name,
                    bucket_arn=self.audit.bucket_arn,
                    kms_key_arn=key_arn,
                    rules=args.config_rules,
                    tags=tags,
                ),
                opts=child,
            )

        self.alarms = SecurityAlarms(
            f"{name}-alarms",
            SecurityAlarmsArgs(
                name_prefix=prefix,
                kms_key_arn=key_arn,
                account_id=account,
                region=region,
                partition=partition,
                queues=[
                    WatchedQueue(
                        name=queue_name,
                        queue_name=queue.name,
                        dead_letter_queue_name=queue.dead_letter_name,
                    )
                    for queue_name, queue in self.queues.items()
                ],
                topics=[WatchedTopic(name=n, topic_name=t.name) for n, t in self.topics.items()],
                message_volume_threshold=args.alarms.message_volume_threshold,
                dlq_depth_threshold=args.alarms.dlq_depth_threshold,
                oldest_message_age_seconds=args.alarms.oldest_message_age_seconds,
                alarm_email=args.alarms.alarm_email,
                tags=tags,
            ),
            opts=child,
        )

        self.roles = AccessRoles(
            f"{name}-roles",
            AccessRolesArgs(
                name_prefix=prefix,
                account_id=account,
                region=region,
                partition=partition,
                allowed_regions=list(args.allowed_regions) or [region],
                queue_arns=[queue.arn for queue in self.queues.values()],
                topic_arns=[topic.arn for topic in self.topics.values()],
                kms_key_arn=key_arn,
                trusted_accounts=args.trusted_accounts,
                signing_key_deletion_window_days=args.key.deletion_window_days,
                protect=args.protect,
                tags=tags,
            ),
            opts=child,
        )

        self.outputs = {
            "stack_name": args.stack_name,
            "environment": args.environment,
            "profiles": list(args.profiles),
            "region": region,
            "queue_urls": {n: q.url for n, q in self.queues.items()},
            "queue_arns": {n: q.arn for n, q in self.queues.items()},
            "dead_letter_queue_arns": {
                n: q.dead_letter_arn for n, q in self.queues.items() if q.dead_letter_arn
            },
            "topic_arns": {n: t.arn for n, t in self.topics.items()},
            "alert_topic_arn": self.alarms.alert_topic_arn,
            "key_arn": key_arn,
            "key_alias": self.key.alias_name,
            "signing_key_arn": self.roles.signing_key_arn,
            "producer_role_arn": self.roles.producer_role_arn,
            "consumer_role_arn": self.roles.consumer_role_arn,
            "trail_arn": self.audit.trail_arn,
            "audit_bucket": self.audit.bucket_name,
            "vpc_id": self.network.vpc_id,
            "endpoint_ids": self.network.endpoint_ids,
        }
        self.register_outputs(self.outputs)


def _check_wiring(args: SecureMessagingStackArgs) -> None:
    queue_names = [queue.name for queue in args.queues]
    if len(set(queue_names)) != len(queue_names):
        raise ValueError(f"queue names must be unique: {queue_names}")
    fifo = {queue.name: queue.fifo for queue in args.queues}
    for topic in args.topics:
        for subscriber in topic.subscribers:
            if subscriber not in fifo:
                raise ValueError(f"topic {topic.name}: unknown subscriber queue {subscriber}")
            if fifo[subscriber] != topic.fifo:
                raise ValueError(
                    f"topic {topic.name}: FIFO topics deliver only to FIFO queues "
                    f"(and standard to standard); {subscriber} does not match"
                )

"""SecurityAlarms: an encrypted alert topic, queue alarms and EventBridge tamper alerts."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components._naming import child_opts, merged_tags, type_token
from components.secure_topic import SecureTopic, SecureTopicArgs, ServicePublisher

# CloudTrail-recorded API calls that weaken a protection: rule role -> (pattern source,
# eventSource, event names). IAM events reach EventBridge in us-east-1 only (IAM is global).
TAMPER_EVENTS: Mapping[str, tuple[str, str, tuple[str, ...]]] = {
    "kms-key-tamper": ("aws.kms", "kms.amazonaws.com", ("DisableKey", "ScheduleKeyDeletion")),
    "trail-tamper": (
        "aws.cloudtrail",
        "cloudtrail.amazonaws.com",
        ("StopLogging", "DeleteTrail", "UpdateTrail"),
    ),
    "iam-policy-change": (
        "aws.iam",
        "iam.amazonaws.com",
        (
            "PutRolePolicy",
            "DeleteRolePolicy",
            "AttachRolePolicy",
            "DetachRolePolicy",
            "CreatePolicyVersion",
            "SetDefaultPolicyVersion",
            "UpdateAssumeRolePolicy",
        ),
    ),
    "security-group-change": (
        "aws.ec2",
        "ec2.amazonaws.com",
        (
            "AuthorizeSecurityGroupIngress",
            "AuthorizeSecurityGroupEgress",
            "RevokeSecurityGroupIngress",
            "RevokeSecurityGroupEgress",
            "CreateSecurityGroup",
            "DeleteSecurityGroup",
        ),
    ),
    "config-change": (
        "aws.config",
        "config.amazonaws.com",
        (
            "StopConfigurationRecorder",
            "DeleteConfigurationRecorder",
            "DeleteDeliveryChannel",
            "PutDeliveryChannel",
        ),
    ),
}
# Refused API calls, whatever the service (CIS "unauthorized API calls" alarm).
UNAUTHORIZED_ERROR_CODES = (
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "Client.UnauthorizedOperation",
)


@dataclass(frozen=True, kw_only=True)
class WatchedQueue:
    """A queue to alarm on; `dead_letter_queue_name` also gets a DLQ-depth alarm."""

    name: str
    queue_name: pulumi.Input[str]
    dead_letter_queue_name: pulumi.Input[str] | None = None


@dataclass(frozen=True, kw_only=True)
class WatchedTopic:
    """A topic whose failed deliveries raise an alarm."""

    name: str
    topic_name: pulumi.Input[str]


@dataclass(frozen=True, kw_only=True)
class SecurityAlarmsArgs:
    name_prefix: str
    kms_key_arn: pulumi.Input[str]
    account_id: pulumi.Input[str]
    region: pulumi.Input[str]
    partition: pulumi.Input[str] = "aws"
    queues: Sequence[WatchedQueue] = ()
    topics: Sequence[WatchedTopic] = ()
    message_volume_threshold: int = 10_000
    dlq_depth_threshold: int = 0
    oldest_message_age_seconds: int = 3600
    period_seconds: int = 300
    alarm_email: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)


class SecurityAlarms(pulumi.ComponentResource):
    alert_topic: SecureTopic
    alarms: list[aws.cloudwatch.MetricAlarm]
    event_rules: dict[str, aws.cloudwatch.EventRule]
    alert_topic_arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: SecurityAlarmsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(type_token("SecurityAlarms"), name, None, opts)
        self.alert_topic = SecureTopic(
            f"{name}-alerts",
            SecureTopicArgs(
                topic_name=f"{args.name_prefix}-alerts",
                kms_key_arn=args.kms_key_arn,
                account_id=args.account_id,
                partition=args.partition,
                service_publishers=[
                    ServicePublisher(
                        service="cloudwatch.amazonaws.com",
                        source_account=args.account_id,
                        source_arn_like=pulumi.Output.format(
                            "arn:{0}:cloudwatch:{1}:{2}:alarm:*",
                            args.partition,
                            args.region,
                            args.account_id,
                        ),
                    ),
                    # No condition: EventBridge does not send aws:SourceArn for SNS targets.
                    ServicePublisher(service="events.amazonaws.com"),
                ],
                tags=args.tags,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        topic_arn = self.alert_topic.arn
        if args.alarm_email:
            aws.sns.TopicSubscription(
                f"{name}-email",
                topic=topic_arn,
                protocol="email",
                endpoint=args.alarm_email,
                opts=child_opts(self),
            )

        self.alarms = []
        for queue in args.queues:
            self._queue_alarms(name, args, queue, topic_arn)

        for topic in [*args.topics, WatchedTopic(name="alerts", topic_name=self.alert_topic.name)]:
            self._alarm(
                name,
                args,
                f"{topic.name}-delivery-failures",
                namespace="AWS/SNS",
                metric="NumberOfNotificationsFailed",
                dimensions={"TopicName": topic.topic_name},
                statistic="Sum",
                threshold=0,
                description=f"Deliveries from topic {topic.name} are failing",
                topic_arn=topic_arn,
            )

        self.event_rules = {}
        patterns: dict[str, dict[str, object]] = {
            role: {
                "source": [source],
                "detail-type": ["AWS API Call via CloudTrail"],
                "detail": {"eventSource": [event_source], "eventName": list(event_names)},
            }
            for role, (source, event_source, event_names) in TAMPER_EVENTS.items()
        }
        patterns["unauthorized-api-call"] = {
            "detail-type": ["AWS API Call via CloudTrail"],
            "detail": {"errorCode": list(UNAUTHORIZED_ERROR_CODES)},
        }
        for role, pattern in patterns.items():
            rule = aws.cloudwatch.EventRule(
                f"{name}-{role}",
                name=f"{args.name_prefix}-{role}",
                description=f"Alert the stack's operators: {role.replace('-', ' ')}",
                event_pattern=json.dumps(pattern),
                state="ENABLED",
                tags=merged_tags(args.tags, Name=f"{args.name_prefix}-{role}"),
                opts=child_opts(self),
            )
            aws.cloudwatch.EventTarget(
                f"{name}-{role}-target",
                rule=rule.name,
                target_id="alert-topic",
                arn=topic_arn,
                opts=child_opts(self),
            )
            self.event_rules[role] = rule

        self.alert_topic_arn = topic_arn
        self.register_outputs(
            {
                "alert_topic_arn": topic_arn,
                "alarm_names": [alarm.name for alarm in self.alarms],
            }
        )

    def _alarm(
        self,
        name: str,
        args: SecurityAlarmsArgs,
        role: str,
        *,
        namespace: str,
        metric: str,
        dimensions: Mapping[str, pulumi.Input[str]],
        statistic: str,
        threshold: int,
        description: str,
        topic_arn: pulumi.Output[str],
    ) -> None:
        alarm_name = f"{args.name_prefix}-{role}"
        self.alarms.append(
            aws.cloudwatch.MetricAlarm(
                f"{name}-{role}",
                name=alarm_name,
                alarm_description=description,
                namespace=namespace,
                metric_name=metric,
                dimensions=dict(dimensions),
                statistic=statistic,
                period=args.period_seconds,
                evaluation_periods=1,
                threshold=threshold,
                comparison_operator="GreaterThanThreshold",
                treat_missing_data="notBreaching",
                actions_enabled=True,
                alarm_actions=[topic_arn],
                ok_actions=[topic_arn],
                tags=merged_tags(args.tags, Name=alarm_name),
                opts=child_opts(self),
            )
        )

    def _queue_alarms(
        self,
        name: str,
        args: SecurityAlarmsArgs,
        queue: WatchedQueue,
        topic_arn: pulumi.Output[str],
    ) -> None:
        watched: list[tuple[str, pulumi.Input[str], str, str, int, str]] = [
            (
                "message-volume",
                queue.queue_name,
                "NumberOfMessagesSent",
                "Sum",
                args.message_volume_threshold,
                f"Unusual message volume on {queue.name}",
            ),
            (
                "oldest-message-age",
                queue.queue_name,
                "ApproximateAgeOfOldestMessage",
                "Maximum",
                args.oldest_message_age_seconds,
                f"Messages waiting too long on {queue.name}: consumers may be stuck",
            ),
        ]
        if queue.dead_letter_queue_name is not None:
            watched.append(
                (
                    "dlq-depth",
                    queue.dead_letter_queue_name,
                    "ApproximateNumberOfMessagesVisible",
                    "Maximum",
                    args.dlq_depth_threshold,
                    f"Messages in the dead-letter queue of {queue.name}",
                )
            )
        for role, queue_name, metric, statistic, threshold, description in watched:
            self._alarm(
                name,
                args,
                f"{queue.name}-{role}",
                namespace="AWS/SQS",
                metric=metric,
                dimensions={"QueueName": queue_name},
                statistic=statistic,
                threshold=threshold,
                description=description,
                topic_arn=topic_arn,
            )

from __future__ import annotations

import json

import pulumi

from components.security_alarms import (
    SecurityAlarms,
    SecurityAlarmsArgs,
    WatchedQueue,
    WatchedTopic,
)
from provisioner.planning import PlanMonitor
from tests.unit.components.helpers import (
    ACCOUNT,
    REGION,
    TAGS,
    by_sid,
    one,
    policy,
    provider,
    resources,
    settled,
)

KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/00000000-0000-0000-0000-000000000000"


def _alarms(email: str | None = "secops@example.com") -> SecurityAlarms:
    return SecurityAlarms(
        "alarms",
        SecurityAlarmsArgs(
            name_prefix="pci-test",
            kms_key_arn=KEY,
            account_id=ACCOUNT,
            region=REGION,
            queues=[
                WatchedQueue(
                    name="orders",
                    queue_name="pci-test-orders",
                    dead_letter_queue_name="pci-test-orders-dlq",
                )
            ],
            message_volume_threshold=500,
            dlq_depth_threshold=0,
            oldest_message_age_seconds=900,
            alarm_email=email,
            tags=TAGS,
        ),
        opts=provider(),
    )


@pulumi.runtime.test
def test_alert_topic_is_encrypted_and_reachable_by_alarms_and_events(
    graph: PlanMonitor,
) -> pulumi.Output[None]:
    _alarms()

    async def check() -> None:
        await settled()
        topic = one(graph, "aws:sns/topic:Topic")
        assert topic.inputs["kmsMasterKeyId"] == KEY
        document = policy(one(graph, "aws:sns/topicPolicy:TopicPolicy"))
        assert by_sid(document, "AllowCloudwatchPublish")["Principal"] == {
            "Service": "cloudwatch.amazonaws.com"
        }
        assert by_sid(document, "AllowEventsPublish")["Principal"] == {
            "Service": "events.amazonaws.com"
        }
        email = one(graph, "aws:sns/topicSubscription:TopicSubscription")
        assert (email.inputs["protocol"], email.inputs["endpoint"]) == (
            "email",
            "secops@example.com",
        )

    return pulumi.Output.from_input(check())


@pulumi.runtime.test
def test_queue_alarms_watch_volume_dlq_depth_and_age(graph: PlanMonitor) -> pulumi.Output[None]:
    _alarms(email=None)

    async def check() -> None:
        await settled()
        assert not resources(graph, "aws:sns/topicSubscription:TopicSubscription")
        topic_arn = one(graph, "aws:sns/topic:Topic").state["arn"]
        alarms = {
            a.inputs["metricName"]: a.inputs
            for a in resources(graph, "aws:cloudwatch/metricAlarm:MetricAlarm")
            if a.inputs["namespace"] == "AWS/SQS"
        }
        assert alarms["NumberOfMessagesSent"]["threshold"] == 500
        assert alarms["NumberOfMessagesSent"]["dimensions"] == {"QueueName": "pci-test-orders"}
        dlq = alarms["ApproximateNumberOfMessagesVisible"]
        assert dlq["dimensions"] == {"QueueName": "pci-test-orders-dlq"}
        assert dlq["threshold"] == 0 and dlq["comparisonOperator"] == "GreaterThanThreshold"
        assert alarms["ApproximateAgeOfOldestMessage"]["threshold"] == 900
        for alarm in alarms.values():
            assert alarm["namespace"] == "AWS/SQS"
            assert alarm["alarmActions"] == [topic_arn]
            assert TAGS.items() <= alarm["tags"].items()

    return pulumi.Output.from_input(check())


@pulumi.runtime.test
def test_event_rules_alert_on_tampering_and_refused_calls(
    graph: PlanMonitor,
) -> pulumi.Output[None]:
    _alarms()

    async def check() -> None:
        await settled()
        topic_arn = one(graph, "aws:sns/topic:Topic").state["arn"]
        patterns = [
            json.loads(rule.inputs["eventPattern"])
            for rule in resources(graph, "aws:cloudwatch/eventRule:EventRule")
        ]
        names = {p["source"][0]: set(p["detail"]["eventName"]) for p in patterns if "source" in p}
        assert names["aws.kms"] == {"DisableKey", "ScheduleKeyDeletion"}
        assert names["aws.cloudtrail"] == {"StopLogging", "DeleteTrail", "UpdateTrail"}
        assert {"PutRolePolicy", "AttachRolePolicy"} <= names["aws.iam"]
        assert "AuthorizeSecurityGroupIngress" in names["aws.ec2"]
        assert "StopConfigurationRecorder" in names["aws.config"]
        (refused,) = [p for p in patterns if "source" not in p]
        assert {"AccessDenied", "UnauthorizedOperation"} <= set(refused["detail"]["errorCode"])
        targets = resources(graph, "aws:cloudwatch/eventTarget:EventTarget")
        assert len(targets) == len(patterns) == 6
        assert all(t.inputs["arn"] == topic_arn for t in targets)

    return pulumi.Output.from_input(check())


@pulumi.runtime.test
def test_failed_deliveries_of_every_topic_raise_an_alarm(graph: PlanMonitor) -> pulumi.Output[None]:
    SecurityAlarms(
        "alarms",
        SecurityAlarmsArgs(
            name_prefix="pci-test",
            kms_key_arn=KEY,
            account_id=ACCOUNT,
            region=REGION,
            topics=[WatchedTopic(name="events", topic_name="pci-test-events")],
        ),
        opts=provider(),
    )

    async def check() -> None:
        await settled()
        watched = {
            a.inputs["dimensions"]["TopicName"]
            for a in resources(graph, "aws:cloudwatch/metricAlarm:MetricAlarm")
            if a.inputs["metricName"] == "NumberOfNotificationsFailed"
        }
        assert watched == {"pci-test-events", "pci-test-alerts"}

    return pulumi.Output.from_input(check())

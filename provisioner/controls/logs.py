"""CloudWatch Logs and alarm controls (controls.md section 1F).

Unlike CW_LOGGROUP_RETENTION_PERIOD_CHECK and Prowler, a log group that never expires fails:
it has no retention, and it exceeds any maximum a GDPR profile sets.
"""

from __future__ import annotations

from provisioner.controls._common import customer_key_problem, key_evidence, param
from provisioner.controls._index import derived
from provisioner.controls._types import AccountScope, define, passed, verdict
from provisioner.controls.sqs import is_dead_letter_queue
from provisioner.findings import CheckResult, Severity
from provisioner.inventory.models import Alarm, Inventory, Kind, LogGroup, Queue, Topic
from provisioner.profiles import Parameters


@define(
    "LOGS-RETENTION",
    Kind.LOG_GROUP,
    Severity.MEDIUM,
    parameters=("audit.cloudwatch_retention_days", "audit.cloudwatch_max_retention_days"),
)
def log_group_retention_within_bounds(
    group: LogGroup, params: Parameters, inventory: Inventory
) -> CheckResult:
    minimum = param(params, "audit.cloudwatch_retention_days")
    maximum = param(params, "audit.cloudwatch_max_retention_days")
    days = group.retention_days
    problems = []
    if days is None:
        problems.append("never expires events")
    else:
        if minimum is not None and days < minimum:
            problems.append(f"keeps events {days} days, below the minimum {minimum}")
        if maximum is not None and days > maximum:
            problems.append(f"keeps events {days} days, above the maximum {maximum}")
    return verdict(
        problems,
        f"log group {group.name}",
        f"keeps events {days} days",
        retention_days=days,
        minimum_days=minimum,
        maximum_days=maximum,
    )


@define("LOGS-KMS", Kind.LOG_GROUP, Severity.MEDIUM, reads=(Kind.KEY,))
def log_group_encrypted_with_cmk(
    group: LogGroup, params: Parameters, inventory: Inventory
) -> CheckResult:
    key, problem = customer_key_problem(inventory, group.kms_key_id)
    return verdict(
        [problem] if problem else [],
        f"log group {group.name}",
        "is encrypted with the stack's customer managed key",
        kms_key_id=group.kms_key_id,
        **key_evidence(key),
    )


def _is_encrypted_topic(inventory: Inventory, arn: str) -> bool:
    topic = inventory.lookup(arn)
    return (
        isinstance(topic, Topic) and not customer_key_problem(inventory, topic.kms_master_key_id)[1]
    )


@define(
    "ALARM-ACTIONS",
    Kind.ALARM,
    Severity.MEDIUM,
    reads=(Kind.TOPIC, Kind.KEY, Kind.SUBSCRIPTION),
)
def alarm_notifies_encrypted_topic(
    alarm: Alarm, params: Parameters, inventory: Inventory
) -> CheckResult:
    problems = []
    if not alarm.actions_enabled:
        problems.append("actions are disabled")
    if not alarm.alarm_actions:
        problems.append("has no alarm action")
    strays = [a for a in alarm.alarm_actions if not _is_encrypted_topic(inventory, a)]
    if strays:
        problems.append(f"notifies {', '.join(strays)}, not a CMK-encrypted topic of the stack")
    per_topic = derived(inventory).subscriptions_per_topic
    subscribers = {a: per_topic.get(a, 0) for a in alarm.alarm_actions}
    return verdict(
        problems,
        f"alarm {alarm.name}",
        "notifies the encrypted alert topic",
        actions_enabled=alarm.actions_enabled,
        alarm_actions=list(alarm.alarm_actions),
        subscriptions_per_action=subscribers,
    )


def _alarms_on(
    inventory: Inventory, namespace: str, metric: str, dimension: str, value: str
) -> list[Alarm]:
    """Alarms with actions on this metric for this resource."""
    return list(derived(inventory).alarms.get((namespace, metric, dimension, value), ()))


def _watched(
    alarms: list[Alarm], metric: str, threshold: float | None
) -> tuple[str | None, list[str]]:
    """The alarm satisfying the threshold (or None) and the names of the ones considered."""
    names = [a.name for a in alarms]
    for alarm in alarms:
        if threshold is None or (alarm.threshold is not None and alarm.threshold <= threshold):
            return alarm.name, names
    return None, names


@define(
    "ALARM-QUEUE-HEALTH",
    Kind.QUEUE,
    Severity.LOW,
    parameters=(
        "alarms.dlq_depth_threshold",
        "alarms.oldest_message_age_seconds",
        "alarms.message_volume_threshold",
    ),
    reads=(Kind.ALARM, Kind.SUBSCRIPTION),
)
def queue_health_alarmed(queue: Queue, params: Parameters, inventory: Inventory) -> CheckResult:
    if is_dead_letter_queue(queue, inventory):
        wanted = [
            ("ApproximateNumberOfMessagesVisible", param(params, "alarms.dlq_depth_threshold"))
        ]
        subject = f"dead-letter queue {queue.name}"
    else:
        wanted = [
            ("ApproximateAgeOfOldestMessage", param(params, "alarms.oldest_message_age_seconds")),
            ("NumberOfMessagesSent", param(params, "alarms.message_volume_threshold")),
        ]
        subject = f"queue {queue.name}"
    problems = []
    evidence: dict[str, object] = {}
    for metric, threshold in wanted:
        alarms = _alarms_on(inventory, "AWS/SQS", metric, "QueueName", queue.name)
        found, considered = _watched(alarms, metric, threshold)
        evidence[metric] = {"alarm": found, "threshold_at_most": threshold, "alarms": considered}
        if found is None:
            detail = f" with threshold <= {threshold}" if considered else ""
            problems.append(f"no alarm with actions on {metric}{detail}")
    return verdict(problems, subject, "is watched by alarms", **evidence)


@define("ALARM-TOPIC-HEALTH", Kind.TOPIC, Severity.LOW, reads=(Kind.ALARM,))
def topic_failures_alarmed(topic: Topic, params: Parameters, inventory: Inventory) -> CheckResult:
    alarms = _alarms_on(
        inventory, "AWS/SNS", "NumberOfNotificationsFailed", "TopicName", topic.name
    )
    return verdict(
        [] if alarms else ["no alarm with actions on NumberOfNotificationsFailed"],
        f"topic {topic.name}",
        "failed deliveries raise an alarm",
        alarms=[a.name for a in alarms],
    )


# Security-relevant API activity to be alerted on: category -> (marker event names, errorCodes).
SECURITY_EVENTS: dict[str, tuple[str, ...]] = {
    "KMS key disabled or scheduled for deletion": ("DisableKey", "ScheduleKeyDeletion"),
    "CloudTrail configuration changed": ("StopLogging", "DeleteTrail", "UpdateTrail"),
    "IAM policy changed": ("PutRolePolicy", "AttachRolePolicy", "CreatePolicyVersion"),
    "security group changed": ("AuthorizeSecurityGroupIngress", "RevokeSecurityGroupIngress"),
    "AWS Config changed": ("StopConfigurationRecorder", "DeleteDeliveryChannel"),
    "unauthorized API call": ("AccessDenied", "UnauthorizedOperation"),
}


def _alarmed_metric(inventory: Inventory, namespace: str, metric: str) -> bool:
    return any(
        a.namespace == namespace
        and a.metric_name == metric
        and a.actions_enabled
        and a.alarm_actions
        for a in inventory.alarms
    )


def _pattern_values(pattern: object) -> set[str]:
    """Every string in an EventBridge pattern (event names, error codes, sources)."""
    if isinstance(pattern, str):
        return {pattern}
    if isinstance(pattern, dict):
        return {v for item in pattern.values() for v in _pattern_values(item)}
    if isinstance(pattern, list | tuple):
        return {v for item in pattern for v in _pattern_values(item)}
    return set()


def _covered_by(inventory: Inventory, markers: tuple[str, ...]) -> list[str]:
    """Metric filters with an alarm, or enabled event rules with a target, that see `markers`."""
    via = []
    for group in inventory.log_groups:
        for metric_filter in group.metric_filters:
            if all(m in metric_filter.pattern for m in markers) and _alarmed_metric(
                inventory, metric_filter.metric_namespace, metric_filter.metric_name
            ):
                via.append(f"metric filter {metric_filter.name} on {group.name}")
    for rule in inventory.event_rules:
        if rule.state == "ENABLED" and rule.targets:
            values = _pattern_values(rule.event_pattern)
            if all(m in values for m in markers):
                via.append(f"event rule {rule.name}")
    return via


@define(
    "ALARM-SECURITY-EVENTS",
    None,
    Severity.MEDIUM,
    reads=(Kind.LOG_GROUP, Kind.ALARM, Kind.EVENT_RULE),
)
def security_events_alarmed(
    scope: AccountScope, params: Parameters, inventory: Inventory
) -> CheckResult:
    coverage = {
        category: _covered_by(inventory, markers) for category, markers in SECURITY_EVENTS.items()
    }
    missing = [category for category, via in coverage.items() if not via]
    if missing:
        return verdict(
            [f"nothing alerts on: {', '.join(missing)}"],
            f"account {scope.account}",
            "",
            coverage=coverage,
        )
    return passed(
        f"account {scope.account}: every security event category alerts", coverage=coverage
    )

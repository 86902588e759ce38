from __future__ import annotations

from dataclasses import replace
from typing import Any

from provisioner.inventory.models import EventRule, EventTarget, Inventory
from tests.unit.controls.cases import Case, check_case, parametrize
from tests.unit.controls.stack import ACCOUNT, added, changed

TRAIL_GROUP = "/provisioner/trail"
ALERTS = f"arn:aws:sns:eu-west-1:{ACCOUNT}:alerts"


def group(name: str, **changes: Any):
    return lambda inv: changed(inv, "log_groups", name, **changes)


def alarm(name: str, **changes: Any):
    return lambda inv: changed(inv, "alarms", name, **changes)


def without_alarm(name: str):
    return lambda inv: replace(inv, alarms=tuple(a for a in inv.alarms if a.name != name))


def without_filters_but_event_rule(pattern: dict[str, Any], state: str = "ENABLED"):
    def change(inventory: Inventory) -> Inventory:
        inventory = changed(inventory, "log_groups", TRAIL_GROUP, metric_filters=())
        rule = EventRule(
            name="kms-changes",
            arn=f"arn:aws:events:eu-west-1:{ACCOUNT}:rule/kms-changes",
            event_pattern=pattern,
            state=state,
            targets=(EventTarget(id="alerts", arn=ALERTS),),
        )
        return added(inventory, "event_rules", rule)

    return change


CASES = [
    # LOGS-RETENTION
    Case("pass_one_year", "LOGS-RETENTION", TRAIL_GROUP, evidence={"retention_days": 365}),
    Case(
        "fail_never_expires",
        "LOGS-RETENTION",
        TRAIL_GROUP,
        group(TRAIL_GROUP, retention_days=None),
        message="never expires",
    ),
    Case(
        "fail_below_pci_minimum",
        "LOGS-RETENTION",
        TRAIL_GROUP,
        group(TRAIL_GROUP, retention_days=90),
        profiles=("pci",),
        message="below the minimum 365",
    ),
    Case(
        "fail_above_gdpr_maximum",
        "LOGS-RETENTION",
        TRAIL_GROUP,
        group(TRAIL_GROUP, retention_days=731),
        profiles=("gdpr",),
        message="above the maximum 365",
    ),
    Case(
        "pass_long_retention_without_maximum",
        "LOGS-RETENTION",
        TRAIL_GROUP,
        group(TRAIL_GROUP, retention_days=2192),
        profiles=("hipaa",),
    ),
    # LOGS-KMS
    Case("pass_encrypted_log_group", "LOGS-KMS", TRAIL_GROUP),
    Case(
        "fail_unencrypted_log_group", "LOGS-KMS", TRAIL_GROUP, group(TRAIL_GROUP, kms_key_id=None)
    ),
    # ALARM-ACTIONS
    Case("pass_notifies_alert_topic", "ALARM-ACTIONS", "orders-age"),
    Case(
        "fail_actions_disabled",
        "ALARM-ACTIONS",
        "orders-age",
        alarm("orders-age", actions_enabled=False),
        message="actions are disabled",
    ),
    Case(
        "fail_no_action",
        "ALARM-ACTIONS",
        "orders-age",
        alarm("orders-age", alarm_actions=()),
        message="no alarm action",
    ),
    Case(
        "fail_notifies_topic_on_aws_managed_key",
        "ALARM-ACTIONS",
        "orders-age",
        lambda inv: changed(inv, "topics", "alerts", kms_master_key_id="alias/aws/sns"),
        message="not a CMK-encrypted topic",
    ),
    Case(
        "fail_notifies_topic_outside_stack",
        "ALARM-ACTIONS",
        "orders-age",
        alarm("orders-age", alarm_actions=(f"arn:aws:sns:eu-west-1:{ACCOUNT}:elsewhere",)),
    ),
    # ALARM-QUEUE-HEALTH
    Case("pass_source_queue_watched", "ALARM-QUEUE-HEALTH", "orders"),
    Case("pass_dlq_watched", "ALARM-QUEUE-HEALTH", "orders-dlq"),
    Case(
        "fail_dlq_alarm_removed",
        "ALARM-QUEUE-HEALTH",
        "orders-dlq",
        without_alarm("orders-dlq-depth"),
        message="ApproximateNumberOfMessagesVisible",
    ),
    Case(
        "fail_age_threshold_too_lax",
        "ALARM-QUEUE-HEALTH",
        "orders",
        alarm("orders-age", threshold=86_400),
        message="ApproximateAgeOfOldestMessage with threshold <= 3600",
    ),
    Case(
        "fail_volume_alarm_without_actions",
        "ALARM-QUEUE-HEALTH",
        "orders",
        alarm("orders-volume", alarm_actions=()),
        message="NumberOfMessagesSent",
    ),
    # ALARM-TOPIC-HEALTH
    Case("pass_topic_failures_watched", "ALARM-TOPIC-HEALTH", "events"),
    Case(
        "fail_topic_alarm_removed",
        "ALARM-TOPIC-HEALTH",
        "events",
        without_alarm("events-failed"),
        message="NumberOfNotificationsFailed",
    ),
    # ALARM-SECURITY-EVENTS (account level)
    Case("pass_metric_filters_with_alarms", "ALARM-SECURITY-EVENTS", None),
    Case(
        "fail_kms_filter_without_alarm",
        "ALARM-SECURITY-EVENTS",
        None,
        without_alarm("security-kms"),
        message="KMS key disabled or scheduled for deletion",
    ),
    Case(
        "fail_only_kms_covered_by_event_rule",
        "ALARM-SECURITY-EVENTS",
        None,
        without_filters_but_event_rule(
            {"source": ["aws.kms"], "detail": {"eventName": ["DisableKey", "ScheduleKeyDeletion"]}}
        ),
        message="CloudTrail configuration changed",
    ),
    Case(
        "fail_disabled_event_rule",
        "ALARM-SECURITY-EVENTS",
        None,
        without_filters_but_event_rule(
            {"detail": {"eventName": ["DisableKey", "ScheduleKeyDeletion"]}}, state="DISABLED"
        ),
        message="KMS key disabled",
    ),
]


@parametrize(CASES)
def test_logs_and_alarm_control(case: Case) -> None:
    check_case(case)

from __future__ import annotations

import pulumi

from components.messaging_key import MessagingKey, MessagingKeyArgs
from provisioner.planning import PlanMonitor
from tests.unit.components.helpers import (
    ACCOUNT,
    REGION,
    TAGS,
    as_list,
    by_sid,
    one,
    policy,
    provider,
    public_allows,
    settled,
)

TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:pci-test-events"
TRAIL = f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/pci-test-audit"
LOGS = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/provisioner/pci.test/*"


def _key(**overrides: object) -> MessagingKey:
    args = {
        "alias_name": "pci-test-messaging",
        "account_id": ACCOUNT,
        "region": REGION,
        "rotation_period_days": 180,
        "deletion_window_days": 30,
        "sns_topic_arns": [TOPIC],
        "trail_arn": TRAIL,
        "log_group_arns": [LOGS],
        "tags": TAGS,
        **overrides,
    }
    return MessagingKey("key", MessagingKeyArgs(**args), opts=provider())  # type: ignore[arg-type]


@pulumi.runtime.test
def test_key_rotates_with_profile_period_and_has_alias(graph: PlanMonitor) -> pulumi.Output[None]:
    _key()

    async def check() -> None:
        await settled()
        key = one(graph, "aws:kms/key:Key")
        assert key.inputs["enableKeyRotation"] is True
        assert key.inputs["rotationPeriodInDays"] == 180
        assert key.inputs["deletionWindowInDays"] == 30
        assert key.inputs["customerMasterKeySpec"] == "SYMMETRIC_DEFAULT"
        assert key.inputs["multiRegion"] is False
        assert TAGS.items() <= key.inputs["tags"].items()
        alias = one(graph, "aws:kms/alias:Alias")
        assert alias.inputs["name"] == "alias/pci-test-messaging"
        assert alias.inputs["targetKeyId"] == key.state["keyId"]

    return pulumi.Output.from_input(check())


@pulumi.runtime.test
def test_key_policy_grants_only_conditioned_service_access(
    graph: PlanMonitor,
) -> pulumi.Output[None]:
    _key()

    async def check() -> None:
        await settled()
        document = policy(one(graph, "aws:kms/key:Key"))
        assert not public_allows(document)
        root = by_sid(document, "EnableIAMPolicies")
        assert root["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}

        sns = by_sid(document, "AllowSnsDeliveryToEncryptedQueues")
        assert sns["Principal"] == {"Service": "sns.amazonaws.com"}
        assert sns["Condition"]["ArnEquals"] == {"aws:SourceArn": TOPIC}

        trail = by_sid(document, "AllowCloudTrailEncryptLogs")
        assert trail["Condition"]["StringLike"] == {
            "kms:EncryptionContext:aws:cloudtrail:arn": f"arn:aws:cloudtrail:*:{ACCOUNT}:trail/*"
        }
        assert trail["Condition"]["StringEquals"] == {"aws:SourceArn": TRAIL}

        alarms = by_sid(document, "AllowCloudWatchAlarmsToEncryptedTopics")
        assert alarms["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
        assert alarms["Condition"]["StringEquals"] == {"aws:SourceAccount": ACCOUNT}

        events = by_sid(document, "AllowEventBridgeToEncryptedTopics")
        assert events["Principal"] == {"Service": "events.amazonaws.com"}
        assert "Condition" not in events  # EventBridge sends no source keys to KMS for SNS

        logs = by_sid(document, "AllowCloudWatchLogsEncryption")
        assert logs["Principal"] == {"Service": f"logs.{REGION}.amazonaws.com"}
        assert logs["Condition"]["ArnLike"] == {"kms:EncryptionContext:aws:logs:arn": LOGS}

        users = by_sid(document, "AllowAccountUseViaMessagingServices")
        assert sorted(as_list(users["Condition"]["StringEquals"]["kms:ViaService"])) == [
            f"sns.{REGION}.amazonaws.com",
            f"sqs.{REGION}.amazonaws.com",
        ]

    return pulumi.Output.from_input(check())


@pulumi.runtime.test
def test_key_policy_omits_grants_the_stack_does_not_need(
    graph: PlanMonitor,
) -> pulumi.Output[None]:
    _key(sns_topic_arns=[], trail_arn=None, log_group_arns=[], allow_eventbridge=False)

    async def check() -> None:
        await settled()
        sids = {s["Sid"] for s in policy(one(graph, "aws:kms/key:Key"))["Statement"]}
        assert "AllowSnsDeliveryToEncryptedQueues" not in sids
        assert "AllowCloudTrailEncryptLogs" not in sids
        assert "AllowCloudWatchLogsEncryption" not in sids
        assert "AllowEventBridgeToEncryptedTopics" not in sids

    return pulumi.Output.from_input(check())


@pulumi.runtime.test
def test_protected_key_is_retained(graph: PlanMonitor) -> pulumi.Output[None]:
    _key(protect=True)

    async def check() -> None:
        await settled()
        key = one(graph, "aws:kms/key:Key")
        assert key.protect and key.retain_on_delete

    return pulumi.Output.from_input(check())

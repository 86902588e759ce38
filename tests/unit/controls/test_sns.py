from __future__ import annotations

from typing import Any

from tests.unit.controls.cases import Case, check_case, parametrize
from tests.unit.controls.stack import ACCOUNT, changed, tls_deny

EVENTS = f"arn:aws:sns:eu-west-1:{ACCOUNT}:events"
ALERTS = f"arn:aws:sns:eu-west-1:{ACCOUNT}:alerts"
SQS_SUB = f"{EVENTS}:sub-orders"
EMAIL_SUB = f"{ALERTS}:sub-email"
KEY = f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/1111-2222"


def topic(name: str, **changes: Any):
    return lambda inv: changed(inv, "topics", name, **changes)


def subscription(arn: str, **changes: Any):
    return lambda inv: changed(inv, "subscriptions", arn, **changes)


def alerts_policy(*statements: dict[str, Any]):
    return topic("alerts", policy={"Statement": [tls_deny("sns:Publish", ALERTS), *statements]})


def producer_policy(*statements: dict[str, Any]):
    return lambda inv: changed(
        inv, "roles", "producer", inline_policies={"produce": {"Statement": list(statements)}}
    )


PUBLISH = {"Effect": "Allow", "Action": "sns:Publish", "Resource": EVENTS}

CASES = [
    # SNS-ENC-CMK
    Case("pass_topic_on_stack_cmk", "SNS-ENC-CMK", "events", evidence={"key_arn": KEY}),
    Case(
        "fail_aws_managed_key",
        "SNS-ENC-CMK",
        "alerts",
        topic("alerts", kms_master_key_id="alias/aws/sns"),
        message="alias/aws/sns",
    ),
    Case("fail_unencrypted", "SNS-ENC-CMK", "events", topic("events", kms_master_key_id=None)),
    # SNS-TLS-ONLY
    Case("pass_tls_deny_statement", "SNS-TLS-ONLY", "events"),
    Case("fail_tls_statement_removed", "SNS-TLS-ONLY", "events", topic("events", policy=None)),
    Case(
        "na_profile_without_tls_only",
        "SNS-TLS-ONLY",
        "events",
        topic("events", policy=None),
        overrides=(("transport.tls_only", False),),
    ),
    # SNS-NO-PUBLIC
    Case("pass_scoped_services_and_eventbridge", "SNS-NO-PUBLIC", "alerts"),
    Case(
        "fail_anonymous_publish",
        "SNS-NO-PUBLIC",
        "alerts",
        alerts_policy(
            {"Effect": "Allow", "Principal": "*", "Action": "sns:Publish", "Resource": ALERTS}
        ),
        message="any principal",
    ),
    Case(
        "fail_unscoped_service_principal",
        "SNS-NO-PUBLIC",
        "alerts",
        alerts_policy(
            {
                "Sid": "Alarms",
                "Effect": "Allow",
                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                "Action": "sns:Publish",
                "Resource": ALERTS,
            }
        ),
        message="cloudwatch.amazonaws.com",
    ),
    # SNS-SUB-SECURE
    Case("pass_sqs_subscription_with_dlq", "SNS-SUB-SECURE", SQS_SUB),
    Case("pass_email_on_signed_topic", "SNS-SUB-SECURE", EMAIL_SUB),
    Case(
        "fail_plain_http",
        "SNS-SUB-SECURE",
        EMAIL_SUB,
        subscription(EMAIL_SUB, protocol="http", endpoint="http://hooks.example.com/"),
        message="plain HTTP",
    ),
    Case(
        "fail_no_subscription_dlq",
        "SNS-SUB-SECURE",
        SQS_SUB,
        subscription(SQS_SUB, redrive_policy_dlq_arn=None),
        message="no dead-letter queue",
    ),
    Case(
        "fail_email_on_sha1_topic",
        "SNS-SUB-SECURE",
        EMAIL_SUB,
        topic("alerts", signature_version=1),
        message="SignatureVersion 1",
    ),
    Case(
        "fail_endpoint_outside_allowed_regions",
        "SNS-SUB-SECURE",
        SQS_SUB,
        subscription(SQS_SUB, endpoint=f"arn:aws:sqs:us-east-1:{ACCOUNT}:orders"),
        profiles=("gdpr",),
        message="us-east-1, outside the allowed regions",
    ),
    # SNS-PUBLISHER-KMS
    Case("pass_publisher_holds_topic_key", "SNS-PUBLISHER-KMS", "producer"),
    Case("na_role_that_does_not_publish", "SNS-PUBLISHER-KMS", "consumer"),
    Case(
        "fail_publisher_cannot_generate_data_key",
        "SNS-PUBLISHER-KMS",
        "producer",
        producer_policy(PUBLISH, {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": KEY}),
        message=f"lacks kms:GenerateDataKey on {KEY}",
    ),
    Case(
        "fail_publisher_kms_on_every_key",
        "SNS-PUBLISHER-KMS",
        "producer",
        producer_policy(
            PUBLISH,
            {"Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": "*"},
        ),
        message="on Resource '*'",
    ),
]


@parametrize(CASES)
def test_sns_control(case: Case) -> None:
    check_case(case)

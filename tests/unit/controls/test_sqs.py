from __future__ import annotations

from typing import Any

from provisioner.inventory.models import Inventory, RedriveAllowPolicy, RedrivePolicy
from tests.unit.controls.cases import Case, check_case, parametrize
from tests.unit.controls.stack import ACCOUNT, changed

ORDERS = f"arn:aws:sqs:eu-west-1:{ACCOUNT}:orders"
DLQ = f"arn:aws:sqs:eu-west-1:{ACCOUNT}:orders-dlq"
EVENTS = f"arn:aws:sns:eu-west-1:{ACCOUNT}:events"
SUBSCRIPTION = f"{EVENTS}:sub-orders"


def queue(name: str, **changes: Any):
    return lambda inv: changed(inv, "queues", name, **changes)


def orders_policy(*statements: dict[str, Any]):
    return queue("orders", policy={"Statement": list(statements)})


def key_state(state: str):
    return lambda inv: changed(inv, "keys", "1111-2222", state=state)


def key_without_sns(inventory: Inventory) -> Inventory:
    key = inventory.keys[0]
    assert key.policy is not None
    kept = [s for s in key.policy["Statement"] if s.get("Sid") != "SnsToEncryptedQueues"]
    return changed(inventory, "keys", key.key_id, policy={"Statement": kept})


TLS_DENY = {
    "Effect": "Deny",
    "Principal": "*",
    "Action": "sqs:*",
    "Resource": ORDERS,
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}
FROM_EVENTS = {
    "Effect": "Allow",
    "Principal": {"Service": "sns.amazonaws.com"},
    "Action": "sqs:SendMessage",
    "Resource": ORDERS,
    "Condition": {"ArnEquals": {"aws:SourceArn": EVENTS}},
}

CASES = [
    # SQS-ENC-CMK
    Case("pass_cmk_named_by_alias", "SQS-ENC-CMK", "orders"),
    Case(
        "fail_sse_sqs_instead_of_cmk",
        "SQS-ENC-CMK",
        "orders",
        queue("orders", kms_master_key_id=None, sqs_managed_sse=True),
        message="SSE-SQS",
        evidence={"sqs_managed_sse": True},
    ),
    Case(
        "fail_aws_managed_key",
        "SQS-ENC-CMK",
        "orders",
        queue("orders", kms_master_key_id="alias/aws/sqs"),
        message="AWS managed key alias/aws/sqs",
    ),
    Case("fail_unencrypted", "SQS-ENC-CMK", "orders", queue("orders", kms_master_key_id=None)),
    Case("fail_key_disabled", "SQS-ENC-CMK", "orders", key_state("Disabled"), message="Disabled"),
    Case(
        "fail_key_outside_stack",
        "SQS-ENC-CMK",
        "orders",
        queue("orders", kms_master_key_id=f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/other"),
        message="not a customer managed key of this stack",
    ),
    Case(
        "fail_data_key_reused_too_long",
        "SQS-ENC-CMK",
        "orders",
        queue("orders", data_key_reuse_seconds=86_400),
        message="86400 s exceeds 300 s",
    ),
    # SQS-TLS-ONLY
    Case("pass_tls_deny_statement", "SQS-TLS-ONLY", "orders"),
    Case("fail_no_policy", "SQS-TLS-ONLY", "orders", queue("orders", policy=None)),
    Case("fail_tls_statement_removed", "SQS-TLS-ONLY", "orders", orders_policy(FROM_EVENTS)),
    Case(
        "fail_deny_without_secure_transport",
        "SQS-TLS-ONLY",
        "orders",
        orders_policy({**TLS_DENY, "Condition": {}}, FROM_EVENTS),
    ),
    Case(
        "fail_deny_covers_another_queue",
        "SQS-TLS-ONLY",
        "orders",
        orders_policy({**TLS_DENY, "Resource": DLQ}, FROM_EVENTS),
    ),
    Case(
        "pass_deny_on_every_action_and_queue",
        "SQS-TLS-ONLY",
        "orders",
        orders_policy({**TLS_DENY, "Action": "*", "Resource": "*"}, FROM_EVENTS),
    ),
    Case(
        "na_profile_without_tls_only",
        "SQS-TLS-ONLY",
        "orders",
        orders_policy(FROM_EVENTS),
        overrides=(("transport.tls_only", False),),
    ),
    # SQS-DLQ
    Case("pass_source_queue_with_dlq", "SQS-DLQ", "orders", evidence={"max_receive_count": 5}),
    Case("na_dead_letter_queue_itself", "SQS-DLQ", "orders-dlq"),
    Case(
        "na_detached_dlq_still_declares_itself",
        "SQS-DLQ",
        "orders-dlq",
        lambda inv: changed(
            changed(inv, "queues", "orders", redrive_policy=None),
            "queues",
            "orders-dlq",
            is_dlq=False,
        ),
    ),
    Case(
        "na_profile_without_dlq",
        "SQS-DLQ",
        "orders",
        queue("orders", redrive_policy=None),
        overrides=(("queue.dlq_required", False),),
    ),
    Case(
        "fail_no_redrive_policy",
        "SQS-DLQ",
        "orders",
        queue("orders", redrive_policy=None),
        message="no dead-letter queue",
    ),
    Case(
        "fail_max_receive_count_above_bound",
        "SQS-DLQ",
        "orders",
        queue(
            "orders", redrive_policy=RedrivePolicy(dead_letter_target_arn=DLQ, max_receive_count=50)
        ),
        message="maxReceiveCount 50 exceeds 5",
    ),
    Case(
        "fail_dlq_accepts_any_source",
        "SQS-DLQ",
        "orders",
        queue("orders-dlq", redrive_allow_policy=RedriveAllowPolicy(permission="allowAll")),
        message="byQueue",
    ),
    Case(
        "fail_dlq_names_a_stranger",
        "SQS-DLQ",
        "orders",
        queue(
            "orders-dlq",
            redrive_allow_policy=RedriveAllowPolicy(
                permission="byQueue", source_queue_arns=(ORDERS, f"{ORDERS}-other")
            ),
        ),
        message="also allows",
    ),
    Case(
        "fail_dlq_forgets_its_source",
        "SQS-DLQ",
        "orders",
        queue(
            "orders-dlq",
            redrive_allow_policy=RedriveAllowPolicy(permission="byQueue", source_queue_arns=()),
        ),
        message="does not name this queue",
    ),
    Case(
        "fail_dlq_retention_shorter_than_source",
        "SQS-DLQ",
        "orders",
        queue("orders-dlq", retention_seconds=60),
        message="shorter than the queue's",
    ),
    Case(
        "fail_dlq_encrypted_with_another_key",
        "SQS-DLQ",
        "orders",
        queue("orders-dlq", kms_master_key_id="alias/aws/sqs"),
        message="not encrypted with the queue's key",
    ),
    Case(
        "fail_dlq_outside_stack",
        "SQS-DLQ",
        "orders",
        queue(
            "orders",
            redrive_policy=RedrivePolicy(dead_letter_target_arn=f"{DLQ}-gone", max_receive_count=5),
        ),
        message="is not in the stack",
    ),
    # SQS-RETENTION-MAX
    Case("pass_source_within_maximum", "SQS-RETENTION-MAX", "orders"),
    Case("pass_dlq_within_dlq_maximum", "SQS-RETENTION-MAX", "orders-dlq"),
    Case(
        "fail_source_above_maximum",
        "SQS-RETENTION-MAX",
        "orders",
        queue("orders", retention_seconds=1_209_600),
        message="above the maximum 345600 s",
    ),
    Case(
        "fail_source_above_gdpr_maximum",
        "SQS-RETENTION-MAX",
        "orders",
        queue("orders", retention_seconds=345_600),
        profiles=("gdpr",),
        message="above the maximum 86400 s",
    ),
    Case(
        "fail_dlq_above_gdpr_maximum",
        "SQS-RETENTION-MAX",
        "orders-dlq",
        queue("orders-dlq", retention_seconds=1_209_600),
        profiles=("gdpr",),
        evidence={"is_dlq": True, "maximum": 345_600},
    ),
    # SQS-NO-PUBLIC
    Case("pass_named_principals_only", "SQS-NO-PUBLIC", "orders"),
    Case(
        "fail_anonymous_send",
        "SQS-NO-PUBLIC",
        "orders",
        orders_policy(
            TLS_DENY,
            {
                "Sid": "Anyone",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": "sqs:SendMessage",
                "Resource": ORDERS,
            },
        ),
        message="any principal",
        evidence={"public_statements": ["statement 'Anyone'"]},
    ),
    Case(
        "pass_wildcard_principal_narrowed_by_source_account",
        "SQS-NO-PUBLIC",
        "orders",
        orders_policy(
            TLS_DENY,
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "sqs:SendMessage",
                "Resource": ORDERS,
                "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
            },
        ),
    ),
    Case(
        "fail_wildcard_condition_value",
        "SQS-NO-PUBLIC",
        "orders",
        orders_policy(
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "sqs:SendMessage",
                "Resource": ORDERS,
                "Condition": {"StringLike": {"aws:SourceAccount": "*"}},
            },
        ),
    ),
    Case(
        "fail_full_access_to_a_named_principal",
        "SQS-NO-PUBLIC",
        "orders",
        orders_policy(
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                "Action": "sqs:*",
                "Resource": ORDERS,
            }
        ),
        message="allows sqs:*",
    ),
    # SQS-SNS-SCOPED
    Case("pass_queue_accepts_its_topic", "SQS-SNS-SCOPED", SUBSCRIPTION),
    Case(
        "na_email_subscription",
        "SQS-SNS-SCOPED",
        f"arn:aws:sns:eu-west-1:{ACCOUNT}:alerts:sub-email",
    ),
    Case(
        "fail_queue_accepts_any_topic",
        "SQS-SNS-SCOPED",
        SUBSCRIPTION,
        orders_policy(TLS_DENY, {**FROM_EVENTS, "Condition": {}}),
        message="lets any topic send",
    ),
    Case(
        "fail_queue_accepts_another_topic",
        "SQS-SNS-SCOPED",
        SUBSCRIPTION,
        orders_policy(
            TLS_DENY,
            {**FROM_EVENTS, "Condition": {"ArnEquals": {"aws:SourceArn": f"{EVENTS}-other"}}},
        ),
        message=f"aws:SourceArn = {EVENTS}",
    ),
    Case(
        "fail_key_does_not_admit_sns",
        "SQS-SNS-SCOPED",
        SUBSCRIPTION,
        key_without_sns,
        message="does not let sns.amazonaws.com use it",
    ),
    Case(
        "fail_queue_on_aws_managed_key",
        "SQS-SNS-SCOPED",
        SUBSCRIPTION,
        queue("orders", kms_master_key_id="alias/aws/sqs"),
        message="SNS cannot deliver",
    ),
    Case(
        "na_queue_outside_stack",
        "SQS-SNS-SCOPED",
        SUBSCRIPTION,
        lambda inv: changed(
            inv, "subscriptions", SUBSCRIPTION, endpoint="arn:aws:sqs:eu-west-1:210987654321:theirs"
        ),
    ),
]


@parametrize(CASES)
def test_sqs_control(case: Case) -> None:
    check_case(case)

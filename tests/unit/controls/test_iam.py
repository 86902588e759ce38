from __future__ import annotations

from typing import Any

from tests.unit.controls.cases import Case, check_case, parametrize
from tests.unit.controls.stack import ACCOUNT, changed

ORDERS = f"arn:aws:sqs:eu-west-1:{ACCOUNT}:orders"


def inline(role: str, *statements: dict[str, Any]):
    return lambda inv: changed(
        inv, "roles", role, inline_policies={"only": {"Statement": list(statements)}}
    )


def trust(role: str, statement: dict[str, Any]):
    return lambda inv: changed(inv, "roles", role, trust_policy={"Statement": [statement]})


ASSUME_BY_CLOUDTRAIL = {
    "Effect": "Allow",
    "Principal": {"Service": "cloudtrail.amazonaws.com"},
    "Action": "sts:AssumeRole",
}

CASES = [
    # IAM-NO-WILDCARD-ACTION
    Case("pass_producer_named_actions", "IAM-NO-WILDCARD-ACTION", "producer"),
    Case("pass_consumer_named_actions", "IAM-NO-WILDCARD-ACTION", "consumer"),
    Case(
        "fail_sqs_star",
        "IAM-NO-WILDCARD-ACTION",
        "consumer",
        inline("consumer", {"Effect": "Allow", "Action": "sqs:*", "Resource": ORDERS}),
        message="allows sqs:*",
    ),
    Case(
        "fail_admin",
        "IAM-NO-WILDCARD-ACTION",
        "producer",
        lambda inv: changed(
            inv,
            "roles",
            "producer",
            attached_policies={
                "arn:aws:iam::aws:policy/AdministratorAccess": {
                    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]
                }
            },
        ),
        message="AdministratorAccess",
    ),
    Case(
        "fail_send_to_every_queue",
        "IAM-NO-WILDCARD-ACTION",
        "producer",
        inline("producer", {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}),
        message="sqs:SendMessage on Resource '*'",
    ),
    Case(
        "fail_not_action",
        "IAM-NO-WILDCARD-ACTION",
        "producer",
        inline("producer", {"Effect": "Allow", "NotAction": "iam:*", "Resource": ORDERS}),
        message="NotAction",
    ),
    Case(
        "pass_read_only_listing_on_any_resource",
        "IAM-NO-WILDCARD-ACTION",
        "consumer",
        inline(
            "consumer",
            {"Effect": "Allow", "Action": ["sqs:ListQueues", "kms:DescribeKey"], "Resource": "*"},
        ),
    ),
    # IAM-CONFUSED-DEPUTY
    Case("pass_service_trust_narrowed", "IAM-CONFUSED-DEPUTY", "trail-to-logs"),
    Case("pass_account_trust_without_service", "IAM-CONFUSED-DEPUTY", "producer"),
    Case(
        "fail_service_trust_without_source",
        "IAM-CONFUSED-DEPUTY",
        "trail-to-logs",
        trust("trail-to-logs", ASSUME_BY_CLOUDTRAIL),
        message="cloudtrail.amazonaws.com",
    ),
    Case(
        "pass_service_trust_narrowed_by_source_arn",
        "IAM-CONFUSED-DEPUTY",
        "trail-to-logs",
        trust(
            "trail-to-logs",
            {
                **ASSUME_BY_CLOUDTRAIL,
                "Condition": {
                    "ArnLike": {
                        "aws:SourceArn": f"arn:aws:cloudtrail:eu-west-1:{ACCOUNT}:trail/audit"
                    }
                },
            },
        ),
    ),
]


@parametrize(CASES)
def test_iam_control(case: Case) -> None:
    check_case(case)

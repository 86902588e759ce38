"""IAM wildcard matching: `*` and `?` only, case-insensitive, everything else literal."""

from __future__ import annotations

import pytest

from provisioner.controls._policy import grants_action, pattern_matches


@pytest.mark.parametrize(
    ("pattern", "value", "matches"),
    [
        ("sqs:SendMessage", "sqs:sendmessage", True),  # action names ignore case
        ("sqs:SendMessage", "sqs:SendMessageBatch", False),  # no implicit prefix match
        ("sqs:*", "sqs:DeleteMessage", True),
        ("sqs:Send*", "sqs:SendMessageBatch", True),
        ("sqs:Send*", "sns:SendMessage", False),
        ("kms:?ecrypt", "kms:Decrypt", True),
        ("kms:?ecrypt", "kms:ReEncrypt", False),
        ("*", "anything:at-all", True),
        ("arn:aws:s3:::logs[1]/*", "arn:aws:s3:::logs[1]/AWSLogs/x", True),  # `[` is literal
        ("arn:aws:s3:::logs[1]/*", "arn:aws:s3:::logs1/AWSLogs/x", False),  # fnmatch said yes
        ("arn:aws:sqs:*:*:orders.fifo", "arn:aws:sqs:eu-west-1:1:orders.fifo", True),
        ("arn:aws:sqs:*:*:orders.fifo", "arn:aws:sqs:eu-west-1:1:ordersXfifo", False),  # `.`
    ],
)
def test_iam_wildcards(pattern: str, value: str, matches: bool) -> None:
    assert pattern_matches(pattern, value) is matches


def test_a_long_managed_policy_grants_only_what_it_lists() -> None:
    listed = [f"sqs:Get{i}" for i in range(2_000)] + ["sqs:ReceiveMessage"]
    statement = {"Effect": "Allow", "Action": listed, "Resource": "*"}
    assert grants_action(statement, "sqs:receivemessage")
    assert not grants_action(statement, "sqs:SendMessage")

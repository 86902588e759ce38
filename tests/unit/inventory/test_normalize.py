"""Both spellings of the same AWS shapes (Pulumi inputs, boto3 responses) parse alike."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from provisioner.inventory._normalize import (
    parse_advanced_event_selectors,
    parse_event_selectors,
    parse_policy,
    parse_redrive_policy,
)
from provisioner.inventory.models import DataResource, FieldSelector, RedrivePolicy

DOCUMENT = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "sqs:*"}]}


@pytest.mark.parametrize(
    "given",
    [DOCUMENT, json.dumps(DOCUMENT), quote(json.dumps(DOCUMENT)), f"  {json.dumps(DOCUMENT)}\n"],
    ids=["dict", "json", "url-encoded-json", "padded-json"],
)
def test_policy_documents_parse_from_any_spelling(given: object) -> None:
    assert parse_policy(given) == DOCUMENT


@pytest.mark.parametrize("given", [None, "", "{}", "not json", "[1, 2]"])
def test_absent_or_unusable_policies_are_none(given: object) -> None:
    assert parse_policy(given) is None


def test_redrive_policy_accepts_a_string_count() -> None:
    given = json.dumps({"deadLetterTargetArn": "arn:dlq", "maxReceiveCount": "5"})
    assert parse_redrive_policy(given) == RedrivePolicy(
        dead_letter_target_arn="arn:dlq", max_receive_count=5
    )
    assert parse_redrive_policy(json.dumps({"maxReceiveCount": 5})) is None


def test_advanced_selectors_read_the_same_from_boto3_and_pulumi() -> None:
    boto3_shape = [
        {
            "Name": "sns",
            "FieldSelectors": [
                {"Field": "eventCategory", "Equals": ["Data"]},
                {"Field": "resources.ARN", "StartsWith": ["arn:aws:sns:"], "NotEndsWith": [":x"]},
            ],
        }
    ]
    pulumi_shape = [
        {
            "name": "sns",
            "fieldSelectors": [
                {"field": "eventCategory", "equals": ["Data"]},
                {"field": "resources.ARN", "startsWiths": ["arn:aws:sns:"], "notEndsWiths": [":x"]},
            ],
        }
    ]
    parsed = parse_advanced_event_selectors(boto3_shape)
    assert parsed == parse_advanced_event_selectors(pulumi_shape)
    assert parsed[0].field_selectors[1] == FieldSelector(
        field="resources.ARN", starts_with=("arn:aws:sns:",), not_ends_with=(":x",)
    )


def test_basic_event_selectors_default_to_management_events() -> None:
    (selector,) = parse_event_selectors(
        [
            {
                "ReadWriteType": "WriteOnly",
                "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}],
            }
        ]
    )
    assert selector.read_write_type == "WriteOnly" and selector.include_management_events
    assert selector.data_resources == (
        DataResource(type="AWS::S3::Object", values=("arn:aws:s3",)),
    )

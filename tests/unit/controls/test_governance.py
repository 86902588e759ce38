from __future__ import annotations

from dataclasses import replace
from typing import Any

from tests.unit.controls.cases import Case, check_case, parametrize
from tests.unit.controls.stack import ACCOUNT, changed


def recorder(**changes: Any):
    return lambda inv: changed(inv, "config_recorders", "default", **changes)


CASES = [
    # CONFIG-RECORDER-ON (account level, required resource)
    Case("pass_recorder_recording", "CONFIG-RECORDER-ON", None),
    Case(
        "fail_no_recorder",
        "CONFIG-RECORDER-ON",
        None,
        lambda inv: replace(inv, config_recorders=()),
        message="has no AWS Config recorder",
    ),
    Case("fail_recorder_stopped", "CONFIG-RECORDER-ON", None, recorder(recording=False)),
    Case(
        "fail_recorder_records_a_subset",
        "CONFIG-RECORDER-ON",
        None,
        recorder(all_supported=False, resource_types=("AWS::SQS::Queue",)),
        message="all supported resource types",
    ),
    Case("fail_no_delivery_channel", "CONFIG-RECORDER-ON", None, recorder(delivery_bucket=None)),
    Case(
        "na_recorder_not_required",
        "CONFIG-RECORDER-ON",
        None,
        lambda inv: replace(inv, config_recorders=()),
        overrides=(("config.recorder_required", False),),
    ),
    # CONFIG-RULES-DEPLOYED
    Case("pass_every_profile_rule_active", "CONFIG-RULES-DEPLOYED", None, profiles=("pci",)),
    Case(
        "fail_rule_missing",
        "CONFIG-RULES-DEPLOYED",
        None,
        lambda inv: replace(
            inv,
            config_rules=tuple(
                r for r in inv.config_rules if r.source_identifier != "SNS_ENCRYPTED_KMS"
            ),
        ),
        message="SNS_ENCRYPTED_KMS",
    ),
    Case(
        "fail_custom_rule_named_like_the_managed_one",
        "CONFIG-RULES-DEPLOYED",
        None,
        lambda inv: changed(inv, "config_rules", "sns_encrypted_kms", source_owner="CUSTOM_LAMBDA"),
        message="SNS_ENCRYPTED_KMS",
    ),
    # REGION-RESIDENCY
    Case("pass_everything_in_the_eu", "REGION-RESIDENCY", None, profiles=("gdpr",)),
    Case("na_any_region_allowed", "REGION-RESIDENCY", None),
    Case(
        "fail_bucket_outside_the_eu",
        "REGION-RESIDENCY",
        None,
        lambda inv: changed(inv, "buckets", "access-logs-123", region="us-east-1"),
        profiles=("gdpr",),
        evidence={"outside": {"arn:aws:s3:::access-logs-123": ["us-east-1"]}},
    ),
    Case(
        "fail_subscription_endpoint_outside_the_eu",
        "REGION-RESIDENCY",
        None,
        lambda inv: changed(
            inv,
            "subscriptions",
            f"arn:aws:sns:eu-west-1:{ACCOUNT}:events:sub-orders",
            endpoint=f"arn:aws:sqs:us-west-2:{ACCOUNT}:copy",
        ),
        profiles=("gdpr",),
        message="1 resources outside",
    ),
    Case(
        "fail_multi_region_key",
        "REGION-RESIDENCY",
        None,
        lambda inv: changed(inv, "keys", "1111-2222", multi_region=True),
        profiles=("gdpr",),
    ),
    # FIPS-ENDPOINTS
    Case("pass_fips_endpoints", "FIPS-ENDPOINTS", None, profiles=("fedramp",)),
    Case("na_fips_not_required", "FIPS-ENDPOINTS", None),
    Case(
        "fail_plain_kms_endpoint",
        "FIPS-ENDPOINTS",
        None,
        lambda inv: changed(
            inv, "vpc_endpoints", "vpce-kms", service_name="com.amazonaws.us-east-1.kms"
        ),
        profiles=("fedramp",),
        message="vpc-endpoint/vpce-kms",
    ),
]


@parametrize(CASES)
def test_governance_control(case: Case) -> None:
    check_case(case)

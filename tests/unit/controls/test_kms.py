from __future__ import annotations

from typing import Any

from provisioner.inventory.models import Inventory
from tests.unit.controls.cases import Case, check_case, parametrize
from tests.unit.controls.stack import ACCOUNT, changed

KEY = "1111-2222"


def key(**changes: Any):
    return lambda inv: changed(inv, "keys", KEY, **changes)


def with_key_statement(statement: dict[str, Any]):
    def change(inventory: Inventory) -> Inventory:
        policy = inventory.keys[0].policy
        assert policy is not None
        return changed(
            inventory, "keys", KEY, policy={"Statement": [*policy["Statement"], statement]}
        )

    return change


def role_policy(role: str, *statements: dict[str, Any]):
    return lambda inv: changed(
        inv, "roles", role, inline_policies={"only": {"Statement": list(statements)}}
    )


CASES = [
    # KMS-ROTATION
    Case("pass_rotates_yearly", "KMS-ROTATION", KEY, evidence={"rotation_enabled": True}),
    Case(
        "pass_rotation_period_unset_means_365",
        "KMS-ROTATION",
        KEY,
        key(rotation_period_days=None),
    ),
    Case("fail_rotation_off", "KMS-ROTATION", KEY, key(rotation_enabled=False), message="off"),
    Case(
        "fail_rotation_period_too_long",
        "KMS-ROTATION",
        KEY,
        key(rotation_period_days=730),
        message="730 days, longer than 365",
    ),
    Case(
        "na_asymmetric_key",
        "KMS-ROTATION",
        KEY,
        key(key_spec="ECC_NIST_P256", key_usage="SIGN_VERIFY", rotation_enabled=False),
    ),
    Case("na_aws_managed_key", "KMS-ROTATION", KEY, key(key_manager="AWS", rotation_enabled=False)),
    Case(
        "na_profile_without_rotation",
        "KMS-ROTATION",
        KEY,
        key(rotation_enabled=False),
        overrides=(("kms.rotation_required", False),),
    ),
    # KMS-POLICY-NO-WILDCARD-PRINCIPAL
    Case("pass_root_delegation_and_scoped_services", "KMS-POLICY-NO-WILDCARD-PRINCIPAL", KEY),
    Case(
        "fail_anyone_may_decrypt",
        "KMS-POLICY-NO-WILDCARD-PRINCIPAL",
        KEY,
        with_key_statement(
            {
                "Sid": "Open",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": "kms:Decrypt",
                "Resource": "*",
            }
        ),
        message="kms:CallerAccount + kms:ViaService",
    ),
    Case(
        "pass_wildcard_narrowed_by_caller_account_and_via_service",
        "KMS-POLICY-NO-WILDCARD-PRINCIPAL",
        KEY,
        with_key_statement(
            {
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": "kms:Decrypt",
                "Resource": "*",
                "Condition": {
                    "StringEquals": {
                        "kms:CallerAccount": ACCOUNT,
                        "kms:ViaService": "sqs.eu-west-1.amazonaws.com",
                    }
                },
            }
        ),
    ),
    Case(
        "fail_unscoped_service_principal",
        "KMS-POLICY-NO-WILDCARD-PRINCIPAL",
        KEY,
        with_key_statement(
            {
                "Sid": "Sns",
                "Effect": "Allow",
                "Principal": {"Service": "sns.amazonaws.com"},
                "Action": "kms:Decrypt",
                "Resource": "*",
            }
        ),
        message="sns.amazonaws.com",
    ),
    Case(
        "fail_lockout_safety_check_bypassed",
        "KMS-POLICY-NO-WILDCARD-PRINCIPAL",
        KEY,
        key(bypass_policy_lockout_safety_check=True),
        message="BypassPolicyLockoutSafetyCheck",
    ),
    Case(
        "na_aws_managed_key_policy", "KMS-POLICY-NO-WILDCARD-PRINCIPAL", KEY, key(key_manager="AWS")
    ),
    # KMS-IAM-NO-BROAD-ACTIONS
    Case("pass_decrypt_on_named_key", "KMS-IAM-NO-BROAD-ACTIONS", "consumer"),
    Case(
        "fail_decrypt_on_every_key",
        "KMS-IAM-NO-BROAD-ACTIONS",
        "consumer",
        role_policy("consumer", {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}),
        message="kms:Decrypt on every key",
    ),
    Case(
        "fail_kms_star_on_key_wildcard",
        "KMS-IAM-NO-BROAD-ACTIONS",
        "consumer",
        role_policy(
            "consumer",
            {
                "Effect": "Allow",
                "Action": "kms:*",
                "Resource": f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/*",
            },
        ),
        message="kms:ReEncryptFrom",
    ),
    Case(
        "pass_describe_on_every_key",
        "KMS-IAM-NO-BROAD-ACTIONS",
        "consumer",
        role_policy("consumer", {"Effect": "Allow", "Action": "kms:DescribeKey", "Resource": "*"}),
    ),
    # KMS-DELETION-WINDOW
    Case("pass_full_window", "KMS-DELETION-WINDOW", KEY, evidence={"deletion_window_days": 30}),
    Case(
        "pass_window_not_observable_live",
        "KMS-DELETION-WINDOW",
        KEY,
        key(deletion_window_days=None),
    ),
    Case(
        "fail_pending_deletion",
        "KMS-DELETION-WINDOW",
        KEY,
        key(state="PendingDeletion", deletion_window_days=7),
        message="scheduled for deletion",
    ),
    Case(
        "fail_short_window",
        "KMS-DELETION-WINDOW",
        KEY,
        key(deletion_window_days=7),
        message="7 days is below 30",
    ),
    Case("na_aws_managed_key_deletion", "KMS-DELETION-WINDOW", KEY, key(key_manager="AWS")),
    # KMS-SINGLE-REGION
    Case("pass_single_region_key", "KMS-SINGLE-REGION", KEY),
    Case("fail_multi_region_key", "KMS-SINGLE-REGION", KEY, key(multi_region=True)),
]


@parametrize(CASES)
def test_kms_control(case: Case) -> None:
    check_case(case)

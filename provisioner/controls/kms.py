"""KMS controls (controls.md section 1C and trap 3f: `kms:*` to the account root is accepted)."""

from __future__ import annotations

from provisioner.controls import _policy as policy
from provisioner.controls._common import enabled, param
from provisioner.controls._types import define, not_applicable, verdict
from provisioner.findings import CheckResult, Severity
from provisioner.inventory.models import Inventory, Key, Kind, Role
from provisioner.profiles import Parameters

DEFAULT_ROTATION_DAYS = 365  # what KMS uses when rotation is on and no period is given
# Service principals whose key statements AWS documents without conditions (section 4 iv).
UNCONDITIONED_SERVICES = frozenset({"events.amazonaws.com"})
SERVICE_KEYS = ("aws:SourceArn", "aws:SourceAccount", "aws:SourceOwner")
# Actions AWS's blocked-KMS-actions Config rules look for (pack default).
BLOCKED_KMS_ACTIONS = ("kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo")


def _customer_key(key: Key) -> bool:
    return key.key_manager == "CUSTOMER"


@define(
    "KMS-ROTATION",
    Kind.KEY,
    Severity.MEDIUM,
    parameters=("kms.rotation_required", "kms.rotation_period_days"),
)
def kms_key_rotates(key: Key, params: Parameters, inventory: Inventory) -> CheckResult:
    subject = f"key {key.arn}"
    if not enabled(params, "kms.rotation_required"):
        return not_applicable(f"{subject}: the profile does not require rotation")
    if not _customer_key(key) or key.key_spec != "SYMMETRIC_DEFAULT" or key.origin != "AWS_KMS":
        return not_applicable(
            f"{subject}: automatic rotation applies to symmetric customer keys of AWS_KMS origin"
        )
    period = key.rotation_period_days or DEFAULT_ROTATION_DAYS
    limit = param(params, "kms.rotation_period_days")
    problems = []
    if not key.rotation_enabled:
        problems.append("automatic rotation is off")
    elif limit is not None and period > limit:
        problems.append(f"rotates every {period} days, longer than {limit}")
    return verdict(
        problems,
        subject,
        f"rotates every {period} days",
        rotation_enabled=key.rotation_enabled,
        rotation_period_days=key.rotation_period_days,
        maximum_days=limit,
    )


@define("KMS-POLICY-NO-WILDCARD-PRINCIPAL", Kind.KEY, Severity.CRITICAL)
def kms_key_policy_names_principals(
    key: Key, params: Parameters, inventory: Inventory
) -> CheckResult:
    subject = f"key {key.arn}"
    if not _customer_key(key):
        return not_applicable(f"{subject}: AWS managed key policies cannot be changed")
    problems = []
    public = [
        policy.statement_label(s)
        for s in policy.allows(key.policy)
        if policy.has_wildcard_principal(s)
        and not (
            policy.narrowing_keys(s, ("kms:CallerAccount",))
            and policy.condition_values(s, "kms:ViaService")
        )
    ]
    if public:
        problems.append(
            f"allows any principal without kms:CallerAccount + kms:ViaService ({public})"
        )
    unscoped = [
        f"{policy.statement_label(s)} ({', '.join(policy.service_principals(s))})"
        for s in policy.allows(key.policy)
        if policy.service_principals(s)
        and not set(policy.service_principals(s)) <= UNCONDITIONED_SERVICES
        and not policy.narrowing_keys(s, SERVICE_KEYS)
        and not policy.has_encryption_context_condition(s)
    ]
    if unscoped:
        problems.append(
            "service principals are not narrowed by aws:SourceArn/aws:SourceAccount or an "
            f"encryption context ({'; '.join(unscoped)})"
        )
    if key.bypass_policy_lockout_safety_check:
        problems.append("was created with BypassPolicyLockoutSafetyCheck")
    return verdict(
        problems,
        subject,
        "policy names its principals",
        public_statements=public,
        unscoped_service_statements=unscoped,
        bypass_policy_lockout_safety_check=key.bypass_policy_lockout_safety_check,
    )


def _any_key(resource: str) -> bool:
    return resource == "*" or (
        resource.startswith("arn:aws") and ":kms:" in resource and "*" in resource
    )


@define("KMS-IAM-NO-BROAD-ACTIONS", Kind.ROLE, Severity.HIGH)
def kms_role_has_no_broad_key_actions(
    role: Role, params: Parameters, inventory: Inventory
) -> CheckResult:
    findings = []
    for name, document in role.identity_policies():
        for index, statement in enumerate(policy.allows(document)):
            if not any(_any_key(r) for r in policy.resources(statement)):
                continue
            blocked = [a for a in BLOCKED_KMS_ACTIONS if policy.grants_action(statement, a)]
            if blocked:
                label = policy.statement_label(statement, index)
                findings.append(f"{name} {label}: {', '.join(blocked)} on every key")
    return verdict(
        [f"allows {'; '.join(findings)}"] if findings else [],
        f"role {role.name}",
        "decrypts only with named keys",
        broad_grants=findings,
    )


@define(
    "KMS-DELETION-WINDOW",
    Kind.KEY,
    Severity.HIGH,
    parameters=("kms.deletion_window_days",),
)
def kms_key_not_scheduled_for_deletion(
    key: Key, params: Parameters, inventory: Inventory
) -> CheckResult:
    subject = f"key {key.arn}"
    if not _customer_key(key):
        return not_applicable(f"{subject}: AWS managed keys cannot be deleted")
    minimum = param(params, "kms.deletion_window_days")
    problems = []
    if key.pending_deletion:
        problems.append("is scheduled for deletion")
    window = key.deletion_window_days
    if minimum is not None and window is not None and window < minimum:
        problems.append(f"deletion window {window} days is below {minimum}")
    return verdict(
        problems,
        subject,
        "is not scheduled for deletion",
        state=key.state,
        deletion_window_days=key.deletion_window_days,
        minimum_days=minimum,
    )


@define("KMS-SINGLE-REGION", Kind.KEY, Severity.MEDIUM)
def kms_key_single_region(key: Key, params: Parameters, inventory: Inventory) -> CheckResult:
    return verdict(
        ["is a multi-Region key (replicas can leave the region)"] if key.multi_region else [],
        f"key {key.arn}",
        "is a single-Region key",
        multi_region=key.multi_region,
    )

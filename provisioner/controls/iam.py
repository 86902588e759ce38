"""IAM controls (controls.md section 1H): least-privilege producer/consumer/admin roles."""

from __future__ import annotations

from provisioner.controls import _policy as policy
from provisioner.controls._types import define, verdict
from provisioner.findings import CheckResult, Severity
from provisioner.inventory.models import Inventory, Kind, Role
from provisioner.profiles import Parameters

# Data-plane actions that must name their queue, topic or key, never Resource "*".
DATA_ACTIONS = (
    "sqs:SendMessage",
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:ChangeMessageVisibility",
    "sqs:PurgeQueue",
    "sqs:SetQueueAttributes",
    "sns:Publish",
    "sns:Subscribe",
    "sns:SetTopicAttributes",
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:GenerateDataKey",
    "kms:ReEncryptFrom",
)
CONFUSED_DEPUTY_KEYS = ("aws:SourceAccount", "aws:SourceArn", "aws:SourceOwner")


def _full_access(action: str) -> bool:
    return action == "*" or action.endswith(":*")


@define("IAM-NO-WILDCARD-ACTION", Kind.ROLE, Severity.HIGH)
def role_policies_name_actions_and_resources(
    role: Role, params: Parameters, inventory: Inventory
) -> CheckResult:
    problems = []
    for name, document in role.identity_policies():
        for index, statement in enumerate(policy.allows(document)):
            label = f"{name} {policy.statement_label(statement, index)}"
            wild = [a for a in policy.actions(statement) if _full_access(a)]
            if wild:
                problems.append(f"{label} allows {', '.join(wild)}")
            if statement.get("NotAction") is not None:
                problems.append(f"{label} uses NotAction with Allow")
            if "*" in policy.resources(statement):
                data = [a for a in DATA_ACTIONS if policy.grants_action(statement, a)]
                if data and not wild:
                    problems.append(f"{label} allows {', '.join(data)} on Resource '*'")
    return verdict(
        problems,
        f"role {role.name}",
        "grants named actions on named resources",
        policies=[name for name, _doc in role.identity_policies()],
    )


@define("IAM-CONFUSED-DEPUTY", Kind.ROLE, Severity.MEDIUM)
def role_trust_narrowed_to_source(
    role: Role, params: Parameters, inventory: Inventory
) -> CheckResult:
    unscoped = [
        f"{policy.statement_label(s, i)} ({', '.join(policy.service_principals(s))})"
        for i, s in enumerate(policy.allows(role.trust_policy))
        if policy.service_principals(s) and not policy.narrowing_keys(s, CONFUSED_DEPUTY_KEYS)
    ]
    return verdict(
        [f"trusts services without aws:SourceAccount/aws:SourceArn: {'; '.join(unscoped)}"]
        if unscoped
        else [],
        f"role {role.name}",
        "trusts services only on behalf of this account",
        unscoped_trust_statements=unscoped,
    )

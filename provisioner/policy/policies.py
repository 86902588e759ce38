"""CrossGuard policies generated from the controls catalog.

Two shapes, both judging through the same path as `provisioner plan` (the plan inventory
normalizer, then the catalog's pure checks):

- one `ResourceValidationPolicy` per control in `RESOURCE_LEVEL`: controls a resource's own
  inputs decide (props are the camelCase inputs, as in the plan). They run before the engine
  creates or updates the resource, so a violation blocks it.
- one `StackValidationPolicy` that normalizes every resource of the stack and runs all of the
  profile's controls, for what needs several resources (a queue's policy resource, a key's
  grants, required resources).

Unknown values (preview of a resource that depends on one not yet created) make the policy
framework skip a check with a "can't be known during preview" note; `up` judges known inputs.
Only `build_policies` imports `pulumi_policy`, so this module imports without it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from provisioner.findings import Finding, Status
from provisioner.policy import TARGET_ENV

if TYPE_CHECKING:
    from provisioner.controls._types import Control
    from provisioner.profiles import StackTarget

STACK_POLICY = "provisioner-stack-controls"

# Controls whose verdict comes from the judged resource's own inputs. Every other control needs
# resources the engine registers separately (queue policies, bucket settings, the key a queue
# names); judging one of those alone would fail compliant resources. Pinned by
# tests/unit/test_policy_pack.py against every shipped profile's plan.
RESOURCE_LEVEL = (
    "IAM-CONFUSED-DEPUTY",
    "IAM-NO-WILDCARD-ACTION",
    "KMS-DELETION-WINDOW",
    "KMS-IAM-NO-BROAD-ACTIONS",
    "KMS-POLICY-NO-WILDCARD-PRINCIPAL",
    "KMS-ROTATION",
    "KMS-SINGLE-REGION",
    "LOGS-RETENTION",
    "SG-NO-OPEN-INGRESS",
    "SNS-NO-PUBLIC",
    "SNS-SUB-SECURE",
    "SQS-NO-PUBLIC",
    "TRAIL-LOG-VALIDATION",
)
FAILING = (Status.FAIL, Status.ERROR)


@dataclass(frozen=True)
class Declared:
    """One resource as the policy framework shows it, in the shape the normalizer reads."""

    type: str
    name: str
    inputs: Mapping[str, Any]
    id: str | None = None
    state: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Declaration:
    resources: Sequence[Declared]


@dataclass(frozen=True)
class Violation:
    control: str
    message: str


def _plain(value: Any) -> Any:
    """A deep copy in plain dicts and lists (reading every value: unknowns surface here)."""
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def declared(resource_type: str, name: str, props: Mapping[str, Any]) -> Declared:
    inputs = _plain(props)
    resource_id = inputs.get("id")  # present in a created resource's outputs
    return Declared(
        type=resource_type,
        name=name,
        inputs=inputs,
        id=resource_id if isinstance(resource_id, str) and resource_id else None,
        state=inputs,
    )


def judge(
    resources: Iterable[Declared], controls: Sequence[Control], target: StackTarget
) -> list[Finding]:
    """The catalog's verdicts on these resources, as `provisioner plan` would give them."""
    from provisioner.controls import evaluate
    from provisioner.inventory.plan import inventory_from_plan

    inventory = inventory_from_plan(
        Declaration(tuple(resources)), region=target.region, stack=target.stack_name
    )
    findings: list[Finding] = evaluate(list(controls), inventory, target.parameters)
    return findings


def resource_violations(
    control: Control, resource_type: str, name: str, props: Mapping[str, Any], target: StackTarget
) -> list[Violation]:
    """What one resource-level control finds wrong with one declared resource."""
    findings = judge([declared(resource_type, name, props)], [control], target)
    return [Violation(f.control, f.message) for f in findings if f.status in FAILING]


def stack_violations(
    resources: Iterable[tuple[str, str, Mapping[str, Any]]],
    controls: Sequence[Control],
    target: StackTarget,
) -> list[Violation]:
    """Every failing control of the profile over the whole declared stack."""
    declared_resources = [declared(typ, name, props) for typ, name, props in resources]
    findings = judge(declared_resources, controls, target)
    return [
        Violation(f.control, f"{f.control}: {f.message}") for f in findings if f.status in FAILING
    ]


@lru_cache(maxsize=1)
def policy_target() -> StackTarget:
    """The target the provisioner CLI handed the pack through the environment."""
    from provisioner.profiles import resolve_target

    raw = os.environ.get(TARGET_ENV)
    document: dict[str, Any] = json.loads(raw) if raw else {}
    profiles_dir = document.get("profiles_dir")
    environments_dir = document.get("environments_dir")
    return resolve_target(
        document.get("profiles") or ["baseline"],
        document.get("environment") or "dev",
        document.get("region"),
        profiles_dir=Path(profiles_dir) if profiles_dir else None,
        environments_dir=Path(environments_dir) if environments_dir else None,
    )


def profile_controls(target: StackTarget) -> list[Control]:
    from provisioner.controls import controls_for

    controls: list[Control] = controls_for(target.profile)
    return controls


def resource_validator(
    control: Control, target: StackTarget
) -> Callable[[Any, Callable[..., None]], None]:
    """`validate(args, report_violation)` for a `ResourceValidationPolicy`."""

    def validate(args: Any, report_violation: Callable[..., None]) -> None:
        for violation in resource_violations(
            control, args.resource_type, args.name, args.props, target
        ):
            report_violation(violation.message, args.urn)

    return validate


def stack_validator(
    controls: Sequence[Control], target: StackTarget
) -> Callable[[Any, Callable[..., None]], None]:
    """`validate(args, report_violation)` for the `StackValidationPolicy`."""

    def validate(args: Any, report_violation: Callable[..., None]) -> None:
        resources = [(r.resource_type, r.name, r.props) for r in args.resources]
        for violation in stack_violations(resources, controls, target):
            report_violation(violation.message)

    return validate


def build_policies(target: StackTarget | None = None) -> list[Any]:
    """The pack's policies for `target` (default: the one the CLI passed in the environment)."""
    from pulumi_policy import (
        EnforcementLevel,
        ResourceValidationPolicy,
        Severity,
        StackValidationPolicy,
    )

    target = target or policy_target()
    controls = profile_controls(target)
    policies: list[Any] = [
        ResourceValidationPolicy(
            name=control.id,
            description=control.title,
            validate=resource_validator(control, target),
            enforcement_level=EnforcementLevel.MANDATORY,
            severity=Severity(control.severity.value),
            remediation_steps=control.remediation or None,
        )
        for control in controls
        if control.id in RESOURCE_LEVEL
    ]
    policies.append(
        StackValidationPolicy(
            name=STACK_POLICY,
            description=f"Every control of profile {target.profile.name} holds for the stack",
            validate=stack_validator(controls, target),
            enforcement_level=EnforcementLevel.MANDATORY,
            severity=Severity.HIGH,
        )
    )
    return policies

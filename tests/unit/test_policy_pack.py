"""The CrossGuard pack's validate functions, called directly (never `PolicyPack(...)`)."""

from __future__ import annotations

import ast
import importlib
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from pulumi_policy import (
    EnforcementLevel,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UNKNOWN_BOOLEAN_VALUE, UnknownValueError, unknown_checking_proxy

from provisioner.controls import controls_by_id
from provisioner.planning import PlannedResource, run_plan
from provisioner.policy import policies
from provisioner.profiles import StackTarget, resolve_target

REPO = Path(__file__).resolve().parents[2]
SHIPPED = ("pci", "hipaa", "gdpr", "fedramp")


def options() -> PolicyResourceOptions:
    return PolicyResourceOptions(
        protect=False,
        ignore_changes=[],
        delete_before_replace=None,
        aliases=[],
        custom_timeouts=PolicyCustomTimeouts(0, 0, 0),
        additional_secret_outputs=[],
    )


def resource_args(resource: PlannedResource, props: Any = None) -> ResourceValidationArgs:
    return ResourceValidationArgs(
        resource.type,
        resource.inputs if props is None else props,
        resource.urn,
        resource.name,
        options(),
        None,
    )


def stack_args(resources: list[PlannedResource]) -> StackValidationArgs:
    return StackValidationArgs(
        [
            # After creation the engine shows a stack policy each resource's outputs.
            PolicyResource(r.type, outputs(r), r.urn, r.name, options(), None, None, [], {})
            for r in resources
        ]
    )


def outputs(resource: PlannedResource) -> dict[str, Any]:
    """What the engine shows a stack policy for a created resource: its outputs, with `id`."""
    return {**resource.inputs, **resource.state, "id": resource.id}


def run_policy(policy: Any, args: Any) -> list[str]:
    reported: list[str] = []
    policy.validate(args, lambda message, urn=None: reported.append(message))
    return reported


@pytest.fixture(scope="module")
def plans() -> dict[str, tuple[StackTarget, list[PlannedResource]]]:
    result = {}
    for name in SHIPPED:
        target = resolve_target([name], "prod", environments_dir=REPO / "environments")
        result[name] = (target, list(run_plan(target).resources))
    return result


def pack(target: StackTarget) -> dict[str, Any]:
    return {policy.name: policy for policy in policies.build_policies(target)}


def first(resources: list[PlannedResource], type_: str) -> PlannedResource:
    """The first resource of a type (for keys: the symmetric data key, not a signing key)."""
    return next(
        r
        for r in resources
        if r.type == type_
        and r.inputs.get("customerMasterKeySpec", "SYMMETRIC_DEFAULT") == "SYMMETRIC_DEFAULT"
    )


def test_the_policies_module_imports_without_pulumi_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    import provisioner.policy

    monkeypatch.setitem(sys.modules, "pulumi_policy", None)  # import would now fail
    monkeypatch.delitem(sys.modules, "provisioner.policy.policies")
    monkeypatch.setattr(provisioner.policy, "policies", policies)  # restored afterwards
    module = importlib.import_module("provisioner.policy.policies")
    assert module.RESOURCE_LEVEL
    with pytest.raises(ImportError):
        module.build_policies(resolve_target(["pci"], "dev"))


def test_one_mandatory_policy_per_resource_level_control_plus_the_stack_policy(
    plans: dict[str, tuple[StackTarget, list[PlannedResource]]],
) -> None:
    target, _ = plans["pci"]
    built = policies.build_policies(target)
    names = [policy.name for policy in built]
    profile_ids = {c.id for c in policies.profile_controls(target)}
    assert names[:-1] == [i for i in names[:-1] if i in policies.RESOURCE_LEVEL]
    assert set(names[:-1]) == set(policies.RESOURCE_LEVEL) & profile_ids
    assert names[-1] == policies.STACK_POLICY and len(set(names)) == len(names)
    assert all(isinstance(p, ResourceValidationPolicy) for p in built[:-1])
    assert isinstance(built[-1], StackValidationPolicy)
    assert {p.enforcement_level for p in built} == {EnforcementLevel.MANDATORY}


def test_resource_level_controls_exist_in_the_catalog() -> None:
    catalog = controls_by_id()
    assert set(policies.RESOURCE_LEVEL) <= set(catalog)
    assert all(catalog[i].kind is not None for i in policies.RESOURCE_LEVEL)


def test_no_resource_of_a_shipped_plan_is_flagged_on_its_own(
    plans: dict[str, tuple[StackTarget, list[PlannedResource]]],
) -> None:
    for name, (target, resources) in plans.items():
        built = pack(target)
        for resource in resources:
            for control in policies.RESOURCE_LEVEL:
                if control in built:
                    assert run_policy(built[control], resource_args(resource)) == [], (
                        name, control, resource.name,
                    )  # fmt: skip


@pytest.mark.parametrize(
    ("control", "type_", "change"),
    [
        ("KMS-ROTATION", "aws:kms/key:Key", {"enableKeyRotation": False}),
        ("KMS-DELETION-WINDOW", "aws:kms/key:Key", {"deletionWindowInDays": 7}),
        ("LOGS-RETENTION", "aws:cloudwatch/logGroup:LogGroup", {"retentionInDays": None}),
        (
            "SG-NO-OPEN-INGRESS",
            "aws:ec2/securityGroup:SecurityGroup",
            {
                "ingress": [
                    {"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": ["0.0.0.0/0"]}
                ]
            },
        ),
        ("TRAIL-LOG-VALIDATION", "aws:cloudtrail/trail:Trail", {"enableLogFileValidation": False}),
    ],
)
def test_a_violating_resource_is_reported(
    plans: dict[str, tuple[StackTarget, list[PlannedResource]]],
    control: str,
    type_: str,
    change: dict[str, Any],
) -> None:
    target, resources = plans["pci"]
    resource = first(resources, type_)
    props = {**resource.inputs, **change}
    reported = run_policy(pack(target)[control], resource_args(resource, props))
    assert len(reported) == 1, reported
    before = run_policy(pack(target)[control], resource_args(resource))
    assert before == []  # the same resource as planned passes


def test_a_public_queue_policy_is_reported_by_the_stack_policy(
    plans: dict[str, tuple[StackTarget, list[PlannedResource]]],
) -> None:
    target, resources = plans["pci"]
    stack_policy = pack(target)[policies.STACK_POLICY]
    before = set(run_policy(stack_policy, stack_args(resources)))

    victim = first(resources, "aws:sqs/queuePolicy:QueuePolicy")
    document = json.loads(victim.inputs["policy"])
    document["Statement"] = [
        s for s in document["Statement"] if s.get("Sid") != "DenyInsecureTransport"
    ]
    mutated = [
        PlannedResource(
            **{
                **r.__dict__,
                "inputs": {**r.inputs, "policy": json.dumps(document)},
                "state": {**r.state, "policy": json.dumps(document)},
            }
        )
        if r is victim
        else r
        for r in resources
    ]
    after = set(run_policy(stack_policy, stack_args(mutated)))
    assert {m.split(":")[0] for m in after - before} == {"SQS-TLS-ONLY"}


def test_the_stack_policy_agrees_with_the_plan_gate(
    plans: dict[str, tuple[StackTarget, list[PlannedResource]]],
) -> None:
    from provisioner.engine.actions import plan_gate

    target, resources = plans["pci"]
    reported = run_policy(pack(target)[policies.STACK_POLICY], stack_args(resources))
    assert {m.split(":")[0] for m in reported} == {f.control for f in plan_gate(target)}


def test_unknown_inputs_are_left_to_the_framework_not_flagged(
    plans: dict[str, tuple[StackTarget, list[PlannedResource]]],
) -> None:
    target, resources = plans["pci"]
    key = first(resources, "aws:kms/key:Key")
    props = unknown_checking_proxy({**key.inputs, "enableKeyRotation": UNKNOWN_BOOLEAN_VALUE})
    with pytest.raises(UnknownValueError):  # reported by pulumi-policy as "can't run in preview"
        run_policy(pack(target)["KMS-ROTATION"], resource_args(key, props))


def test_the_target_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    document = {
        "profiles": ["gdpr"],
        "environment": "prod",
        "region": "eu-west-1",
        "profiles_dir": None,
        "environments_dir": str(REPO / "environments"),
    }
    monkeypatch.setenv("PROVISIONER_POLICY_TARGET", json.dumps(document))
    policies.policy_target.cache_clear()
    try:
        target = policies.policy_target()
    finally:
        policies.policy_target.cache_clear()
    assert target.stack_name == "gdpr.prod" and target.region == "eu-west-1"
    assert target.environment.protect


def test_the_pack_directory_is_complete_and_only_main_builds_the_pack() -> None:
    directory = REPO / "policy_pack"
    assert "runtime: python" in (directory / "PulumiPolicy.yaml").read_text()
    assert "pulumi-policy>=1.21" in (directory / "requirements.txt").read_text().splitlines()
    main = ast.parse((directory / "__main__.py").read_text())
    calls = [
        n.func.id
        for n in ast.walk(main)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
    ]
    assert "PolicyPack" in calls
    for path in (REPO / "provisioner").rglob("*.py"):
        assert "PolicyPack(" not in path.read_text(), path  # it blocks forever when constructed

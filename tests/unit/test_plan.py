"""Security properties of whole planned stacks (the program under recording mocks)."""

from __future__ import annotations

import importlib
import inspect
import json
from functools import cache
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from provisioner.errors import BadInputError
from provisioner.planning import (
    DefaultProviderError,
    Plan,
    PlanMocks,
    PlannedResource,
    run_plan,
    run_program,
)
from provisioner.profiles import StackTarget, resolve_target

REPO = Path(__file__).resolve().parents[2]
ENVIRONMENTS = REPO / "environments"
PROFILES = ("baseline", "pci", "hipaa", "gdpr", "fedramp")
EU_REGIONS = {"eu-west-1", "eu-central-1", "eu-west-3", "eu-north-1", "eu-south-1", "eu-south-2"}


def target(profiles: tuple[str, ...], env: str = "dev", **kwargs: Any) -> StackTarget:
    return resolve_target(list(profiles), env, environments_dir=ENVIRONMENTS, **kwargs)


@cache
def planned(profiles: tuple[str, ...], env: str = "dev") -> Plan:
    return run_plan(target(profiles, env))


def of_type(plan: Plan, type_: str) -> list[PlannedResource]:
    return [r for r in plan.resources if r.type == type_]


def stack_key(plan: Plan) -> PlannedResource:
    (key,) = [r for r in of_type(plan, "aws:kms/key:Key") if r.parent == "messaging-key"]
    return key


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


@cache
def taggable(type_: str) -> bool:
    """A type is taggable when its pulumi_aws resource class takes a `tags` input."""
    _, module_path, class_name = type_.split(":")
    module = importlib.import_module(f"pulumi_aws.{module_path.split('/')[0]}")
    resource_class = getattr(module, class_name)
    return "tags" in inspect.signature(resource_class._internal_init).parameters


@pytest.mark.parametrize("profile", PROFILES)
def test_every_queue_and_topic_is_encrypted_with_the_stack_cmk(profile: str) -> None:
    plan = planned((profile,))
    key_arn = stack_key(plan).state["arn"]
    queues = of_type(plan, "aws:sqs/queue:Queue")
    topics = of_type(plan, "aws:sns/topic:Topic")
    assert queues and topics
    for resource in queues + topics:
        assert resource.inputs["kmsMasterKeyId"] == key_arn, resource.name
        assert "alias/aws/" not in resource.inputs["kmsMasterKeyId"]
    for queue in queues:
        assert queue.inputs.get("sqsManagedSseEnabled") is not True


@pytest.mark.parametrize("profile", PROFILES)
def test_every_taggable_resource_carries_the_design_tags(profile: str) -> None:
    plan = planned((profile,))
    expected = {
        "managed-by": "provisioner",
        "provisioner:stack": f"{profile}.dev",
        "provisioner:environment": "dev",
        "provisioner:profiles": profile,
    }
    checked = 0
    for resource in plan.resources:
        if resource.custom and resource.type.startswith("aws:") and taggable(resource.type):
            assert expected.items() <= resource.inputs.get("tags", {}).items(), resource.name
            checked += 1
    assert checked >= 30


def test_taggable_is_derived_from_the_resource_classes() -> None:
    assert taggable("aws:sqs/queue:Queue")
    assert not taggable("aws:sqs/queuePolicy:QueuePolicy")
    assert not taggable("aws:cfg/recorder:Recorder")


@pytest.mark.parametrize("profile", PROFILES)
def test_every_aws_resource_uses_the_one_explicit_provider(profile: str) -> None:
    plan = planned((profile,))
    (provider,) = of_type(plan, "pulumi:providers:aws")
    for resource in plan.resources:
        if resource.custom and resource.type.startswith("aws:"):
            assert resource.provider == f"{provider.urn}::{provider.id}", resource.name


def test_a_resource_on_the_default_provider_fails_the_plan() -> None:
    def program() -> None:
        aws.sqs.Queue("ambient", name="ambient")

    with pytest.raises(DefaultProviderError, match="default provider"):
        run_program(program, PlanMocks(region="us-east-1"), stack="test")


def test_an_invoke_on_the_default_provider_fails_the_plan() -> None:
    def program() -> None:
        pulumi.export("account", aws.get_caller_identity_output().account_id)

    with pytest.raises(DefaultProviderError, match="invoke"):
        run_program(program, PlanMocks(region="us-east-1"), stack="test")


@pytest.mark.parametrize(("env", "protected"), [("prod", True), ("dev", False)])
def test_stateful_resources_are_protected_in_prod_only(env: str, protected: bool) -> None:
    plan = planned(("pci",), env)
    stateful = (
        of_type(plan, "aws:kms/key:Key")
        + of_type(plan, "aws:s3/bucket:Bucket")
        + of_type(plan, "aws:cloudtrail/trail:Trail")
    )
    assert len(stateful) == 5  # CMK, signing key, audit + access-log buckets, trail
    for resource in stateful:
        assert resource.protect is protected, resource.name
        assert resource.retain_on_delete is protected, resource.name
    assert not any(r.protect for r in of_type(plan, "aws:sqs/queue:Queue"))


def test_gdpr_plans_only_in_eu_regions() -> None:
    plan = planned(("gdpr",))
    assert plan.region in EU_REGIONS
    arns = [r.state["arn"] for r in plan.resources if isinstance(r.state.get("arn"), str)]
    regional = [a for a in arns if a.split(":")[3]]
    assert regional and all(a.split(":")[3] == plan.region for a in regional)
    roles = of_type(plan, "aws:iam/rolePolicy:RolePolicy")
    for role_policy in roles:
        for statement in json.loads(role_policy.inputs["policy"])["Statement"]:
            requested = statement.get("Condition", {}).get("StringEquals", {})
            if "aws:RequestedRegion" in requested:
                assert set(as_list(requested["aws:RequestedRegion"])) <= EU_REGIONS
    with pytest.raises(BadInputError, match="outside the regions allowed"):
        target(("gdpr",), region="us-east-1")


@pytest.mark.parametrize("profile", PROFILES)
def test_iam_documents_have_no_wildcard_actions_and_only_stack_resources(profile: str) -> None:
    plan = planned((profile,))
    stack_arns = {r.state["arn"] for r in plan.resources if isinstance(r.state.get("arn"), str)}
    role_policies = of_type(plan, "aws:iam/rolePolicy:RolePolicy")
    assert len(role_policies) >= 4
    for role_policy in role_policies:
        for statement in json.loads(role_policy.inputs["policy"])["Statement"]:
            assert statement["Effect"] == "Allow"
            for action in as_list(statement["Action"]):
                assert "*" not in action, (role_policy.name, action)
            for resource in as_list(statement["Resource"]):
                assert any(resource.startswith(arn) for arn in stack_arns), (
                    role_policy.name,
                    resource,
                )


@pytest.mark.parametrize("profile", PROFILES)
def test_trail_records_sqs_and_sns_data_events(profile: str) -> None:
    (trail,) = of_type(planned((profile,)), "aws:cloudtrail/trail:Trail")
    types = {
        selector["equals"][0]
        for entry in trail.inputs["advancedEventSelectors"]
        for selector in entry["fieldSelectors"]
        if selector["field"] == "resources.type"
    }
    assert {"AWS::SQS::Queue", "AWS::SNS::Topic"} <= types
    assert trail.inputs["isMultiRegionTrail"] is True
    assert trail.inputs["enableLogFileValidation"] is True


@pytest.mark.parametrize("profile", PROFILES)
def test_buckets_block_every_kind_of_public_access(profile: str) -> None:
    plan = planned((profile,))
    blocks = {
        b.inputs["bucket"]: b
        for b in of_type(plan, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    }
    buckets = of_type(plan, "aws:s3/bucket:Bucket")
    assert len(buckets) == 2
    for bucket in buckets:
        block = blocks[bucket.id]
        assert all(
            block.inputs[flag] is True
            for flag in (
                "blockPublicAcls",
                "blockPublicPolicy",
                "ignorePublicAcls",
                "restrictPublicBuckets",
            )
        ), bucket.name
    (logging,) = of_type(plan, "aws:s3/bucketLogging:BucketLogging")
    (trail,) = of_type(plan, "aws:cloudtrail/trail:Trail")
    assert logging.inputs["bucket"] == trail.inputs["s3BucketName"]
    assert logging.inputs["targetBucket"] != logging.inputs["bucket"]


def test_profile_parameters_reach_the_resources() -> None:
    plan = planned(("gdpr",))
    target_ = target(("gdpr",))
    params = target_.parameters
    for queue in of_type(plan, "aws:sqs/queue:Queue"):
        expected = (
            params.queue.dlq_retention_seconds
            if queue.name.endswith("-dlq")
            else params.queue.max_message_retention_seconds
        )
        assert expected is not None
        assert queue.inputs["messageRetentionSeconds"] == expected.value
    (lock,) = of_type(plan, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration")
    assert params.audit.object_lock_mode is not None
    assert lock.inputs["rule"]["defaultRetention"]["mode"] == params.audit.object_lock_mode.value
    assert stack_key(plan).inputs["rotationPeriodInDays"] == params.kms.rotation_period_days.value  # type: ignore[union-attr]
    rules = {r.inputs["source"]["sourceIdentifier"] for r in of_type(plan, "aws:cfg/rule:Rule")}
    assert params.config.rules is not None
    assert rules == set(params.config.rules.value)


def test_outputs_cross_reference_the_planned_resources() -> None:
    plan = planned(("pci",), "prod")
    outputs = plan.outputs
    assert outputs["stack_name"] == "pci.prod"
    assert outputs["key_arn"] == stack_key(plan).state["arn"]
    queues = {r.state["url"]: r for r in of_type(plan, "aws:sqs/queue:Queue")}
    assert set(outputs["queue_urls"]) == {"orders", "payments"}
    assert all(url in queues for url in outputs["queue_urls"].values())
    (trail,) = of_type(plan, "aws:cloudtrail/trail:Trail")
    assert outputs["trail_arn"] == trail.state["arn"]
    signing = [r for r in of_type(plan, "aws:kms/key:Key") if r.inputs["keyUsage"] == "SIGN_VERIFY"]
    assert [outputs["signing_key_arn"]] == [r.state["arn"] for r in signing]
    assert sorted(outputs["endpoint_ids"]) == ["kms", "logs", "sns", "sqs"]


def test_plans_are_isolated_and_repeatable() -> None:
    first = run_plan(target(("hipaa",)))
    second = run_plan(target(("hipaa",)))
    assert [(r.type, r.name, r.inputs) for r in first.resources] == [
        (r.type, r.name, r.inputs) for r in second.resources
    ]
    assert first.outputs == second.outputs

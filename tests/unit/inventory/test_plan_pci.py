"""The pci stack's real offline plan normalizes into a complete inventory."""

from __future__ import annotations

from collections import Counter

import pytest

from provisioner.inventory.models import Inventory, Kind
from provisioner.inventory.plan import inventory_from_plan
from provisioner.planning import Plan, run_plan
from provisioner.profiles import resolve_target

# type token of each parent kind in the plan
PARENT_TOKENS = {
    Kind.KEY: "aws:kms/key:Key",
    Kind.QUEUE: "aws:sqs/queue:Queue",
    Kind.TOPIC: "aws:sns/topic:Topic",
    Kind.SUBSCRIPTION: "aws:sns/topicSubscription:TopicSubscription",
    Kind.BUCKET: "aws:s3/bucket:Bucket",
    Kind.TRAIL: "aws:cloudtrail/trail:Trail",
    Kind.LOG_GROUP: "aws:cloudwatch/logGroup:LogGroup",
    Kind.CONFIG_RECORDER: "aws:cfg/recorder:Recorder",
    Kind.CONFIG_RULE: "aws:cfg/rule:Rule",
    Kind.ALARM: "aws:cloudwatch/metricAlarm:MetricAlarm",
    Kind.EVENT_RULE: "aws:cloudwatch/eventRule:EventRule",
    Kind.VPC_ENDPOINT: "aws:ec2/vpcEndpoint:VpcEndpoint",
    Kind.ROLE: "aws:iam/role:Role",
    Kind.VPC: "aws:ec2/vpc:Vpc",
}


@pytest.fixture(scope="module")
def pci_plan() -> tuple[Plan, Inventory]:
    target = resolve_target(["pci"], "prod")
    plan = run_plan(target)
    return plan, inventory_from_plan(plan, stack=target.stack_name)


def test_every_planned_resource_of_a_kind_is_in_the_inventory(
    pci_plan: tuple[Plan, Inventory],
) -> None:
    plan, inventory = pci_plan
    planned = Counter(r.type for r in plan.resources)
    for kind, token in PARENT_TOKENS.items():
        assert planned[token] > 0, f"the pci plan declares no {token}"
        assert len(inventory.of_kind(kind)) == planned[token], kind
    groups = planned["aws:ec2/securityGroup:SecurityGroup"]
    defaults = planned["aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"]
    assert len(inventory.security_groups) == groups + defaults
    assert inventory.source == "plan" and inventory.stack == "pci.prod"
    assert inventory.errors == {}


def test_sub_resources_are_folded_into_their_parents(pci_plan: tuple[Plan, Inventory]) -> None:
    _, inventory = pci_plan
    for queue in inventory.queues:
        assert queue.policy is not None, queue.name  # QueuePolicy folded
        assert queue.is_dlq or queue.redrive_policy is not None, queue.name
        assert inventory.key(queue.kms_master_key_id) is not None, queue.name
    for dlq in (q for q in inventory.queues if q.is_dlq):
        assert dlq.redrive_allow_policy is not None
        assert dlq.redrive_allow_policy.permission == "byQueue"
    assert all(t.policy is not None for t in inventory.topics)  # TopicPolicy folded
    assert all(k.aliases for k in inventory.keys)  # Alias folded
    trail_buckets = {t.s3_bucket_name for t in inventory.trails}  # not the access-log bucket
    (bucket,) = [b for b in inventory.buckets if b.name in trail_buckets]
    assert bucket.public_access_block is not None and bucket.public_access_block.all_blocked
    assert bucket.versioning == "Enabled" and bucket.object_lock_mode == "COMPLIANCE"
    assert bucket.sse_algorithm == "aws:kms" and bucket.policy is not None
    assert bucket.lifecycle_rules and bucket.ownership == "BucketOwnerEnforced"
    (recorder,) = inventory.config_recorders
    assert recorder.recording and recorder.delivery_bucket == bucket.name
    assert all(rule.targets for rule in inventory.event_rules)  # EventTarget folded
    (vpc,) = inventory.vpcs
    assert vpc.flow_logs  # FlowLog folded
    assert all(role.inline_policies or role.attached_policies for role in inventory.roles)
    assert all(len(e.availability_zones) >= 2 for e in inventory.vpc_endpoints)
    (trail,) = inventory.trails
    assert trail.multi_region and trail.kms_key_id and trail.advanced_event_selectors

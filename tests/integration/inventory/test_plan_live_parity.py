"""The inventory is the same whether filled from the plan or from live AWS.

The pci stack is deployed into moto by the simulated deploy (every planned resource really
created, with moto's identifiers); the plan it recorded and the live collectors must then yield
the same resources with the same field values, except where AWS (or moto) cannot report what
the program set. Those exceptions are listed here with the reason, so a new difference fails.
"""

from __future__ import annotations

import dataclasses

import boto3
import pytest

from provisioner.inventory.live import collect_live
from provisioner.inventory.models import Kind
from provisioner.inventory.plan import inventory_from_plan
from provisioner.profiles import resolve_target
from tests.support.moto_server import MotoServer
from tests.support.simulated_deploy import simulated_deploy

pytestmark = pytest.mark.integration

KNOWN_DIFFERENCES = {
    # DescribeKey reports the deletion window only while a deletion is pending
    (Kind.KEY, "deletion_window_days"): "AWS reports it only while pending deletion",
    (Kind.KEY, "rotation_period_days"): "moto 5.2.5 omits RotationPeriodInDays",
    (Kind.QUEUE, "sqs_managed_sse"): "moto reports SqsManagedSseEnabled=true next to a CMK",
    (Kind.TOPIC, "signature_version"): "moto 5.2.5 does not return SignatureVersion",
    (Kind.CONFIG_RECORDER, "last_status"): "only known once the recorder has run",
    (Kind.CONFIG_RULE, "tags"): "rules are account-level facts; live does not read their tags",
    (Kind.SECURITY_GROUP, "description"): "AWS describes the default group itself",
    (Kind.ROLE, "attached_policies"): "the plan has no documents of AWS managed policies",
}


def test_planned_and_live_inventories_of_a_deployed_stack_agree(moto_server: MotoServer) -> None:
    target = resolve_target(["pci"], "prod")
    deployment = simulated_deploy(target, moto_server.url)
    planned = inventory_from_plan(deployment.plan, stack=target.stack_name)
    live = collect_live(
        boto3.Session(region_name=target.region),
        target.region,
        target.stack_name,
        endpoint_url=moto_server.url,
    )

    assert live.errors == {}
    assert (live.account, live.region) == (planned.account, planned.region)
    differences = []
    for kind in Kind:
        planned_by_id = {r.resource_id: r for r in planned.of_kind(kind)}
        live_by_id = {r.resource_id: r for r in live.of_kind(kind)}
        assert set(live_by_id) == set(planned_by_id), kind
        assert planned_by_id or kind == Kind.SUBSCRIPTION, f"the pci plan has no {kind}"
        for resource_id, planned_resource in planned_by_id.items():
            for field in dataclasses.fields(planned_resource):
                planned_value = getattr(planned_resource, field.name)
                live_value = getattr(live_by_id[resource_id], field.name)
                if planned_value != live_value and (kind, field.name) not in KNOWN_DIFFERENCES:
                    differences.append((kind, resource_id, field.name, planned_value, live_value))
    assert differences == []

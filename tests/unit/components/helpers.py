"""Helpers for component tests: resolving outputs strictly and reading recorded resources."""

from __future__ import annotations

import json
from typing import Any, TypeVar

import pulumi
import pulumi_aws as aws

from provisioner.planning import PlanMonitor, PlannedResource

ACCOUNT = "123456789012"
REGION = "eu-west-1"
TAGS = {
    "managed-by": "provisioner",
    "provisioner:stack": "pci.test",
    "provisioner:environment": "test",
    "provisioner:profiles": "pci",
}
T = TypeVar("T")


async def resolve(output: pulumi.Output[T]) -> T:
    """The value of `output`; fails (instead of passing vacuously) when it is unknown."""
    assert await output.is_known(), "unknown output: mocks not set, or a value the mock lacks"
    return await output.future()  # type: ignore[return-value]


async def settled() -> None:
    """Wait until every resource declared so far is registered (so the graph is complete)."""
    from pulumi.runtime.stack import wait_for_rpcs

    await wait_for_rpcs(await_all_outstanding_tasks=False)


def provider() -> pulumi.ResourceOptions:
    return pulumi.ResourceOptions(provider=aws.Provider("aws-test", region=REGION))


def resources(graph: PlanMonitor, type_: str) -> list[PlannedResource]:
    return [r for r in graph.planned if r.type == type_]


def one(graph: PlanMonitor, type_: str, name: str | None = None) -> PlannedResource:
    found = [r for r in resources(graph, type_) if name is None or r.name == name]
    assert len(found) == 1, f"expected one {type_} {name or ''}, found {[r.name for r in found]}"
    return found[0]


def policy(resource: PlannedResource, key: str = "policy") -> dict[str, Any]:
    document: dict[str, Any] = json.loads(resource.inputs[key])
    return document


def statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = document["Statement"]
    return found


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def by_sid(document: dict[str, Any], sid: str) -> dict[str, Any]:
    matches = [s for s in statements(document) if s.get("Sid") == sid]
    assert matches, f"no statement {sid} in {[s.get('Sid') for s in statements(document)]}"
    return matches[0]


def denies_insecure_transport(document: dict[str, Any], resource_arn: str) -> bool:
    for statement in statements(document):
        if (
            statement.get("Effect") == "Deny"
            and statement.get("Principal") in ("*", {"AWS": "*"})
            and resource_arn in as_list(statement.get("Resource"))
            and statement.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false"
        ):
            return True
    return False


def public_allows(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Allow statements with a wildcard principal and no condition narrowing them."""
    return [
        s
        for s in statements(document)
        if s.get("Effect") == "Allow"
        and s.get("Principal") in ("*", {"AWS": "*"})
        and not s.get("Condition")
    ]

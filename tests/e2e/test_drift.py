"""Drift: a boto3 change to the deployed stack fails exactly its control on exactly its resource.

Each drift is asserted on its own in `tests/e2e/drift_table.py` (one deploy per drift, the
table in the issue note). Here, to keep CI fast, drifts share a deployment when their controls
read disjoint resource kinds: a side effect of one drift could then only surface on a kind no
other drift of the batch is judged on, so the exact-set assertion still catches it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from provisioner.controls import controls_by_id
from provisioner.inventory.models import Kind
from tests.e2e.conftest import DeployedStack, failing
from tests.e2e.drifts import DRIFTS, Drift

pytestmark = pytest.mark.e2e

# Every control has a live check and fedramp applies all of them: its stack is the subject.
PROFILE = "fedramp"


def kinds_judged(drift: Drift) -> frozenset[Kind]:
    controls = controls_by_id()
    kinds = set(controls[drift.control].kinds_read)
    for other in drift.also:
        kinds |= set(controls[other].kinds_read)
    return frozenset(kinds)


def batches(drifts: Sequence[Drift]) -> list[list[Drift]]:
    """Greedy grouping: drifts in one batch never judge a common resource kind."""
    groups: list[tuple[list[Drift], set[Kind]]] = []
    for drift in drifts:
        kinds = kinds_judged(drift)
        for members, used in groups:
            if not kinds & used:
                members.append(drift)
                used |= kinds
                break
        else:
            groups.append(([drift], set(kinds)))
    return [members for members, _ in groups]


def expected(drift: Drift, resource: str, stack: DeployedStack) -> set[tuple[str, str]]:
    scope = f"account:123456789012/{stack.target.region}"
    return {(drift.control, resource), *((other, scope) for other in drift.also)}


def test_every_control_has_a_drift() -> None:
    assert {d.control for d in DRIFTS} == set(controls_by_id()) - {"VPC-ENDPOINT-OTHER"}


def test_batches_judge_disjoint_kinds() -> None:
    for batch in batches(DRIFTS):
        seen: set[Kind] = set()
        for drift in batch:
            assert not kinds_judged(drift) & seen
            seen |= kinds_judged(drift)
    assert sorted(d.control for b in batches(DRIFTS) for d in b) == sorted(
        d.control for d in DRIFTS
    )


@pytest.mark.parametrize("batch", batches(DRIFTS), ids=lambda b: "+".join(d.control for d in b))
def test_drifts_fail_exactly_their_controls(
    batch: list[Drift], deploy: Callable[..., DeployedStack]
) -> None:
    stack = deploy(PROFILE)
    wanted: set[tuple[str, str]] = set()
    for drift in batch:
        wanted |= expected(drift, drift.apply(stack), stack)
    assert failing(stack.verify()) == wanted

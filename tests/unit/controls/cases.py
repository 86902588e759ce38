"""Named pass_/fail_/na_ cases: start from the compliant stack, change one thing, judge."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pytest

from provisioner.controls import AccountScope, get_control
from provisioner.findings import CheckResult, Status
from provisioner.inventory.models import Inventory
from provisioner.profiles import Basis, Param, Parameters
from tests.unit.controls.stack import compliant_inventory, parameters

Change = Callable[[Inventory], Inventory]


def unchanged(inventory: Inventory) -> Inventory:
    return inventory


@dataclass(frozen=True)
class Case:
    name: str  # pass_*, fail_*, na_*
    control: str
    resource: str | None  # name/id/ARN of the judged resource; None for account-level controls
    change: Change = unchanged
    profiles: tuple[str, ...] = ("baseline",)
    message: str = ""  # a fragment the message must contain
    evidence: dict[str, object] = field(default_factory=dict)  # evidence items that must match
    overrides: tuple[tuple[str, object], ...] = ()  # ("group.name", value) on top of the profiles

    @property
    def expected(self) -> Status:
        prefix = self.name.split("_", 1)[0]
        return {"pass": Status.PASS, "fail": Status.FAIL, "na": Status.NOT_APPLICABLE}[prefix]


@cache
def _params(profiles: tuple[str, ...], overrides: tuple[tuple[str, object], ...]) -> Parameters:
    params = parameters(*profiles)
    for path, value in overrides:
        params = with_param(params, path, value)
    return params


def with_param(params: Parameters, path: str, value: object) -> Parameters:
    """`params` with one parameter's value replaced (or set, when the profile left it unset)."""
    group_name, name = path.split(".")
    group = getattr(params, group_name)
    current = getattr(group, name)
    param = (
        current.model_copy(update={"value": value})
        if current is not None
        else Param[Any](value=value, source="test", basis=Basis.engineering)
    )
    return params.model_copy(update={group_name: group.model_copy(update={name: param})})


def judge(case: Case) -> CheckResult:
    params = _params(case.profiles, case.overrides)
    inventory = case.change(compliant_inventory(params))
    control = get_control(case.control)
    if control.kind is None:
        subject: object = AccountScope(inventory.account, inventory.region)
    else:
        matches = [
            r
            for r in inventory.of_kind(control.kind)
            if case.resource
            in {str(getattr(r, a, "")) for a in ("name", "id", "key_id", "arn")} | {r.resource_id}
        ]
        assert len(matches) == 1, f"{case.name}: no single {control.kind} {case.resource}"
        subject = matches[0]
    return control.check(subject, params, inventory)


def check_case(case: Case) -> None:
    result = judge(case)
    assert result.status is case.expected, result.message
    assert case.message in result.message
    for key, value in case.evidence.items():
        assert result.evidence.get(key) == value, (key, result.evidence)
    if case.resource is not None and result.status is not Status.NOT_APPLICABLE:
        assert result.message, "the message names the resource"


def parametrize(cases: list[Case]) -> pytest.MarkDecorator:
    names = [c.name for c in cases]
    assert len(set(names)) == len(names), "case names are unique"
    return pytest.mark.parametrize("case", cases, ids=names)

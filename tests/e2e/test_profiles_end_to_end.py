"""For every shipped profile (and pci+gdpr): the plan passes, and so does the deployed stack."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from provisioner.planning import run_plan
from provisioner.verify import exit_code_for, judge_plan
from tests.e2e.conftest import DeployedStack, failing, statuses, target_for

pytestmark = pytest.mark.e2e

PROFILE_SETS = [
    ("baseline",),
    ("pci",),
    ("hipaa",),
    ("gdpr",),
    ("fedramp",),
    ("pci", "gdpr"),
]


@pytest.mark.parametrize("profiles", PROFILE_SETS, ids=lambda p: "+".join(p))
def test_plan_deploy_verify_all_controls_pass(
    profiles: tuple[str, ...], deploy: Callable[..., DeployedStack]
) -> None:
    planned = judge_plan(run_plan(target_for(profiles)), target_for(profiles))
    assert failing(planned) == set()

    stack = deploy(*profiles)
    live = stack.verify()
    assert failing(live) == set()
    assert exit_code_for(live.findings) == 0
    assert live.account == "123456789012"
    # The same controls judged the same kinds of resources before and after deploying.
    assert set(statuses(live.findings)) == set(statuses(planned.findings))
    assert len(live.findings) == len(planned.findings)

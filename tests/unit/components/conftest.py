"""Per-test Pulumi mocks for component tests: a fresh monitor that records the graph."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pulumi.runtime import settings

from provisioner.planning import PlanMocks, PlanMonitor, activate_mocks
from tests.unit.components.helpers import ACCOUNT, REGION


@pytest.fixture
def graph() -> Iterator[PlanMonitor]:
    """Mocks for one test only (never module level: the last `set_mocks` would win)."""
    mocks = PlanMocks(region=REGION, account_id=ACCOUNT)
    monitor = PlanMonitor(mocks)
    activate_mocks(mocks, monitor, stack="test")
    yield monitor
    settings.reset_options()

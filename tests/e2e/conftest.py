"""End-to-end support: plan, simulated deploy into the session's moto server, verify."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from provisioner.findings import Finding, Status
from provisioner.profiles import StackTarget, resolve_target
from provisioner.reports.model import ComplianceReport
from provisioner.verify import VerifyRequest, verify
from provisioner.waivers import WaiverFile
from tests.support.moto_server import MotoServer
from tests.support.simulated_deploy import SimulatedDeployment, simulated_deploy

REPO = Path(__file__).resolve().parents[2]
ENVIRONMENTS = REPO / "environments"


def target_for(profiles: Sequence[str], env: str = "dev") -> StackTarget:
    return resolve_target(list(profiles), env, environments_dir=ENVIRONMENTS)


@dataclass
class DeployedStack:
    target: StackTarget
    server: MotoServer
    deployment: SimulatedDeployment

    def client(self, service: str) -> object:
        return self.server.client(service, self.target.region)

    def verify(self, waivers: WaiverFile | None = None) -> ComplianceReport:
        return verify(
            VerifyRequest(target=self.target, endpoint_url=self.server.url, waivers=waivers)
        )


def failing(report: ComplianceReport) -> set[tuple[str, str]]:
    """(control, resource) of every finding that is not pass or not-applicable."""
    return {
        (f.control, f.resource)
        for f in report.findings
        if f.status not in (Status.PASS, Status.NOT_APPLICABLE)
    }


def statuses(findings: Sequence[Finding]) -> dict[str, set[str]]:
    by_control: dict[str, set[str]] = {}
    for finding in findings:
        by_control.setdefault(finding.control, set()).add(finding.status.value)
    return by_control


@pytest.fixture
def deploy(moto_server: MotoServer) -> Callable[..., DeployedStack]:
    """Deploy the stack of some profiles into a freshly reset moto server."""

    def run(*profiles: str, env: str = "dev") -> DeployedStack:
        target = target_for(profiles, env)
        return DeployedStack(target, moto_server, simulated_deploy(target, moto_server.url))

    return run

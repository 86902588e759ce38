"""verify scoped by the stack's state (its output ARNs) rather than by tags alone."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from provisioner.cli import app
from provisioner.engine import actions
from provisioner.profiles import resolve_target
from provisioner.verify import VerifyRequest, arns_in_outputs, verify
from tests.support.fake_pulumi import FakePulumiCommand
from tests.support.moto_server import MotoServer
from tests.support.simulated_deploy import simulated_deploy

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.integration


def test_arns_in_outputs_walks_nested_values_once() -> None:
    outputs = {
        "queue_arns": {"orders": "arn:aws:sqs:us-east-1:123456789012:orders"},
        "topic_arns": ["arn:aws:sns:us-east-1:123456789012:events"],
        "queue_urls": {"orders": "https://sqs.us-east-1.amazonaws.com/123456789012/orders"},
        "key_arn": "arn:aws:kms:us-east-1:123456789012:key/k",
        "again": "arn:aws:kms:us-east-1:123456789012:key/k",
        "stack": "pci.dev",
    }
    assert arns_in_outputs(outputs) == (
        "arn:aws:sqs:us-east-1:123456789012:orders",
        "arn:aws:sns:us-east-1:123456789012:events",
        "arn:aws:kms:us-east-1:123456789012:key/k",
    )


def test_state_outputs_keep_a_tag_impostor_out_of_the_judgement(moto_server: MotoServer) -> None:
    target = resolve_target(["pci"], "dev")
    deployment = simulated_deploy(target, moto_server.url)
    sqs = moto_server.client("sqs", target.region)
    # Not part of the deployment, but wearing the stack's tag (and violating every queue control).
    sqs.create_queue(QueueName="impostor", tags=dict(target.tags))

    by_tags = verify(VerifyRequest(target=target, endpoint_url=moto_server.url))
    by_state = verify(
        VerifyRequest(
            target=target,
            endpoint_url=moto_server.url,
            output_arns=arns_in_outputs(deployment.plan.outputs),
        )
    )

    def failing(report: object) -> set[tuple[str, str]]:
        return {
            (f.control, f.resource)
            for f in report.findings  # type: ignore[attr-defined]
            if f.status == "fail"
        }

    assert any("impostor" in resource for _, resource in failing(by_tags))
    assert failing(by_state) == set()


@pytest.fixture
def state_of(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[..., FakePulumiCommand]:
    """A Pulumi CLI stand-in whose backend holds the given stacks and outputs."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "not-printed")

    def install(stacks: list[str], outputs: dict[str, Any]) -> FakePulumiCommand:
        command = FakePulumiCommand(stacks=stacks, outputs=outputs)
        monkeypatch.setattr(actions, "command_factory", lambda: command)
        return command

    return install


def _verify_cli(url: str, *extra: str) -> Any:
    args = ["verify", "-p", "pci", "-e", "dev", "--endpoint-url", url, "-o", "json", *extra]
    return CliRunner().invoke(app, [*args, "--environments-dir", str(REPO / "environments")])


def test_verify_from_state_judges_what_the_state_names_not_the_tag_impostor(
    moto_server: MotoServer, state_of: Callable[..., FakePulumiCommand]
) -> None:
    target = resolve_target(["pci"], "dev", environments_dir=REPO / "environments")
    deployment = simulated_deploy(target, moto_server.url)
    moto_server.client("sqs", target.region).create_queue(
        QueueName="impostor", tags=dict(target.tags)
    )
    command = state_of([target.stack_name], deployment.plan.outputs)

    by_tags = _verify_cli(moto_server.url)
    from_state = _verify_cli(moto_server.url, "--from-state")

    assert by_tags.exit_code == 1, by_tags.output
    assert any("impostor" in f["resource"] for f in json.loads(by_tags.stdout)["findings"])
    assert from_state.exit_code == 0, from_state.output
    judged = {f["resource"] for f in json.loads(from_state.stdout)["findings"]}
    assert not any("impostor" in resource for resource in judged)
    assert set(deployment.plan.outputs["queue_arns"].values()) <= judged
    assert command.calls_of("stack output"), "the outputs were read from the state backend"


def test_verify_from_state_of_an_unknown_stack_is_exit_2(
    moto_server: MotoServer, state_of: Callable[..., FakePulumiCommand]
) -> None:
    state_of(["pci.prod"], {})
    result = _verify_cli(moto_server.url, "--from-state")
    assert result.exit_code == 2
    assert "stack pci.dev does not exist" in result.stderr


def test_verify_from_state_without_resource_outputs_is_exit_3(
    moto_server: MotoServer, state_of: Callable[..., FakePulumiCommand]
) -> None:
    state_of(["pci.dev"], {"stack_name": "pci.dev"})
    result = _verify_cli(moto_server.url, "--from-state")
    assert result.exit_code == 3
    assert "names no resources" in result.stderr.splitlines()[0]


def test_backend_without_from_state_is_exit_2(moto_server: MotoServer) -> None:
    result = _verify_cli(moto_server.url, "--backend", "file:///tmp/state")
    assert result.exit_code == 2
    assert "--backend is read only with --from-state" in result.stderr

"""The sandbox for real: a moto server process on loopback, started, used, and stopped."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from typer.testing import CliRunner

from provisioner import sandbox
from provisioner.cli import app

pytestmark = pytest.mark.integration


@pytest.fixture
def work_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)
    directory = tmp_path / ".provisioner"
    yield directory
    sandbox.stop(directory)  # never leave a server behind, whatever the test did


def test_start_status_use_stop(work_dir: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["sandbox", "status"]).exit_code == 3

    started = runner.invoke(app, ["sandbox", "start"])
    assert started.exit_code == 0, started.output
    state = sandbox.status(work_dir)
    assert state.running and state.pid is not None and state.port is not None
    assert (work_dir / "sandbox" / "pid").read_text().strip() == str(state.pid)
    assert (
        started.stdout.strip()
        == f"sandbox running at http://127.0.0.1:{state.port} (pid {state.pid})"
    )

    status = runner.invoke(app, ["sandbox", "status", "-o", "json"])
    assert status.exit_code == 0
    assert json.loads(status.stdout) == {
        "running": True, "pid": state.pid, "port": state.port, "url": state.url,
    }  # fmt: skip

    sqs = boto3.client(
        "sqs", endpoint_url=sandbox.endpoint(work_dir), region_name="us-east-1",
        aws_access_key_id="testing", aws_secret_access_key="testing",
    )  # fmt: skip
    sqs.create_queue(QueueName="orders")
    assert sqs.list_queues()["QueueUrls"][0].endswith("/orders")

    again = runner.invoke(app, ["sandbox", "start"])  # idempotent: same server
    assert again.exit_code == 0 and sandbox.status(work_dir).pid == state.pid

    stopped = runner.invoke(app, ["sandbox", "stop"])
    assert stopped.exit_code == 0 and stopped.stdout.strip() == "sandbox stopped"
    assert not sandbox.status(work_dir).running
    assert not (work_dir / "sandbox" / "pid").exists()
    assert not sandbox.answers(state.url or "")
    with pytest.raises(ProcessLookupError):
        os.kill(state.pid, 0)


def test_other_commands_use_the_running_sandbox(
    work_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from provisioner.engine import actions
    from tests.support.fake_pulumi import FakePulumiCommand

    state = sandbox.start(work_dir)
    fake = FakePulumiCommand()
    seen: list[str | None] = []
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "x")
    monkeypatch.setattr(actions, "command_factory", lambda: fake)
    monkeypatch.setattr(
        actions, "make_program", lambda target, settings: seen.append(settings.endpoint_url)
    )
    environments = str(Path(__file__).resolve().parents[2] / "environments")
    result = CliRunner().invoke(
        app, ["preview", "-p", "pci", "-e", "dev", "--sandbox", "--environments-dir", environments]
    )
    assert result.exit_code == 0, result.output
    assert seen == [state.url]


def test_a_stale_pid_file_is_not_trusted(work_dir: Path) -> None:
    directory = work_dir / "sandbox"
    directory.mkdir(parents=True)
    (directory / "pid").write_text(f"{os.getpid()}\n")  # alive, but not a moto server
    (directory / "port").write_text("9\n")
    assert not sandbox.status(work_dir).running
    assert CliRunner().invoke(app, ["sandbox", "status"]).exit_code == 3
    sandbox.stop(work_dir)  # must not signal this test process
    assert not (directory / "pid").exists()


def test_up_verifies_the_live_stack_at_the_same_endpoint(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, moto_server
) -> None:
    """`up` ends with a real verify at the deploy's endpoint (the engine itself is faked)."""
    from provisioner.engine import actions
    from tests.support.fake_pulumi import FakePulumiCommand

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "x")
    monkeypatch.setattr(actions, "command_factory", lambda: FakePulumiCommand())
    monkeypatch.setattr(actions, "make_program", lambda target, settings: lambda: None)
    monkeypatch.setattr(actions, "plan_gate", lambda target: [])
    environments = str(Path(__file__).resolve().parents[2] / "environments")
    result = CliRunner().invoke(
        app,
        ["up", "-p", "pci", "-e", "dev", "-y", "--endpoint-url", moto_server.url, "-o", "json",
         "--environments-dir", environments],
    )  # fmt: skip
    # The fake CLI deploys nothing, so the emulator holds no stack: verify must say so (exit 1).
    assert result.exit_code == 1, result.output
    document = json.loads(result.stdout)
    assert document["result"] == "succeeded"
    assert document["verify"]["stack"] == "pci.dev"
    assert document["verify"]["summary"]["fail"] > 0


def test_verify_uses_the_running_sandbox(work_dir: Path) -> None:
    runner = CliRunner()
    environments = str(Path(__file__).resolve().parents[2] / "environments")
    argv = ["verify", "-p", "pci", "-e", "dev", "--sandbox", "--environments-dir", environments]

    missing = runner.invoke(app, argv)
    assert missing.exit_code == 3
    assert "sandbox is not running" in missing.output

    state = sandbox.start(work_dir)
    result = runner.invoke(app, [*argv, "-o", "json"])
    # An empty emulator holds no stack: the required trail, recorder and endpoints are missing.
    assert result.exit_code == 1, result.output
    document = json.loads(result.stdout)
    assert document["stack"] == "pci.dev"
    assert document["summary"]["fail"] > 0
    assert state.url is not None

    both = runner.invoke(app, [*argv, "--endpoint-url", state.url])
    assert both.exit_code == 2

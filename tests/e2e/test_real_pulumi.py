"""A real `up`, `verify` and `destroy` with the Pulumi CLI against a moto server on loopback.

Runs only where a `pulumi` binary is on PATH or was installed by `provisioner install-cli` (and
the pulumi-aws plugin can be downloaded or is cached); skipped otherwise. How to run it: see
the README section "Running the real deploy test".
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from provisioner.cli import app
from provisioner.engine.workspace import pinned_cli_root

REPO = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.pulumi_cli,
    pytest.mark.skipif(
        shutil.which("pulumi") is None and not (pinned_cli_root() / "bin" / "pulumi").is_file(),
        reason="needs a pulumi binary (on PATH, or from `provisioner install-cli`)",
    ),
    pytest.mark.timeout(1800),
]


def test_up_verify_outputs_destroy_against_the_emulator(
    moto_server,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "e2e-only-passphrase")
    common = [
        "--profile", "pci", "--env", "dev", "--endpoint-url", moto_server.url,
        "--environments-dir", str(REPO / "environments"),
    ]  # fmt: skip
    runner = CliRunner()

    up = runner.invoke(app, ["up", *common, "--yes", "--output", "json"])
    assert up.exit_code == 0, up.output
    summary = json.loads(up.stdout)
    assert summary["result"] == "succeeded" and summary["changes"].get("created", 0) > 0
    assert summary["verify"]["summary"]["fail"] == 0
    assert (tmp_path / ".provisioner" / "state").is_dir()

    sqs = moto_server.client("sqs")
    assert any(url.endswith("-orders") for url in sqs.list_queues().get("QueueUrls", []))

    verify = runner.invoke(app, ["verify", *common, "--output", "json"])
    assert verify.exit_code == 0, verify.output
    from_state = runner.invoke(app, ["verify", *common, "--from-state", "--output", "json"])
    assert from_state.exit_code == 0, from_state.output

    outputs = runner.invoke(app, ["outputs", *common[:4], *common[6:], "--output", "json"])
    assert outputs.exit_code == 0, outputs.output
    assert json.loads(outputs.stdout)

    again = runner.invoke(app, ["preview", *common, "--output", "json"])
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["changes"] == {}  # nothing drifted

    destroy = runner.invoke(app, ["destroy", *common, "--yes", "--output", "json"])
    assert destroy.exit_code == 0, destroy.output
    assert json.loads(destroy.stdout)["changes"].get("deleted", 0) > 0

"""`provisioner plan` through the real CLI (CliRunner): output contract and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from provisioner.cli import app

REPO = Path(__file__).resolve().parents[2]
ENVIRONMENTS = ["--environments-dir", str(REPO / "environments")]


@pytest.fixture(autouse=True)
def _plan_cache_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The command caches plans under ./.provisioner: keep that out of the checkout."""
    monkeypatch.chdir(tmp_path)


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["plan", *args, *ENVIRONMENTS])
    return result.exit_code, result.stdout, result.stderr


def test_json_is_one_document_with_the_contract_shape(tmp_path: Path) -> None:
    report = tmp_path / "plan.json"
    code, out, _ = invoke(
        "--profile", "pci", "--env", "dev", "--output", "json", "--report-file", str(report)
    )
    assert code == 0
    document = json.loads(out)
    assert list(document) == [
        "stack",
        "profiles",
        "environment",
        "region",
        "resources",
        "summary",
        "findings",
    ]
    assert (document["stack"], document["profiles"], document["environment"]) == (
        "pci.dev",
        ["pci"],
        "dev",
    )
    assert document["region"] == "us-east-1"
    resources = document["resources"]
    assert all(set(r) == {"type", "name", "parent", "inputs"} for r in resources)
    by_name = {r["name"]: r for r in resources}
    queue = by_name["messaging-orders-queue"]
    assert queue["type"] == "aws:sqs/queue:Queue"
    assert queue["parent"] == "messaging-orders"
    assert by_name["messaging"]["parent"] is None
    assert "kmsMasterKeyId" in queue["inputs"]
    assert json.loads(report.read_text(encoding="utf-8")) == document


def test_table_groups_resources_under_components_with_a_count() -> None:
    code, out, _ = invoke("--profile", "pci", "--profile", "hipaa", "--env", "dev")
    assert code == 0
    assert "plan hipaa-pci.dev" in out
    lines = {line.split()[0]: line for line in out.splitlines() if line.strip()}

    def indent(name: str) -> int:
        return len(lines[name]) - len(lines[name].lstrip())

    assert indent("messaging-orders-queue") > indent("messaging-orders") > indent("messaging")
    count_line = next(line for line in out.splitlines() if "resources planned" in line)
    assert count_line.endswith("components")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--profile", "nosuch", "--env", "dev"], "unknown profile 'nosuch'"),
        (["--profile", "pci", "--env", "Dev!"], "not an environment name"),
        (["--profile", "gdpr", "--env", "dev", "--region", "us-east-1"], "outside the regions"),
        (["--profile", "gdpr", "--profile", "fedramp", "--env", "dev"], "no allowed region"),
    ],
)
def test_bad_input_is_exit_2_with_one_line(args: list[str], message: str) -> None:
    code, out, err = invoke(*args)
    assert code == 2
    assert out == ""
    assert message in err
    assert "Traceback" not in err
    assert err.startswith("error: ")


def test_unknown_profile_lists_the_known_ones() -> None:
    _, _, err = invoke("--profile", "nosuch", "--env", "dev")
    assert "known profiles: baseline, fedramp, gdpr, hipaa, pci" in err


def test_name_prefix_too_long_for_aws_is_exit_2(tmp_path: Path) -> None:
    environments = tmp_path / "environments"
    environments.mkdir()
    (environments / "production-europe.yaml").write_text("region: eu-central-1\n", "utf-8")
    args = ["plan", "-p", "hipaa", "-p", "pci", "--env", "production-europe"]
    result = CliRunner().invoke(app, [*args, "--environments-dir", str(environments)])
    assert result.exit_code == 2
    assert "longer than 63 characters" in result.stderr
    assert "hint: set a shorter name_prefix" in result.stderr

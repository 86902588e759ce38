"""`provisioner plan` as a gate: the planned stack judged by the profile's controls."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

import provisioner.planning
from provisioner.cli import app
from provisioner.planning import Plan
from provisioner.profiles import builtin_profiles_dir

REPO = Path(__file__).resolve().parents[2]
ENVIRONMENTS = ["--environments-dir", str(REPO / "environments")]
FINDING_KEYS = {
    "control",
    "title",
    "severity",
    "resource",
    "status",
    "message",
    "evidence",
    "frameworks",
}
# A user profile with the baseline's parameters and a handful of controls.
MINI_CONTROLS = ["SQS-ENC-CMK", "SQS-TLS-ONLY", "SQS-RETENTION-MAX", "KMS-ROTATION", "SNS-ENC-CMK"]


@pytest.fixture
def profiles_dir(tmp_path: Path) -> Path:
    document = yaml.safe_load((builtin_profiles_dir() / "baseline.yaml").read_text())
    document.update(name="mini", title="Mini", controls=MINI_CONTROLS)
    directory = tmp_path / "profiles"
    directory.mkdir()
    (directory / "mini.yaml").write_text(yaml.safe_dump(document))
    return directory


def plan(*args: str) -> Any:
    return CliRunner().invoke(app, ["plan", *args, *ENVIRONMENTS])


def mini(profiles_dir: Path, *args: str) -> Any:
    return plan("--profile", "mini", "--env", "dev", "--profiles-dir", str(profiles_dir), *args)


@pytest.fixture
def queue_without_cmk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Plans come out with the orders queue on SSE-SQS instead of the stack's CMK."""
    real = provisioner.planning.run_plan

    def tampered(target: Any, **options: Any) -> Plan:
        planned = real(target, **options)
        resources = []
        for resource in planned.resources:
            if resource.type == "aws:sqs/queue:Queue" and resource.name.endswith("orders-queue"):
                inputs = {k: v for k, v in resource.inputs.items() if k != "kmsMasterKeyId"}
                state = {**resource.state, "sqsManagedSseEnabled": True}
                state.pop("kmsMasterKeyId", None)
                resource = replace(
                    resource, inputs={**inputs, "sqsManagedSseEnabled": True}, state=state
                )
            resources.append(resource)
        return replace(planned, resources=resources)

    monkeypatch.setattr(provisioner.planning, "run_plan", tampered)


@pytest.mark.parametrize(
    "profiles",
    [["baseline"], ["pci"], ["hipaa"], ["gdpr"], ["fedramp"], ["pci", "gdpr"]],
    ids=lambda p: "+".join(p),
)
def test_every_shipped_profile_plan_passes(profiles: list[str]) -> None:
    args = [arg for name in profiles for arg in ("--profile", name)]
    result = plan(*args, "--env", "dev", "--output", "json")
    document = json.loads(result.stdout)
    failing = [(f["control"], f["resource"]) for f in document["findings"] if f["status"] == "fail"]
    assert failing == []
    assert result.exit_code == 0


def test_json_gains_findings_in_verify_shape(profiles_dir: Path) -> None:
    result = mini(profiles_dir, "--output", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert list(document) == [
        "stack",
        "profiles",
        "environment",
        "region",
        "resources",
        "summary",
        "findings",
    ]
    assert {f["control"] for f in document["findings"]} == set(MINI_CONTROLS)
    assert all(set(f) == FINDING_KEYS for f in document["findings"])
    assert document["summary"]["fail"] == document["summary"]["error"] == 0
    assert document["summary"]["pass"] >= len(MINI_CONTROLS)


def test_a_violating_plan_exits_1_naming_control_and_resource(
    profiles_dir: Path, queue_without_cmk: None
) -> None:
    result = mini(profiles_dir, "--output", "json")
    assert result.exit_code == 1
    failing = [f for f in json.loads(result.stdout)["findings"] if f["status"] == "fail"]
    assert [(f["control"], f["resource"].rsplit(":", 1)[-1]) for f in failing] == [
        ("SQS-ENC-CMK", "mini-dev-orders")
    ]


def test_the_table_shows_resources_then_findings_then_the_summary(
    profiles_dir: Path, queue_without_cmk: None
) -> None:
    result = mini(profiles_dir)
    assert result.exit_code == 1
    assert result.stdout.index("messaging-orders-queue") < result.stdout.index("SQS-ENC-CMK")
    summary = result.stdout.strip().splitlines()[-1]
    assert summary.startswith("pass: ") and "fail: 1" in summary


def test_waivers_apply_to_the_plan(
    profiles_dir: Path, queue_without_cmk: None, tmp_path: Path
) -> None:
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        yaml.safe_dump(
            [
                {
                    "control": "SQS-ENC-CMK",
                    "resource": "arn:aws:sqs:*:*:mini-dev-orders",
                    "reason": "key migration tracked in CHG-1234",
                    "owner": "platform-team",
                    "expires": "2999-12-31",
                }
            ]
        )
    )
    result = mini(profiles_dir, "--output", "json", "--waivers", str(waivers))
    assert result.exit_code == 0, result.output
    [waived] = [f for f in json.loads(result.stdout)["findings"] if f["status"] == "waived"]
    assert waived["waiver"]["reason"] == "key migration tracked in CHG-1234"


def test_bad_waivers_file_is_exit_2(profiles_dir: Path, tmp_path: Path) -> None:
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text("- {control: SQS-ENC-CMK, resource: '*', reason: r, owner: o}\n")
    result = mini(profiles_dir, "--waivers", str(waivers))
    assert result.exit_code == 2
    assert "waiver [0]: expires:" in result.stderr


@pytest.mark.parametrize("output", ["junit", "sarif", "markdown"])
def test_report_formats(
    profiles_dir: Path, queue_without_cmk: None, output: str, tmp_path: Path
) -> None:
    report = tmp_path / f"plan.{output}"
    result = mini(profiles_dir, "--output", output, "--report-file", str(report))
    assert result.exit_code == 1
    text = report.read_text()
    if output == "junit":
        failures = [
            c for c in ET.fromstring(text).iter("testcase") if c.find("failure") is not None
        ]
        assert [c.get("classname") for c in failures] == ["SQS-ENC-CMK"]
    elif output == "sarif":
        [finding] = json.loads(text)["runs"][0]["results"]
        assert finding["ruleId"] == "SQS-ENC-CMK"
    else:
        assert "| Judged | plan |" in text
        assert "SQS-ENC-CMK" in text

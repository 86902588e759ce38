"""`provisioner controls list`: filters, formats, report file and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from provisioner.cli import app
from provisioner.controls import CONTROLS
from tests.unit.controls.test_catalog import GOLDEN


def run(*args: str):
    return CliRunner().invoke(app, ["controls", "list", *args])


def test_json_lists_every_control_with_mappings_and_provenance() -> None:
    result = run("--output", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["count"] == len(CONTROLS)
    by_id = {c["id"]: c for c in document["controls"]}
    assert by_id["SNS-ENC-CMK"]["frameworks"]["pci-dss-4.0"] == [
        {"requirement": "3.5.1", "provenance": ["prowler"]}
    ]
    assert by_id["SQS-DLQ"]["unmapped"]["pci-dss-4.0"]


def test_profile_filter_lists_the_golden_controls() -> None:
    result = run("--profile", "gdpr", "--output", "json")
    assert result.exit_code == 0, result.output
    assert [c["id"] for c in json.loads(result.output)["controls"]] == GOLDEN["gdpr"]


def test_framework_filter_keeps_only_mapped_controls() -> None:
    result = run("--profile", "pci", "--framework", "pci-dss-4.0", "--output", "json")
    ids = [c["id"] for c in json.loads(result.output)["controls"]]
    assert "SQS-DLQ" not in ids and "SQS-ENC-CMK" in ids
    assert set(ids) < set(GOLDEN["pci"])


def test_table_names_the_requirements_of_the_framework() -> None:
    result = run("--framework", "hipaa")
    assert result.exit_code == 0
    assert "164.312(a)(2)(iv)" in result.output
    assert "REGION-RESIDENCY" not in result.output


def test_markdown_to_report_file(tmp_path: Path) -> None:
    report = tmp_path / "controls.md"
    result = run("--profile", "fedramp", "--output", "markdown", "--report-file", str(report))
    assert result.exit_code == 0
    text = report.read_text()
    assert text.startswith("# Controls: fedramp")
    assert "| `FIPS-ENDPOINTS` |" in text
    assert "SC-13 (own)" in text


def test_unknown_framework_is_exit_2_naming_it() -> None:
    result = run("--framework", "sox")
    assert result.exit_code == 2
    assert "--framework 'sox': unknown framework" in result.output


def test_unknown_profile_is_exit_2() -> None:
    result = run("--profile", "nope")
    assert result.exit_code == 2
    assert "unknown profile 'nope'" in result.output


def test_user_profile_with_unknown_control_is_exit_2_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "mine.yaml").write_text(
        "name: mine\ntitle: Mine\nextends: baseline\ncontrols: [SQS-ENCRYPTED-AT-REST]\n"
    )
    result = run("--profile", "mine", "--profiles-dir", str(tmp_path))
    assert result.exit_code == 2
    assert f"{tmp_path / 'mine.yaml'}: controls: unknown control id" in result.output

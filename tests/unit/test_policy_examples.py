"""The GitHub Actions example is valid YAML with the keys GitHub Actions reads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def load() -> dict[Any, Any]:
    document = yaml.safe_load((EXAMPLES / "github-actions.yml").read_text())
    assert isinstance(document, dict)
    return document


def test_triggers_plan_on_pull_requests_and_deploy_on_main() -> None:
    document = load()
    triggers = document[True] if True in document else document["on"]  # YAML 1.1 reads `on` as True
    assert "pull_request" in triggers
    assert triggers["push"]["branches"] == ["main"]
    assert document["jobs"]["plan"]["if"] == "github.event_name == 'pull_request'"
    assert "refs/heads/main" in document["jobs"]["deploy"]["if"]


def test_every_job_has_a_runner_a_matrix_and_well_formed_steps() -> None:
    for name, job in load()["jobs"].items():
        assert job["runs-on"] == "ubuntu-latest", name
        assert job["strategy"]["matrix"]["environment"] == ["dev", "staging", "prod"], name
        assert job["steps"], name
        for step in job["steps"]:
            assert ("uses" in step) != ("run" in step), (name, step)
            if "uses" in step:
                action, _, version = step["uses"].partition("@")
                assert action.count("/") >= 1 and version, step


def test_sarif_and_junit_are_produced_and_uploaded_with_the_permission_they_need() -> None:
    for name, job in load()["jobs"].items():
        steps = job["steps"]
        uses = [step.get("uses", "") for step in steps]
        runs = "\n".join(step.get("run", "") for step in steps)
        assert any(u.startswith("github/codeql-action/upload-sarif@") for u in uses), name
        assert job["permissions"]["security-events"] == "write", name
        assert "--output sarif" in runs and "--output junit" in runs, name
        sarif_step = next(s for s in steps if s.get("uses", "").startswith("github/codeql"))
        assert sarif_step["with"]["sarif_file"].endswith(".sarif")


def test_the_deploy_job_runs_up_with_yes_and_gets_its_secrets_from_the_environment() -> None:
    job = load()["jobs"]["deploy"]
    runs = "\n".join(step.get("run", "") for step in job["steps"])
    assert "provisioner up" in runs and "--yes" in runs
    assert "provisioner install-cli" in runs and "policy_pack/requirements.txt" in runs
    assert job["env"]["PULUMI_CONFIG_PASSPHRASE"] == "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}"
    assert job["permissions"]["id-token"] == "write"
    readme = (EXAMPLES / "README.md").read_text()
    for secret in ("AWS_DEPLOY_ROLE_ARN", "PULUMI_BACKEND_URL", "PULUMI_CONFIG_PASSPHRASE"):
        assert secret in readme and f"secrets.{secret}" in str(job)

"""CLI validation and exit codes of preview/up/refresh/destroy/outputs/doctor/install-cli."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from provisioner.cli import app
from provisioner.engine import actions
from provisioner.findings import Finding, Severity, Status
from tests.support.fake_pulumi import EVENTS_FAILED, LOCKED_STDERR, FakePulumiCommand, Script

REPO = Path(__file__).resolve().parents[2]
ENVS = ["--environments-dir", str(REPO / "environments")]
PASSPHRASE = "p4ss-phrase-never-printed"


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakePulumiCommand]:
    """A workspace in a temp dir, the fake CLI, a no-op program, and a passing plan gate."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", PASSPHRASE)
    command = FakePulumiCommand(
        outputs={"queueUrl": "http://127.0.0.1/q", "signingToken": "tok-123"},
        secret_outputs=("signingToken",),
    )
    monkeypatch.setattr(actions, "command_factory", lambda: command)
    monkeypatch.setattr(actions, "make_program", lambda target, settings: lambda: None)
    monkeypatch.setattr(actions, "plan_gate", lambda target: [])
    yield command


def invoke(*args: str) -> object:
    return CliRunner().invoke(app, list(args))


def failing_finding(control: str) -> Finding:
    return Finding(
        control=control,
        title="t",
        severity=Severity.HIGH,
        resource="arn:aws:sqs:us-east-1:123456789012:orders",
        status=Status.FAIL,
        message="orders: bad",
        evidence={},
        frameworks={},
    )


def test_preview_json_prints_one_document_on_stdout(fake: FakePulumiCommand) -> None:
    result = CliRunner().invoke(app, ["preview", "-p", "pci", "-e", "dev", "-o", "json", *ENVS])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["operation"] == "preview" and document["stack"] == "pci.dev"
    assert document["changes"] == {"created": 2, "updated": 1}
    assert "preview pci.dev: started" in result.stderr  # progress stays off stdout
    preview = fake.calls_of("preview")[0].args
    assert preview[preview.index("--policy-pack") + 1] == str(REPO / "policy_pack")
    target_env = json.loads(fake.calls_of("preview")[0].env["PROVISIONER_POLICY_TARGET"])
    assert target_env["profiles"] == ["pci"] and target_env["environment"] == "dev"


def test_up_refuses_without_yes_off_a_terminal(fake: FakePulumiCommand) -> None:
    result = CliRunner().invoke(app, ["up", "-p", "pci", "-e", "dev", *ENVS])
    assert result.exit_code == 2
    assert "pass --yes" in result.stderr
    assert not fake.calls_of("up")


def test_up_refuses_a_non_compliant_plan_listing_the_controls(
    fake: FakePulumiCommand, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        actions,
        "plan_gate",
        lambda target: [failing_finding("SQS-TLS-ONLY"), failing_finding("KMS-ROTATION")],
    )
    result = CliRunner().invoke(app, ["up", "-p", "pci", "-e", "dev", "--yes", *ENVS])
    assert result.exit_code == 1
    assert "the plan fails 2 control(s): KMS-ROTATION, SQS-TLS-ONLY" in result.stderr
    assert not fake.calls_of("up") and not fake.calls_of("stack init")


def test_up_deploys_then_verifies_and_exits_1_on_findings(
    fake: FakePulumiCommand, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str | None] = []
    handed_outputs: list[dict[str, object]] = []

    def verdict(target, settings, request, *, output, stack_outputs):
        seen.append(settings.endpoint_url)
        handed_outputs.append(stack_outputs)
        return actions.Verdict(1, "verify: 1 fail", {"summary": {"fail": 1}})

    monkeypatch.setattr(actions, "verify_live", verdict)
    result = CliRunner().invoke(
        app,
        ["up", "-p", "pci", "-e", "dev", "--yes", "--endpoint-url", "http://127.0.0.1:1", *ENVS],
    )
    assert result.exit_code == 1, result.output
    assert "up pci.dev: succeeded" in result.stdout and "verify: 1 fail" in result.stdout
    assert re.search(r"signingToken +\[secret\]", result.stdout) and "tok-123" not in result.output
    assert seen == ["http://127.0.0.1:1"]
    # verify is scoped by what the deploy produced, with secrets already masked
    assert handed_outputs and handed_outputs[0].get("signingToken") == "[secret]"
    assert fake.calls_of("up")


def test_up_skip_verify_json(fake: FakePulumiCommand, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(actions, "verify_live", lambda *a, **k: pytest.fail("verify ran"))
    result = CliRunner().invoke(
        app, ["up", "-p", "pci", "-e", "dev", "-y", "--skip-verify", "-o", "json", *ENVS]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["outputs"] == {"queueUrl": "http://127.0.0.1/q", "signingToken": "[secret]"}
    assert PASSPHRASE not in result.output


def test_new_stack_without_passphrase_is_exit_2(
    fake: FakePulumiCommand, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE")
    result = CliRunner().invoke(app, ["preview", "-p", "pci", "-e", "dev", *ENVS])
    assert result.exit_code == 2
    assert "PULUMI_CONFIG_PASSPHRASE" in result.stderr


def test_destroy_needs_yes(fake: FakePulumiCommand) -> None:
    fake.stacks.append("pci.dev")
    result = CliRunner().invoke(app, ["destroy", "-p", "pci", "-e", "dev", *ENVS])
    assert result.exit_code == 2 and "--yes" in result.stderr
    assert not fake.calls_of("destroy")


def test_destroy_of_a_protected_environment_needs_the_stack_name(fake: FakePulumiCommand) -> None:
    fake.stacks.append("pci.prod")
    fake.protected = ("urn:pulumi:pci.prod::provisioner::aws:kms/key:Key::messaging-key",)
    refused = CliRunner().invoke(app, ["destroy", "-p", "pci", "-e", "prod", "-y", *ENVS])
    assert refused.exit_code == 2 and "--confirm pci.prod" in refused.stderr
    wrong = CliRunner().invoke(
        app, ["destroy", "-p", "pci", "-e", "prod", "-y", "--confirm", "pci.dev", *ENVS]
    )
    assert wrong.exit_code == 2
    assert not fake.calls_of("destroy")
    done = CliRunner().invoke(
        app, ["destroy", "-p", "pci", "-e", "prod", "-y", "--confirm", "pci.prod", *ENVS]
    )
    assert done.exit_code == 0, done.output
    assert "kept (protected): urn:pulumi:pci.prod::provisioner::aws:kms/key:Key" in done.stdout
    assert "pulumi state unprotect" in done.stdout


def test_destroy_of_an_unknown_stack_is_exit_2_naming_existing(fake: FakePulumiCommand) -> None:
    fake.stacks.extend(["gdpr.dev"])
    result = CliRunner().invoke(app, ["destroy", "-p", "pci", "-e", "dev", "-y", *ENVS])
    assert result.exit_code == 2
    assert "stack pci.dev does not exist" in result.stderr and "gdpr.dev" in result.stderr


def test_outputs_env_masks_secrets_unless_asked(fake: FakePulumiCommand) -> None:
    fake.stacks.append("pci.dev")
    masked = CliRunner().invoke(app, ["outputs", "-p", "pci", "-e", "dev", "-o", "env", *ENVS])
    assert masked.exit_code == 0, masked.output
    assert masked.stdout.splitlines() == [
        "export QUEUE_URL=http://127.0.0.1/q",
        "export SIGNING_TOKEN='[secret]'",
    ]
    shown = CliRunner().invoke(
        app, ["outputs", "-p", "pci", "-e", "dev", "-o", "env", "--show-secrets", *ENVS]
    )
    assert "export SIGNING_TOKEN=tok-123" in shown.stdout


def test_outputs_of_an_unknown_stack_is_exit_2(fake: FakePulumiCommand) -> None:
    result = CliRunner().invoke(app, ["outputs", "-p", "pci", "-e", "dev", *ENVS])
    assert result.exit_code == 2 and "existing stacks: (none)" in result.stderr


def test_a_locked_stack_is_exit_3_naming_pulumi_cancel(fake: FakePulumiCommand) -> None:
    fake.script = Script(failures={"refresh": ("", LOCKED_STDERR)})
    fake.stacks.append("pci.dev")
    result = CliRunner().invoke(app, ["refresh", "-p", "pci", "-e", "dev", "-y", *ENVS])
    assert result.exit_code == 3
    assert "error: stack pci.dev is locked by another update" in result.stderr
    assert "pulumi cancel --stack pci.dev" in result.stderr


def test_a_failed_deploy_is_exit_3_with_the_diagnostic(fake: FakePulumiCommand) -> None:
    fake.script = Script(events={"up": EVENTS_FAILED}, failures={"up": ("", "exit")})
    result = CliRunner().invoke(app, ["up", "-p", "pci", "-e", "dev", "-y", *ENVS])
    assert result.exit_code == 3
    assert "KmsMasterKeyId is invalid" in result.stderr
    assert "Traceback" not in result.output


def test_missing_pulumi_cli_is_exit_3_naming_install_cli(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path))  # no `pulumi` anywhere
    monkeypatch.setenv("HOME", str(tmp_path))  # and no pinned copy from install-cli
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "x")
    monkeypatch.setattr(actions, "make_program", lambda target, settings: lambda: None)
    result = CliRunner().invoke(app, ["preview", "-p", "pci", "-e", "dev", *ENVS])
    assert result.exit_code == 3
    assert "the Pulumi CLI is not installed" in result.stderr
    assert "provisioner install-cli" in result.stderr
    assert "https://www.pulumi.com/docs/install/" in result.stderr


def test_sandbox_flag_without_a_running_sandbox_is_exit_3(fake: FakePulumiCommand) -> None:
    result = CliRunner().invoke(app, ["preview", "-p", "pci", "-e", "dev", "--sandbox", *ENVS])
    assert result.exit_code == 3
    assert (
        "sandbox is not running" in result.stderr and "provisioner sandbox start" in result.stderr
    )


def test_sandbox_and_endpoint_together_is_exit_2(fake: FakePulumiCommand) -> None:
    result = CliRunner().invoke(
        app,
        ["preview", "-p", "pci", "-e", "dev", "--sandbox", "--endpoint-url", "http://x", *ENVS],
    )
    assert result.exit_code == 2


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["-p", "nosuch", "-e", "dev"], "unknown profile 'nosuch'"),
        (["-p", "pci", "-e", "Bad_Env"], "--env 'Bad_Env'"),
        (["-p", "pci", "-e", "dev", "--backend", "ftp://x"], "--backend 'ftp://x'"),
        (["-p", "pci", "-e", "dev", "--secrets-provider", "rot13://x"], "--secrets-provider"),
    ],
)
def test_bad_input_is_exit_2(fake: FakePulumiCommand, args: list[str], needle: str) -> None:
    for command in ("preview", "refresh", "destroy", "up"):
        result = CliRunner().invoke(app, [command, *args, "-y", *ENVS])
        assert result.exit_code == 2, (command, result.output)
        assert needle in result.stderr
    assert not fake.calls


def test_no_aws_credentials_is_exit_3(
    fake: FakePulumiCommand, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    result = CliRunner().invoke(app, ["preview", "-p", "pci", "-e", "dev", *ENVS])
    assert result.exit_code == 3
    assert "no AWS credentials found" in result.stderr and "--sandbox" in result.stderr
    assert not fake.calls_of("preview")


def test_doctor_all_well_is_exit_0(fake: FakePulumiCommand, moto_server) -> None:
    result = CliRunner().invoke(app, ["doctor", "--endpoint-url", moto_server.url, "-o", "json"])
    assert result.exit_code == 0, result.output
    checks = {c["check"]: c for c in json.loads(result.stdout)["checks"]}
    assert set(checks) == {
        "pulumi cli", "aws plugin", "aws credentials", "backend", "secrets provider",
        "emulator", "policy pack",
    }  # fmt: skip
    assert checks["aws credentials"]["detail"] == "account 123456789012"
    assert checks["pulumi cli"]["detail"] == "version 3.200.0"


def test_doctor_reports_each_problem_with_a_fix(
    fake: FakePulumiCommand, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE")
    fake.plugins = ("6.0.0",)
    result = CliRunner().invoke(
        app, ["doctor", "--endpoint-url", "http://127.0.0.1:9", "-o", "json"]
    )
    assert result.exit_code == 3
    checks = {c["check"]: c for c in json.loads(result.stdout)["checks"]}
    failing = {name for name, c in checks.items() if not c["ok"]}
    assert failing == {"aws plugin", "aws credentials", "secrets provider", "emulator"}
    assert all(checks[name]["fix"] for name in failing)
    assert "pulumi plugin install resource aws 7.51.1" in checks["aws plugin"]["fix"]


def test_doctor_without_cli_is_exit_3(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    result = CliRunner().invoke(app, ["doctor"])
    assert result.exit_code == 3
    assert "provisioner install-cli" in result.stdout


def test_install_cli_offline_is_one_line_exit_3(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import urllib.error

    from pulumi.automation import _cmd

    def offline(url: str, path: str) -> None:
        raise urllib.error.URLError("[Errno -2] Name or service not known")

    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr(_cmd, "_download_to_file", offline)
    result = CliRunner().invoke(app, ["install-cli"])
    assert result.exit_code == 3
    assert result.stderr.splitlines()[0].startswith("error: could not install Pulumi CLI 3.")
    assert "Name or service not known" in result.stderr
    assert "Traceback" not in result.output


def test_report_file_gets_the_same_document(fake: FakePulumiCommand, tmp_path: Path) -> None:
    report = tmp_path / "reports" / "preview.json"
    result = CliRunner().invoke(
        app,
        ["preview", "-p", "pci", "-e", "dev", "-o", "json", "--report-file", str(report), *ENVS],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(report.read_text()) == json.loads(result.stdout)


def test_doctor_checks_a_remote_backend_through_the_cli(fake: FakePulumiCommand) -> None:
    backend = "https://api.pulumi.com"
    ok = CliRunner().invoke(app, ["doctor", "--backend", backend, "-o", "json"])
    checks = {c["check"]: c for c in json.loads(ok.stdout)["checks"]}
    assert checks["backend"]["ok"] and checks["backend"]["detail"] == f"{backend} (logged in)"
    assert fake.calls_of("whoami")[0].env["PULUMI_BACKEND_URL"] == backend

    fake.script = Script(failures={"whoami": ("", "error: not logged in")})
    failed = CliRunner().invoke(app, ["doctor", "--backend", backend, "-o", "json"])
    assert failed.exit_code == 3
    checks = {c["check"]: c for c in json.loads(failed.stdout)["checks"]}
    assert not checks["backend"]["ok"] and "pulumi login" in checks["backend"]["fix"]


def test_outputs_without_the_passphrase_of_an_existing_stack_is_exit_2(
    fake: FakePulumiCommand, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE")
    fake.stacks.append("pci.dev")
    fake.script = Script(
        failures={
            "stack output": (
                "",
                "error: getting secrets manager: passphrase must be set with "
                "PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE environment variables",
            )
        }
    )
    result = CliRunner().invoke(app, ["outputs", "-p", "pci", "-e", "dev", *ENVS])
    assert result.exit_code == 2
    assert "stack pci.dev: no passphrase for its secrets" in result.stderr

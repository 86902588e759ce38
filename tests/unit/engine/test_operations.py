"""The engine driven end to end through the real Automation API SDK and a fake `pulumi` binary."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from provisioner.engine.operations import Operation, read_outputs, run_operation
from provisioner.engine.progress import PlainProgress
from provisioner.engine.settings import EngineSettings, resolve_settings
from provisioner.errors import BadInputError, OperationError
from provisioner.profiles import StackTarget
from tests.support.fake_pulumi import (
    CANCEL,
    EVENTS_CREATED,
    EVENTS_FAILED,
    EVENTS_POLICY_BLOCKED,
    LOCKED_STDERR,
    OPERATIONS,
    FakePulumiCommand,
    Script,
    diagnostic,
)
from tests.unit.engine.conftest import PASSPHRASE, REPO


def program() -> None:
    raise AssertionError("the fake CLI never calls back into the program")


def run(
    operation: Operation,
    target: StackTarget,
    settings: EngineSettings,
    fake: FakePulumiCommand,
    packs: tuple[Path, ...] = (),
) -> tuple[dict[str, Any], str]:
    stream = io.StringIO()
    result = run_operation(
        operation,
        target,
        settings,
        program=program,
        progress=PlainProgress(f"{operation.value} {target.stack_name}", stream),
        command=fake,
        policy_packs=packs,
    )
    return result.to_document(), stream.getvalue()


def test_up_creates_the_stack_with_backend_config_plugin_and_policy_pack(
    target: StackTarget, settings: EngineSettings, tmp_path: Path
) -> None:
    fake = FakePulumiCommand()
    pack = tmp_path / "pack"
    run(Operation.up, target, settings, fake, packs=(pack,))

    verbs = [call.verb for call in fake.calls]
    assert verbs[:5] == ["stack ls", "stack init", "config set-all", "plugin install", "up"]
    assert fake.calls_of("stack init")[0].args == ["stack", "init", "pci.dev"]
    assert fake.calls_of("plugin install")[0].args == [
        "plugin", "install", "resource", "aws", "v7.51.1"
    ]  # fmt: skip
    up = fake.calls_of("up")[0].args
    assert up[up.index("--policy-pack") + 1] == str(pack)
    assert up[up.index("--exec-kind") + 1] == "auto.inline"  # the inline program, not Pulumi.yaml
    assert up[up.index("--stack") + 1] == "pci.dev"
    config = fake.calls_of("config set-all")[0].args
    assert "pulumi:disable-default-providers[0]=*" in config
    assert "aws:region=us-east-1" in config and "provisioner:profiles[0]=pci" in config
    assert "--secret" not in config

    for call in fake.calls:
        assert call.env["PULUMI_BACKEND_URL"] == (settings.work_dir / "state").as_uri()
        assert call.env["PULUMI_SKIP_UPDATE_CHECK"] == "true"
        assert call.env["PULUMI_CONFIG_PASSPHRASE"] == PASSPHRASE
        assert not any(PASSPHRASE in arg for arg in call.args)
        assert call.cwd == str(settings.work_dir)
    assert (settings.work_dir / "state").is_dir()
    project = (settings.work_dir / "Pulumi.yaml").read_text()
    assert "name: provisioner" in project


def test_the_repository_pulumi_yaml_is_never_rewritten(
    target: StackTarget, settings: EngineSettings
) -> None:
    repo_project = REPO / "Pulumi.yaml"
    before = repo_project.read_text() if repo_project.exists() else None
    run(Operation.preview, target, settings, FakePulumiCommand())
    after = repo_project.read_text() if repo_project.exists() else None
    assert before == after


def test_an_existing_stack_is_selected_not_created(
    target: StackTarget, settings: EngineSettings
) -> None:
    fake = FakePulumiCommand(stacks=["pci.dev"])
    run(Operation.preview, target, settings, fake)
    assert not fake.calls_of("stack init")
    assert fake.calls_of("stack select")[0].args == ["stack", "select", "--stack", "pci.dev"]


def test_a_new_stack_without_passphrase_is_refused_before_anything_is_created(
    target: StackTarget, tmp_path: Path
) -> None:
    settings = resolve_settings(work_dir=tmp_path / "wd", environ={})
    fake = FakePulumiCommand()
    with pytest.raises(BadInputError) as caught:
        run(Operation.up, target, settings, fake)
    assert "PULUMI_CONFIG_PASSPHRASE" in caught.value.message
    assert caught.value.exit_code == 2
    assert not fake.calls_of("stack init") and not fake.calls_of("up")


def test_a_kms_secrets_provider_needs_no_passphrase(target: StackTarget, tmp_path: Path) -> None:
    kms = "awskms://alias/provisioner?region=eu-west-1"
    settings = resolve_settings(work_dir=tmp_path / "wd", secrets_provider=kms, environ={})
    fake = FakePulumiCommand()
    run(Operation.up, target, settings, fake)
    assert fake.calls_of("stack init")[0].args == [
        "stack", "init", "pci.dev", "--secrets-provider", kms
    ]  # fmt: skip
    assert "PULUMI_CONFIG_PASSPHRASE" not in fake.calls[0].env


def test_backend_flag_and_environment_variable(target: StackTarget, tmp_path: Path) -> None:
    settings = resolve_settings(
        work_dir=tmp_path / "wd",
        environ={
            "PULUMI_BACKEND_URL": "s3://team-state/provisioner",
            "PULUMI_CONFIG_PASSPHRASE": "x",
        },
    )
    fake = FakePulumiCommand()
    run(Operation.preview, target, settings, fake)
    assert {call.env["PULUMI_BACKEND_URL"] for call in fake.calls} == {
        "s3://team-state/provisioner"
    }
    flagged = resolve_settings(backend="gs://b", environ={"PULUMI_BACKEND_URL": "s3://x"})
    assert flagged.backend_url == "gs://b"
    with pytest.raises(BadInputError, match="--backend 'ftp://x'"):
        resolve_settings(backend="ftp://x", environ={})
    relative = resolve_settings(backend="file://state-here", environ={})
    assert relative.backend_url == (Path.cwd() / "state-here").as_uri()
    assert relative.state_dir == Path.cwd() / "state-here"
    assert resolve_settings(backend="file://~", environ={}).state_dir == Path.home() / ".pulumi"


def test_progress_lines_and_summary_document(target: StackTarget, settings: EngineSettings) -> None:
    fake = FakePulumiCommand(
        outputs={"queueUrl": "http://q", "token": "s3cr3t"}, secret_outputs=("token",)
    )
    document, progress = run(Operation.up, target, settings, fake)

    assert "  creating aws:sqs/queue:Queue orders" in progress
    assert "  updating aws:sqs/queue:Queue payments" in progress
    assert "audit" not in progress  # unchanged resources are not listed
    assert "up pci.dev: done: 2 created, 1 updated, 0 replaced, 0 deleted, 0 failed" in progress
    assert document["operation"] == "up"
    assert document["result"] == "succeeded"
    assert document["changes"] == {"created": 2, "updated": 1}
    assert document["duration_seconds"] == 7
    assert document["outputs"] == {"queueUrl": "http://q", "token": "[secret]"}
    assert "s3cr3t" not in json.dumps(document)


def test_a_locked_stack_names_the_stack_and_pulumi_cancel(
    target: StackTarget, settings: EngineSettings
) -> None:
    fake = FakePulumiCommand(script=Script(failures={"up": ("", LOCKED_STDERR)}))
    with pytest.raises(OperationError) as caught:
        run(Operation.up, target, settings, fake)
    assert caught.value.message == "stack pci.dev is locked by another update"
    assert caught.value.hint is not None and "pulumi cancel --stack pci.dev" in caught.value.hint


def test_a_failed_deploy_reports_the_engine_diagnostics_not_the_cli_text(
    target: StackTarget, settings: EngineSettings
) -> None:
    script = Script(
        events={"up": EVENTS_FAILED}, failures={"up": ("Updating (pci.dev) ... noise", "exit 255")}
    )
    fake = FakePulumiCommand(script=script)
    stream = io.StringIO()
    with pytest.raises(OperationError) as caught:
        run_operation(
            Operation.up, target, settings, program=program,
            progress=PlainProgress("up pci.dev", stream), command=fake,
        )  # fmt: skip
    message = caught.value.message
    assert message.startswith("up pci.dev failed: creating SQS Queue (orders)")
    assert "KmsMasterKeyId is invalid" in message and "update failed" in message
    assert "<{%" not in message and "noise" not in message and "Traceback" not in message
    assert "  FAILED create aws:sqs/queue:Queue orders" in stream.getvalue()
    assert "up pci.dev: failed: 0 created, 0 updated, 0 replaced, 0 deleted, 1 failed" in (
        stream.getvalue()
    )


def test_mandatory_policy_violations_block_with_the_policy_named(
    target: StackTarget, settings: EngineSettings
) -> None:
    script = Script(events={"preview": EVENTS_POLICY_BLOCKED}, failures={"preview": ("", "error")})
    with pytest.raises(OperationError) as caught:
        run(Operation.preview, target, settings, FakePulumiCommand(script=script))
    assert "blocked by the policy pack: SQS-RETENTION-MAX: orders: retention" in (
        caught.value.message
    )


def test_secrets_in_engine_text_are_masked(target: StackTarget, settings: EngineSettings) -> None:
    leaked = [diagnostic(f"bad passphrase {PASSPHRASE}", 1), *EVENTS_FAILED[1:]]
    script = Script(events={"up": leaked}, failures={"up": ("", "boom")})
    stream = io.StringIO()
    with pytest.raises(OperationError) as caught:
        run_operation(
            Operation.up, target, settings, program=program,
            progress=PlainProgress("up", stream), command=FakePulumiCommand(script=script),
        )  # fmt: skip
    assert PASSPHRASE not in caught.value.message and "[secret]" in caught.value.message
    assert PASSPHRASE not in stream.getvalue()


def test_destroy_keeps_protected_resources_and_lists_them(
    target: StackTarget, settings: EngineSettings
) -> None:
    key = "urn:pulumi:pci.dev::provisioner::aws:kms/key:Key::messaging-key"
    fake = FakePulumiCommand(stacks=["pci.dev"], protected=(key,))
    document, _ = run(Operation.destroy, target, settings, fake)
    assert "--exclude-protected" in fake.calls_of("destroy")[0].args
    assert "--policy-pack" not in fake.calls_of("destroy")[0].args
    assert document["protected_remaining"] == [key]


def test_destroy_of_an_unknown_stack_names_the_existing_ones(
    target: StackTarget, settings: EngineSettings
) -> None:
    fake = FakePulumiCommand(stacks=["gdpr.dev", "pci.prod"])
    with pytest.raises(BadInputError) as caught:
        run(Operation.destroy, target, settings, fake)
    assert "stack pci.dev does not exist" in caught.value.message
    assert caught.value.hint is not None and "gdpr.dev, pci.prod" in caught.value.hint
    assert not fake.calls_of("stack init")


def test_outputs_keep_the_secret_flag(target: StackTarget, settings: EngineSettings) -> None:
    fake = FakePulumiCommand(
        stacks=["pci.dev"],
        outputs={"queueUrl": "http://q", "token": "t0k"},
        secret_outputs=("token",),
    )
    outputs = read_outputs(target, settings, command=fake)
    assert outputs["token"].secret and not outputs["queueUrl"].secret
    assert outputs["token"].value == "t0k"


@pytest.mark.parametrize("operation", list(Operation))
def test_every_operation_reaches_the_cli_with_the_stack(
    operation: Operation, target: StackTarget, settings: EngineSettings
) -> None:
    fake = FakePulumiCommand(
        stacks=["pci.dev"], script=Script(events=dict.fromkeys(OPERATIONS, EVENTS_CREATED))
    )
    document, _ = run(operation, target, settings, fake)
    args = fake.calls_of(operation.value)[0].args
    assert args[args.index("--stack") + 1] == "pci.dev"
    assert "--color" in args and args[args.index("--color") + 1] == "never"
    assert document["operation"] == operation.value


def _fake_binary(directory: Path, version: str) -> None:
    script = directory / "pulumi"
    script.write_text(f"#!/bin/sh\necho v{version}\n")
    script.chmod(0o755)


def test_the_cli_on_path_is_used_and_an_old_one_is_exit_3(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from provisioner.engine.workspace import pulumi_command

    monkeypatch.setenv("HOME", str(tmp_path))  # no pinned copy from install-cli
    monkeypatch.setenv("PATH", str(tmp_path))
    _fake_binary(tmp_path, "3.272.0")
    assert str(pulumi_command().version) == "3.272.0"

    _fake_binary(tmp_path, "2.25.0")
    with pytest.raises(OperationError) as caught:
        pulumi_command()
    assert caught.value.message.startswith("the installed Pulumi CLI cannot be used")
    assert caught.value.hint is not None and "provisioner install-cli" in caught.value.hint


def test_the_pinned_cli_from_install_cli_wins_over_path(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from provisioner.engine.workspace import pinned_cli_root, pulumi_command

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path))
    _fake_binary(tmp_path, "3.100.0")
    pinned = pinned_cli_root()
    (pinned / "bin").mkdir(parents=True)
    _fake_binary(pinned / "bin", "3.272.0")
    command = pulumi_command()
    assert command.command == str(pinned / "bin" / "pulumi")
    assert str(command.version) == "3.272.0"


def test_an_interrupted_update_says_how_to_recover(
    target: StackTarget, settings: EngineSettings
) -> None:
    fake = FakePulumiCommand()

    def interrupt(call: Any) -> None:
        if call.args[0] == "up":
            log = call.args[call.args.index("--event-log") + 1]
            Path(log).write_text(json.dumps(CANCEL) + "\n")  # the SDK stops tailing the log
            raise KeyboardInterrupt

    fake.on_call = interrupt
    with pytest.raises(OperationError) as caught:
        run(Operation.up, target, settings, fake)
    assert caught.value.message == "up pci.dev interrupted"
    assert caught.value.hint is not None and "pulumi cancel --stack pci.dev" in caught.value.hint


def test_a_passphrase_file_is_enough_for_a_new_stack(target: StackTarget, tmp_path: Path) -> None:
    phrase_file = tmp_path / "phrase"
    phrase_file.write_text("from a file\n")
    settings = resolve_settings(
        work_dir=tmp_path / "wd", environ={"PULUMI_CONFIG_PASSPHRASE_FILE": str(phrase_file)}
    )
    fake = FakePulumiCommand()
    run(Operation.preview, target, settings, fake)
    assert fake.calls_of("stack init")
    assert {c.env["PULUMI_CONFIG_PASSPHRASE_FILE"] for c in fake.calls} == {str(phrase_file)}
    assert "PULUMI_CONFIG_PASSPHRASE" not in fake.calls[0].env

"""`provisioner verify` against a stack deployed in moto: exit codes, reports, waivers, faults."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from botocore.awsrequest import AWSResponse, HTTPHeaders
from typer.testing import CliRunner

from provisioner.cli import app
from provisioner.profiles import builtin_profiles_dir, resolve_target
from tests.support.moto_server import MotoServer, free_port, running_moto_server
from tests.support.simulated_deploy import simulated_deploy

pytestmark = pytest.mark.integration

# A small user profile: the baseline's parameters, five controls the shipped stack satisfies.
MINI_CONTROLS = ["SQS-ENC-CMK", "SQS-TLS-ONLY", "SQS-RETENTION-MAX", "KMS-ROTATION", "SNS-ENC-CMK"]
STACK = "mini.dev"
QUEUE = "mini-dev-orders"


@pytest.fixture
def profiles_dir(tmp_path: Path) -> Path:
    document = yaml.safe_load((builtin_profiles_dir() / "baseline.yaml").read_text())
    document.update(name="mini", title="Mini", controls=MINI_CONTROLS)
    directory = tmp_path / "profiles"
    directory.mkdir()
    (directory / "mini.yaml").write_text(yaml.safe_dump(document))
    return directory


def _deploy(server: MotoServer, profiles_dir: Path) -> None:
    target = resolve_target(["mini"], "dev", profiles_dir=profiles_dir)
    simulated_deploy(target, server.url)


@pytest.fixture
def deployed(moto_server: MotoServer, profiles_dir: Path) -> MotoServer:
    _deploy(moto_server, profiles_dir)
    return moto_server


def _verify(url: str, profiles_dir: Path, *extra: str) -> Any:
    return CliRunner().invoke(
        app,
        [
            "verify",
            "--profile",
            "mini",
            "--env",
            "dev",
            "--endpoint-url",
            url,
            "--profiles-dir",
            str(profiles_dir),
            *extra,
        ],
    )


def _queue_url(server: MotoServer) -> str:
    url: str = server.client("sqs").get_queue_url(QueueName=QUEUE)["QueueUrl"]
    return url


def _stderr_lines(result: Any) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.strip()]


def test_compliant_stack_exits_0_with_the_json_contract(
    deployed: MotoServer, profiles_dir: Path, tmp_path: Path
) -> None:
    report = tmp_path / "out" / "verify.json"
    result = _verify(deployed.url, profiles_dir, "--output", "json", "--report-file", str(report))
    assert result.exit_code == 0, result.output
    document = json.loads(report.read_text())
    assert document["stack"] == STACK
    assert document["account"] == "123456789012"
    assert document["summary"]["fail"] == document["summary"]["error"] == 0
    assert {f["control"] for f in document["findings"]} == set(MINI_CONTROLS)
    assert json.loads(result.stdout) == document


def test_drift_exits_1_and_names_the_resource_in_every_format(
    deployed: MotoServer, profiles_dir: Path, tmp_path: Path
) -> None:
    deployed.client("sqs").set_queue_attributes(
        QueueUrl=_queue_url(deployed), Attributes={"MessageRetentionPeriod": "1209600"}
    )
    junit = tmp_path / "verify.xml"
    result = _verify(deployed.url, profiles_dir, "--output", "junit", "--report-file", str(junit))
    assert result.exit_code == 1, result.output
    failures = [
        case
        for case in ET.parse(junit).getroot().iter("testcase")
        if case.find("failure") is not None
    ]
    assert [(c.get("classname"), c.get("name", "").rsplit(":", 1)[-1]) for c in failures] == [
        ("SQS-RETENTION-MAX", QUEUE)
    ]
    sarif = json.loads(_verify(deployed.url, profiles_dir, "--output", "sarif").stdout)
    [finding] = sarif["runs"][0]["results"]
    assert finding["ruleId"] == "SQS-RETENTION-MAX"
    assert finding["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith(
        "mini.yaml"
    )


def _waivers(tmp_path: Path, expires: str) -> Path:
    path = tmp_path / "waivers.yaml"
    path.write_text(
        yaml.safe_dump(
            [
                {
                    "control": "SQS-RETENTION-MAX",
                    "resource": f"arn:aws:sqs:*:*:{QUEUE}",
                    "reason": "replay window agreed with the auditors until the migration",
                    "owner": "payments-team",
                    "expires": expires,
                }
            ]
        )
    )
    return path


def test_waived_failure_does_not_fail_the_run_but_an_expired_waiver_does(
    deployed: MotoServer, profiles_dir: Path, tmp_path: Path
) -> None:
    deployed.client("sqs").set_queue_attributes(
        QueueUrl=_queue_url(deployed), Attributes={"MessageRetentionPeriod": "1209600"}
    )
    live = _verify(
        deployed.url,
        profiles_dir,
        "--output",
        "json",
        "--waivers",
        str(_waivers(tmp_path, "2999-01-01")),
    )
    assert live.exit_code == 0, live.output
    [waived] = [f for f in json.loads(live.stdout)["findings"] if f["status"] == "waived"]
    assert waived["control"] == "SQS-RETENTION-MAX"
    assert waived["waiver"]["owner"] == "payments-team"

    expired = _verify(
        deployed.url,
        profiles_dir,
        "--output",
        "json",
        "--waivers",
        str(_waivers(tmp_path, "2020-01-01")),
    )
    assert expired.exit_code == 1
    failing = {
        f["control"] for f in json.loads(expired.stdout)["findings"] if f["status"] == "fail"
    }
    assert failing == {"SQS-RETENTION-MAX", "waiver_not_expired"}


def test_waiver_without_reason_is_exit_2(profiles_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "waivers.yaml"
    path.write_text("- {control: SQS-DLQ, resource: '*', owner: me, expires: 2999-01-01}\n")
    result = _verify("http://127.0.0.1:9", profiles_dir, "--waivers", str(path))
    assert result.exit_code == 2
    assert f"{path}: waiver [0]: reason:" in result.stderr


def test_unreachable_endpoint_is_exit_3_with_one_line(profiles_dir: Path) -> None:
    result = _verify(f"http://127.0.0.1:{free_port()}", profiles_dir)
    assert result.exit_code == 3
    lines = _stderr_lines(result)
    assert lines[0].startswith("error: ") and "127.0.0.1" in lines[0]
    assert all(line.startswith(("error: ", "hint: ")) for line in lines)
    assert "Traceback" not in result.output


# ---- faults injected into the session verify builds ---------------------------------------


class _Body:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body


def _json_error(request: Any, code: str) -> AWSResponse:
    body = json.dumps({"__type": code, "message": f"injected {code}"}).encode()
    headers = HTTPHeaders()
    headers["Content-Type"] = "application/x-amz-json-1.1"
    headers["x-amzn-query-error"] = f"{code};Sender"
    return AWSResponse(request.url, 400, headers, _Body(body))


def _sessions_with(
    monkeypatch: pytest.MonkeyPatch, event: str, handler: Callable[..., Any]
) -> None:
    """Every boto3.Session verify creates gets `handler` on `event`."""
    real = boto3.Session

    def factory(*args: Any, **kwargs: Any) -> boto3.Session:
        session = real(*args, **kwargs)
        session.events.register(event, handler)
        return session

    monkeypatch.setattr(boto3, "Session", factory)


def test_denied_collector_makes_its_controls_error_and_exits_3(
    deployed: MotoServer, profiles_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _sessions_with(
        monkeypatch,
        "before-send.kms",
        lambda request, **_: _json_error(request, "AccessDeniedException"),
    )
    result = _verify(deployed.url, profiles_dir, "--output", "json")
    assert result.exit_code == 3, result.output
    findings = json.loads(result.stdout)["findings"]
    by_control: dict[str, set[str]] = {}
    for finding in findings:
        by_control.setdefault(finding["control"], set()).add(finding["status"])
    assert by_control["KMS-ROTATION"] == {"error"}
    assert "AccessDenied" in next(f for f in findings if f["control"] == "KMS-ROTATION")["message"]
    assert "pass" not in by_control["SQS-ENC-CMK"]  # it resolves the queue's key: cannot judge
    assert by_control["SQS-TLS-ONLY"] == {"pass"}  # other collectors are unaffected


def test_throttling_is_retried(
    deployed: MotoServer, profiles_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    throttled: list[str] = []

    def throttle_twice(request: Any, **_: Any) -> AWSResponse | None:
        if len(throttled) < 2:
            throttled.append(request.url)
            return _json_error(request, "ThrottlingException")
        return None

    _sessions_with(monkeypatch, "before-send.sqs", throttle_twice)
    result = _verify(deployed.url, profiles_dir, "--output", "json")
    assert len(throttled) == 2
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["summary"]["error"] == 0


def test_moto_stopped_during_verify_is_exit_3_with_one_line(
    profiles_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with running_moto_server() as server:  # its own server: this test stops it
        server.reset()  # moto's state is per process, shared with the session's server
        _deploy(server, profiles_dir)
        calls: list[str] = []

        def stop_after_a_few(request: Any, **_: Any) -> None:
            calls.append(request.url)
            if len(calls) == 5:
                server.stop()

        _sessions_with(monkeypatch, "before-send", stop_after_a_few)
        result = _verify(server.url, profiles_dir)
    assert result.exit_code == 3, result.output
    lines = _stderr_lines(result)
    assert len(lines) <= 2
    assert lines[0].startswith("error: ") and server.url.split("//")[1] in lines[0]
    assert "Traceback" not in result.output
    assert len(calls) >= 5

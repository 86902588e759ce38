"""Waivers: validated input, fail -> waived (never pass), expired waivers fail the run."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from provisioner.errors import BadInputError, ExitCode
from provisioner.findings import Finding, Severity, Status
from provisioner.waivers import EXPIRED_WAIVER_CONTROL, apply_waivers, load_waivers

TODAY = dt.date(2026, 12, 3)
QUEUE_ARN = "arn:aws:sqs:eu-west-1:123456789012:orders"


def _finding(status: Status, control: str = "sqs_queue_dlq_attached", resource: str = QUEUE_ARN):
    return Finding(
        control=control,
        title="SQS queue has a dead-letter queue",
        severity=Severity.HIGH,
        resource=resource,
        status=status,
        message=f"{resource}: {status.value}",
        evidence={"deadLetterTargetArn": None},
        frameworks={"hipaa": ("164.308(a)(7)(i)",)},
    )


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "waivers.yaml"
    path.write_text(text, encoding="utf-8")
    return path


VALID = """\
- control: sqs_queue_dlq_attached
  resource: "arn:aws:sqs:eu-west-1:123456789012:ord*"
  reason: legacy consumer retries on its own until 2027
  owner: payments-team
  expires: 2027-03-31
"""


def test_load_valid_file(tmp_path: Path) -> None:
    waivers = load_waivers(_write(tmp_path, VALID)).waivers
    assert len(waivers) == 1
    assert waivers[0].expires == dt.date(2027, 3, 31)
    assert waivers[0].owner == "payments-team"


@pytest.mark.parametrize(
    ("missing", "field"),
    [("reason", "reason"), ("expires", "expires"), ("owner", "owner"), ("control", "control")],
)
def test_missing_field_is_bad_input_naming_file_and_field(
    tmp_path: Path, missing: str, field: str
) -> None:
    entry = {k: v for k, v in yaml.safe_load(VALID)[0].items() if k != missing}
    path = _write(tmp_path, yaml.safe_dump([entry]))
    with pytest.raises(BadInputError) as caught:
        load_waivers(path)
    assert caught.value.exit_code == ExitCode.BAD_INPUT
    assert str(path) in caught.value.message
    assert f"[0]: {field}:" in caught.value.message


def test_blank_reason_is_rejected(tmp_path: Path) -> None:
    path = _write(tmp_path, VALID.replace("legacy consumer retries on its own until 2027", "' '"))
    with pytest.raises(BadInputError, match=r"\[0\]: reason:"):
        load_waivers(path)


def test_bad_date_names_the_value(tmp_path: Path) -> None:
    path = _write(tmp_path, VALID.replace("2027-03-31", "someday"))
    with pytest.raises(BadInputError, match=r"expires: .*'someday'"):
        load_waivers(path)


@pytest.mark.parametrize("text", ["control: x\n", "- [1, 2\n", "42\n"])
def test_not_a_list_or_not_yaml_is_bad_input(tmp_path: Path, text: str) -> None:
    with pytest.raises(BadInputError, match=r"waivers\.yaml"):
        load_waivers(_write(tmp_path, text))


def test_unreadable_file_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="cannot read"):
        load_waivers(tmp_path / "absent.yaml")


def test_matching_fail_becomes_waived_with_the_waiver_attached(tmp_path: Path) -> None:
    waivers = load_waivers(_write(tmp_path, VALID))
    [judged] = apply_waivers([_finding(Status.FAIL)], waivers, TODAY)
    assert judged.status is Status.WAIVED
    assert judged.waiver is not None
    assert judged.waiver["reason"] == "legacy consumer retries on its own until 2027"
    assert judged.waiver["owner"] == "payments-team"
    assert judged.waiver["expires"] == "2027-03-31"
    assert judged.to_document()["waiver"]["owner"] == "payments-team"


@pytest.mark.parametrize("status", [Status.PASS, Status.ERROR, Status.NOT_APPLICABLE])
def test_only_failures_are_waived(tmp_path: Path, status: Status) -> None:
    waivers = load_waivers(_write(tmp_path, VALID))
    [judged] = apply_waivers([_finding(status)], waivers, TODAY)
    assert judged.status is status
    assert judged.waiver is None


@pytest.mark.parametrize(
    ("control", "resource"),
    [
        ("sqs_queue_encrypted_with_cmk", QUEUE_ARN),
        ("sqs_queue_dlq_attached", "arn:aws:sqs:eu-west-1:123456789012:payments"),
    ],
)
def test_non_matching_control_or_resource_stays_fail(
    tmp_path: Path, control: str, resource: str
) -> None:
    waivers = load_waivers(_write(tmp_path, VALID))
    [judged] = apply_waivers([_finding(Status.FAIL, control, resource)], waivers, TODAY)
    assert judged.status is Status.FAIL


def test_waiver_is_valid_through_its_expiry_day(tmp_path: Path) -> None:
    waivers = load_waivers(_write(tmp_path, VALID))
    [judged] = apply_waivers([_finding(Status.FAIL)], waivers, dt.date(2027, 3, 31))
    assert judged.status is Status.WAIVED


def test_expired_waiver_does_not_apply_and_is_reported_as_failing(tmp_path: Path) -> None:
    path = _write(tmp_path, VALID)
    waivers = load_waivers(path)
    judged = apply_waivers([_finding(Status.FAIL)], waivers, dt.date(2027, 4, 1))
    assert [f.status for f in judged] == [Status.FAIL, Status.FAIL]
    expired = judged[1]
    assert expired.control == EXPIRED_WAIVER_CONTROL
    assert expired.resource == f"{path}#0"
    assert "expired on 2027-03-31" in expired.message
    assert expired.evidence["owner"] == "payments-team"


def test_no_waiver_file_leaves_findings_alone() -> None:
    findings = [_finding(Status.FAIL), _finding(Status.PASS)]
    assert apply_waivers(findings, None, TODAY) == findings

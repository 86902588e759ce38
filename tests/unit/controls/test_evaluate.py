"""evaluate(): one finding per control and resource; errors are never passes."""

from __future__ import annotations

from dataclasses import replace

from provisioner.controls import CONTROLS, evaluate, get_control
from provisioner.controls._types import Control
from provisioner.findings import FRAMEWORKS, Status
from provisioner.inventory.models import CollectionError, Kind
from tests.unit.controls.stack import ACCOUNT, compliant_inventory, parameters

PARAMS = parameters("baseline")


def test_one_finding_per_control_and_resource_named_by_arn() -> None:
    inventory = compliant_inventory(PARAMS)
    findings = evaluate([get_control("SQS-ENC-CMK")], inventory, PARAMS)
    assert [f.resource for f in findings] == [q.arn for q in inventory.queues]
    assert all(f.resource.startswith("arn:aws:sqs:") for f in findings)


def test_account_level_control_yields_one_finding_for_the_account() -> None:
    inventory = compliant_inventory(PARAMS)
    [finding] = evaluate([get_control("TRAIL-MULTI-REGION")], inventory, PARAMS)
    assert finding.resource == f"account:{ACCOUNT}/eu-west-1"
    assert finding.status is Status.PASS


def test_a_missing_required_resource_fails() -> None:
    inventory = replace(compliant_inventory(PARAMS), trails=(), config_recorders=())
    findings = evaluate(
        [get_control("TRAIL-MULTI-REGION"), get_control("CONFIG-RECORDER-ON")], inventory, PARAMS
    )
    assert [(f.control, f.status) for f in findings] == [
        ("TRAIL-MULTI-REGION", Status.FAIL),
        ("CONFIG-RECORDER-ON", Status.FAIL),
    ]
    assert "there is no trail" in findings[0].message


def test_failed_collector_makes_its_controls_error_never_pass() -> None:
    inventory = replace(
        compliant_inventory(PARAMS),
        queues=(),
        errors={Kind.QUEUE: CollectionError(kind=Kind.QUEUE, message="AccessDenied")},
    )
    findings = evaluate(list(CONTROLS), inventory, PARAMS)
    readers = {c.id for c in CONTROLS if Kind.QUEUE in c.kinds_read}
    by_control = {f.control: f for f in findings if f.control in readers}
    assert set(by_control) == readers
    assert {f.status for f in by_control.values()} == {Status.ERROR}
    assert "could not read queue: AccessDenied" in by_control["SQS-ENC-CMK"].message
    assert by_control["SQS-ENC-CMK"].resource == f"account:{ACCOUNT}/eu-west-1"


def test_failed_lookup_collector_errors_each_judged_resource() -> None:
    inventory = replace(
        compliant_inventory(PARAMS),
        errors={Kind.KEY: CollectionError(kind=Kind.KEY, message="endpoint down")},
    )
    findings = evaluate([get_control("SQS-ENC-CMK")], inventory, PARAMS)
    assert [(f.resource, f.status) for f in findings] == [
        (q.arn, Status.ERROR) for q in inventory.queues
    ]


def test_a_check_that_raises_is_an_error_with_the_message() -> None:
    def broken(resource: object, params: object, inventory: object) -> object:
        raise KeyError("Statement")

    control: Control = replace(get_control("SNS-ENC-CMK"), check=broken)  # type: ignore[arg-type]
    findings = evaluate([control], compliant_inventory(PARAMS), PARAMS)
    assert {f.status for f in findings} == {Status.ERROR}
    assert "check raised KeyError" in findings[0].message


def test_findings_carry_title_severity_and_framework_ids() -> None:
    [finding, *_] = evaluate([get_control("SNS-ENC-CMK")], compliant_inventory(PARAMS), PARAMS)
    document = finding.to_document()
    assert document["title"] == get_control("SNS-ENC-CMK").title
    assert document["severity"] == "high"
    assert set(document["frameworks"]) == set(FRAMEWORKS)
    assert "3.5.1" in document["frameworks"]["pci-dss-4.0"]
    assert "SC-28(1)" in document["frameworks"]["nist-800-53-r5"]
    assert document["evidence"]["key_manager"] == "CUSTOMER"


def test_every_finding_is_plain_json() -> None:
    """Evidence holds observed values only: lists, dicts, strings, numbers, booleans, None."""
    import json

    for profile in ("baseline", "fedramp", "gdpr"):
        params = parameters(profile)
        compliant = compliant_inventory(params)
        broken = replace(compliant, trails=(), config_recorders=(), vpc_endpoints=())
        for inventory in (compliant, broken):
            for finding in evaluate(list(CONTROLS), inventory, params):
                json.dumps(finding.to_document())

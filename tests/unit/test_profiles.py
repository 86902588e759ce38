"""Profiles: extends, strictest-wins merging, tighten-only overlays, errors naming the field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from provisioner.cli import app
from provisioner.errors import BadInputError
from provisioner.profiles import (
    PARAM_SPECS,
    ProfileCatalog,
    get_param,
    resolve_target,
    stack_name,
)

SHIPPED = ("baseline", "pci", "hipaa", "gdpr", "fedramp")
EU_REGIONS = {"eu-west-1", "eu-central-1", "eu-west-3", "eu-north-1", "eu-south-1", "eu-south-2"}


def write_yaml(path: Path, document: Any) -> Path:
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


def param(value: Any, basis: str = "engineering") -> dict[str, Any]:
    return {"value": value, "source": "test", "basis": basis}


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_profile_resolves_with_every_parameter_attributed(name: str) -> None:
    profile = ProfileCatalog().load(name)
    for spec in PARAM_SPECS:
        value = get_param(profile.parameters, spec)
        if value is None:
            continue
        assert value.source, spec.path
        assert value.origin in {name, "baseline"}, spec.path


def test_extends_overrides_parent_field_by_field() -> None:
    pci = ProfileCatalog().load("pci")
    assert pci.parameters.audit.s3_retention_days is not None
    assert pci.parameters.audit.s3_retention_days.value == 366
    assert pci.parameters.audit.s3_retention_days.origin == "pci"
    assert pci.parameters.audit.s3_retention_days.basis == "regulatory"
    assert "10.5.1" in pci.parameters.audit.s3_retention_days.source
    # untouched fields come from baseline
    assert pci.parameters.queue.max_receive_count is not None
    assert pci.parameters.queue.max_receive_count.origin == "baseline"


def test_gdpr_plans_only_in_eu_regions_and_defaults_to_one() -> None:
    target = resolve_target(["gdpr"], "dev")
    assert target.region in EU_REGIONS
    assert set(target.allowed_regions) <= EU_REGIONS


def test_merge_takes_strictest_value_per_parameter() -> None:
    target = resolve_target(["pci", "gdpr"], "dev")
    params = target.parameters
    assert target.stack_name == "gdpr-pci.dev"
    # smallest maximum (gdpr's 1 day beats pci's 4 days)
    assert params.queue.max_message_retention_seconds is not None
    assert params.queue.max_message_retention_seconds.value == 86400
    assert params.queue.max_message_retention_seconds.origin == "gdpr"
    # largest minimum (pci's 366 days of audit logs)
    assert params.audit.s3_retention_days is not None
    assert params.audit.s3_retention_days.value == 366
    # ranked: COMPLIANCE beats GOVERNANCE
    assert params.audit.object_lock_mode is not None
    assert params.audit.object_lock_mode.value == "COMPLIANCE"
    # maxima that only one profile sets survive the merge
    assert params.audit.s3_max_retention_days is not None
    assert params.audit.s3_max_retention_days.value == 400
    # allowed regions intersect (pci allows any)
    assert set(target.allowed_regions) == EU_REGIONS
    # union of config rules
    assert params.config.rules is not None
    rules = set(params.config.rules.value)
    assert "S3_BUCKET_DEFAULT_LOCK_ENABLED" in rules  # from pci
    assert "SQS_QUEUE_DLQ_CHECK" in rules  # from baseline


def test_merge_is_order_independent() -> None:
    a = resolve_target(["pci", "gdpr"], "dev")
    b = resolve_target(["gdpr", "pci"], "dev")
    assert a.stack_name == b.stack_name
    assert a.parameters == b.parameters


def test_empty_region_intersection_names_both_profiles() -> None:
    with pytest.raises(BadInputError) as caught:
        resolve_target(["gdpr", "fedramp"], "dev")
    assert "gdpr" in caught.value.message
    assert "fedramp" in caught.value.message
    assert "region" in caught.value.message


def test_minimum_above_maximum_names_both_profiles() -> None:
    with pytest.raises(BadInputError) as caught:
        resolve_target(["hipaa", "gdpr"], "dev")
    message = caught.value.message
    assert "s3_retention_days" in message and "hipaa" in message and "gdpr" in message


def test_stack_name_is_sorted_profiles_and_environment() -> None:
    assert stack_name(["pci", "gdpr"], "dev") == "gdpr-pci.dev"
    assert stack_name(["pci"], "prod") == "pci.prod"


def test_tags_follow_the_design_contract() -> None:
    target = resolve_target(["pci", "gdpr"], "dev")
    assert target.tags == {
        "managed-by": "provisioner",
        "provisioner:stack": "gdpr-pci.dev",
        "provisioner:environment": "dev",
        "provisioner:profiles": "gdpr+pci",
    }


# ---------------------------------------------------------------- environment overlays


def test_overlay_may_tighten(tmp_path: Path) -> None:
    write_yaml(tmp_path / "qa.yaml", {"parameters": {"queue": {"max_receive_count": 2}}})
    target = resolve_target(["pci"], "qa", environments_dir=tmp_path)
    assert target.parameters.queue.max_receive_count is not None
    assert target.parameters.queue.max_receive_count.value == 2
    assert target.parameters.queue.max_receive_count.origin == "env:qa"


@pytest.mark.parametrize(
    ("group", "field", "value"),
    [
        ("queue", "max_message_retention_seconds", 1_209_600),  # a maximum raised
        ("audit", "s3_retention_days", 30),  # a minimum lowered
        ("audit", "data_events_sqs", False),  # a requirement switched off
        ("audit", "object_lock_mode", "GOVERNANCE"),  # pci requires COMPLIANCE
        ("network", "required_endpoints", ["sqs"]),  # fewer endpoints than required
    ],
)
def test_overlay_cannot_weaken_and_names_the_field(
    tmp_path: Path, group: str, field: str, value: Any
) -> None:
    write_yaml(tmp_path / "qa.yaml", {"parameters": {group: {field: value}}})
    with pytest.raises(BadInputError) as caught:
        resolve_target(["pci"], "qa", environments_dir=tmp_path)
    assert f"parameters.{group}.{field}" in caught.value.message
    assert "weaken" in caught.value.message
    assert str(tmp_path / "qa.yaml") in caught.value.message


def test_overlay_cannot_widen_allowed_regions(tmp_path: Path) -> None:
    write_yaml(tmp_path / "qa.yaml", {"parameters": {"regions": {"allowed": ["us-east-1"]}}})
    with pytest.raises(BadInputError, match=r"parameters\.regions\.allowed"):
        resolve_target(["gdpr"], "qa", environments_dir=tmp_path)


def test_overlay_region_outside_allowed_set(tmp_path: Path) -> None:
    write_yaml(tmp_path / "qa.yaml", {"region": "us-east-1"})
    with pytest.raises(BadInputError, match="outside the regions allowed by gdpr"):
        resolve_target(["gdpr"], "qa", environments_dir=tmp_path)


def test_overlay_subscriber_must_be_a_queue(tmp_path: Path) -> None:
    write_yaml(
        tmp_path / "qa.yaml",
        {"messaging": {"queues": [{"name": "a"}], "topics": [{"name": "t", "subscribers": ["b"]}]}},
    )
    with pytest.raises(BadInputError, match="subscribers"):
        resolve_target(["pci"], "qa", environments_dir=tmp_path)


def test_prod_overlay_protects_stateful_resources() -> None:
    assert resolve_target(["pci"], "prod").environment.protect is True
    assert resolve_target(["pci"], "dev").environment.protect is False


# ---------------------------------------------------------------- user profiles and bad files


def test_user_profile_extends_builtin(tmp_path: Path) -> None:
    write_yaml(
        tmp_path / "acme.yaml",
        {
            "name": "acme",
            "title": "ACME house rules",
            "extends": "pci",
            "parameters": {"queue": {"max_receive_count": param(3)}},
        },
    )
    target = resolve_target(["acme"], "dev", profiles_dir=tmp_path)
    assert target.parameters.queue.max_receive_count is not None
    assert target.parameters.queue.max_receive_count.value == 3
    assert target.parameters.audit.s3_retention_days is not None
    assert target.parameters.audit.s3_retention_days.value == 366  # inherited from pci


def test_user_profile_cannot_shadow_builtin(tmp_path: Path) -> None:
    write_yaml(tmp_path / "pci.yaml", {"name": "pci", "title": "fake", "extends": "baseline"})
    with pytest.raises(BadInputError, match="shadow"):
        resolve_target(["pci"], "dev", profiles_dir=tmp_path)


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({"name": "x", "title": "t", "extends": "nope"}, "extends: unknown profile 'nope'"),
        ({"name": "y", "title": "t", "extends": "baseline"}, "does not match the file name"),
        (
            {"name": "x", "title": "t", "extends": "baseline", "colour": "red"},
            "colour: Extra inputs are not permitted",
        ),
        (
            {
                "name": "x",
                "title": "t",
                "extends": "baseline",
                "parameters": {"queue": {"max_receive_count": param(0)}},
            },
            "parameters.queue.max_receive_count",
        ),
        (
            {
                "name": "x",
                "title": "t",
                "extends": "baseline",
                "parameters": {"config": {"rules": param(["SQS_ENCRYPTED_AT_REST"])}},
            },
            "no managed rule for SQS encryption at rest",
        ),
        (
            {
                "name": "x",
                "title": "t",
                "extends": "baseline",
                "parameters": {"audit": {"cloudwatch_retention_days": param(100)}},
            },
            "not a CloudWatch Logs retention value",
        ),
        (
            {
                "name": "x",
                "title": "t",
                "extends": "baseline",
                "parameters": {"kms": {"rotation_period_days": {"value": 365, "basis": "x"}}},
            },
            "parameters.kms.rotation_period_days.source",
        ),
        ({"name": "x", "title": "t"}, "parameters.regions.allowed: missing"),
    ],
)
def test_bad_profile_names_file_and_field(
    tmp_path: Path, document: dict[str, Any], expected: str
) -> None:
    path = write_yaml(tmp_path / "x.yaml", document)
    with pytest.raises(BadInputError) as caught:
        resolve_target(["x"], "dev", profiles_dir=tmp_path)
    assert expected in caught.value.message
    assert str(path) in caught.value.message


def test_extends_cycle_is_reported(tmp_path: Path) -> None:
    write_yaml(tmp_path / "aa.yaml", {"name": "aa", "title": "t", "extends": "bb"})
    write_yaml(tmp_path / "bb.yaml", {"name": "bb", "title": "t", "extends": "aa"})
    with pytest.raises(BadInputError, match="cycle aa -> bb -> aa"):
        resolve_target(["aa"], "dev", profiles_dir=tmp_path)


def test_invalid_yaml_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "x.yaml").write_text("name: x\ntitle: [unclosed\n", encoding="utf-8")
    with pytest.raises(BadInputError, match=r"x\.yaml: line \d+, column \d+: invalid YAML"):
        resolve_target(["x"], "dev", profiles_dir=tmp_path)


# ---------------------------------------------------------------- through the CLI


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["profiles", "show", "nope"], "unknown profile 'nope'"),
        (["profiles", "show", "Bad-Name"], "not a profile name"),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_2(argv: list[str], expected: str) -> None:
    result = CliRunner().invoke(app, argv)
    assert result.exit_code == 2
    assert expected in result.output
    assert "Traceback" not in result.output


def test_cli_show_json_has_values_with_sources() -> None:
    import json

    result = CliRunner().invoke(app, ["profiles", "show", "pci", "--output", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    retention = document["parameters"]["audit.s3_retention_days"]
    assert retention["value"] == 366
    assert retention["basis"] == "regulatory"
    assert retention["profile"] == "pci"
    assert "10.5.1" in retention["source"]


def test_cli_list_shows_every_shipped_profile() -> None:
    result = CliRunner().invoke(app, ["profiles", "list", "--output", "json"])
    assert result.exit_code == 0, result.output
    import json

    assert {p["name"] for p in json.loads(result.stdout)} >= set(SHIPPED)

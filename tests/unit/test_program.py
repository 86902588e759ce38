"""program.py: the one explicit provider and the profile -> Args translation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from provisioner.errors import BadInputError
from provisioner.planning import PlanMocks, run_program
from provisioner.profiles import StackTarget, resolve_target
from provisioner.program import (
    EMULATOR_SERVICES,
    config_rule_specs,
    make_program,
    provider_args,
    stack_args,
)

REPO = Path(__file__).resolve().parents[2]
ENDPOINT = "http://127.0.0.1:5123"


def target(profiles: list[str], env: str = "dev", environments: Path | None = None) -> StackTarget:
    return resolve_target(profiles, env, environments_dir=environments or REPO / "environments")


def test_emulator_provider_points_every_service_at_the_endpoint() -> None:
    args = provider_args(target(["pci"]), ENDPOINT)
    (endpoints,) = args["endpoints"]
    for service in EMULATOR_SERVICES:
        assert getattr(endpoints, service) == ENDPOINT
    assert args["skip_credentials_validation"] is True
    assert args["skip_metadata_api_check"] is True
    assert args["s3_use_path_style"] is True
    assert args["access_key"] == args["secret_key"] == "testing"
    assert "use_fips_endpoint" not in args


def test_fips_endpoints_when_the_profile_asks_and_no_emulator() -> None:
    assert provider_args(target(["fedramp"]))["use_fips_endpoint"] is True
    assert "use_fips_endpoint" not in provider_args(target(["pci"]))
    assert "use_fips_endpoint" not in provider_args(target(["fedramp"]), ENDPOINT)


def test_environment_account_pins_the_provider_and_the_plan(tmp_path: Path) -> None:
    (tmp_path / "acct.yaml").write_text("account_id: '111122223333'\n", encoding="utf-8")
    pinned = target(["pci"], "acct", tmp_path)
    assert provider_args(pinned)["allowed_account_ids"] == ["111122223333"]
    assert "allowed_account_ids" not in provider_args(target(["pci"]))


def test_program_registers_the_emulator_provider_with_its_endpoints() -> None:
    monitor, outputs = run_program(
        make_program(target(["pci"]), endpoint_url=ENDPOINT),
        PlanMocks(region="us-east-1"),
        stack="pci.dev",
    )
    (provider,) = [r for r in monitor.planned if r.type == "pulumi:providers:aws"]
    endpoints = json.loads(provider.inputs["endpoints"])
    assert endpoints[0]["sqs"] == ENDPOINT and endpoints[0]["sts"] == ENDPOINT
    assert provider.inputs["region"] == "us-east-1"
    assert outputs["stack_name"] == "pci.dev"


def test_config_rules_with_parameters_and_one_rule_per_endpoint(tmp_path: Path) -> None:
    (tmp_path / "endpoints.yaml").write_text(
        "name: endpoints\n"
        "title: Endpoint rules\n"
        "extends: baseline\n"
        "parameters:\n"
        "  config:\n"
        "    rules:\n"
        "      value: [SERVICE_VPC_ENDPOINT_ENABLED, CW_LOGGROUP_RETENTION_PERIOD_CHECK]\n"
        "      source: test\n"
        "      basis: engineering\n",
        encoding="utf-8",
    )
    resolved = resolve_target(
        ["endpoints"], "dev", environments_dir=REPO / "environments", profiles_dir=tmp_path
    )
    specs = config_rule_specs(resolved)
    endpoint_rules = [s for s in specs if s.identifier == "SERVICE_VPC_ENDPOINT_ENABLED"]
    assert sorted(s.input_parameters["serviceName"] for s in endpoint_rules) == [
        "kms",
        "logs",
        "sns",
        "sqs",
    ]
    (retention,) = [s for s in specs if s.identifier == "CW_LOGGROUP_RETENTION_PERIOD_CHECK"]
    assert retention.input_parameters == {"MinRetentionTime": "365"}


def test_managed_rules_get_their_required_parameters() -> None:
    specs = {s.identifier: s for s in config_rule_specs(target(["hipaa"]))}
    for identifier in (
        "IAM_CUSTOMER_POLICY_BLOCKED_KMS_ACTIONS",
        "IAM_INLINE_POLICY_BLOCKED_KMS_ACTIONS",
    ):
        patterns = specs[identifier].input_parameters["blockedActionsPatterns"]
        assert patterns.split(",") == ["kms:*", "kms:Decrypt", "kms:ReEncrypt*"]
    alarm_actions = specs["CLOUDWATCH_ALARM_ACTION_CHECK"].input_parameters
    assert set(alarm_actions) == {
        "alarmActionRequired",
        "okActionRequired",
        "insufficientDataActionRequired",
    }


def test_a_prefix_too_long_for_bucket_names_is_bad_input(tmp_path: Path) -> None:
    (tmp_path / "production-europe.yaml").write_text("region: eu-central-1\n", encoding="utf-8")
    too_long = target(["hipaa", "pci"], "production-europe", tmp_path)
    with pytest.raises(BadInputError, match="longer than 63 characters") as raised:
        stack_args(too_long)
    assert "name_prefix" in (raised.value.hint or "")
    (tmp_path / "production-europe.yaml").write_text(
        "region: eu-central-1\nname_prefix: ghp-prod\n", encoding="utf-8"
    )
    assert stack_args(target(["hipaa", "pci"], "production-europe", tmp_path)).name_prefix == (
        "ghp-prod"
    )


def test_environment_overlay_shapes_the_stack() -> None:
    args = stack_args(target(["pci"], "prod"))
    assert [q.name for q in args.queues] == ["orders", "payments"]
    assert args.protect is True
    assert args.queue.max_receive_count == 3
    assert args.name_prefix == "pci-prod"
    assert args.network.vpc_cidr == "10.42.0.0/16"
    assert list(args.allowed_regions) == ["us-east-1"]


@pytest.mark.parametrize("profiles", [["gdpr"], ["gdpr", "pci"]])
def test_roles_are_limited_to_the_profiles_regions(profiles: list[str]) -> None:
    args = stack_args(target(profiles))
    assert args.allowed_regions
    assert all(region.startswith("eu-") for region in args.allowed_regions)


def _run_entry_file(config: dict[str, str]) -> dict[str, object]:
    import runpy

    from pulumi.runtime.config import set_all_config

    def program() -> None:
        set_all_config(config)
        runpy.run_path(str(REPO / "__main__.py"), run_name="__main__")

    _, outputs = run_program(program, PlanMocks(region="eu-west-1"), stack="cli")
    return outputs


def test_pulumi_cli_entry_file_runs_the_same_program_from_stack_config() -> None:
    outputs = _run_entry_file(
        {
            "provisioner:profiles": '["pci", "gdpr"]',
            "provisioner:environment": "dev",
            "provisioner:region": "eu-west-1",
        }
    )
    assert outputs["stack_name"] == "gdpr-pci.dev"
    assert outputs["region"] == "eu-west-1"
    assert outputs["profiles"] == ["gdpr", "pci"]


def test_pulumi_cli_entry_file_reports_bad_config_as_one_error() -> None:
    import pulumi

    with pytest.raises(pulumi.RunError, match="outside the regions allowed"):
        _run_entry_file(
            {
                "provisioner:profiles": "gdpr",
                "provisioner:environment": "dev",
                "provisioner:region": "us-east-1",
            }
        )

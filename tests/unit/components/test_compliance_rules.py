from __future__ import annotations

import json

import pulumi
import pytest

from components.compliance_rules import ComplianceRules, ComplianceRulesArgs, ConfigRuleSpec
from provisioner.planning import PlanMonitor
from tests.unit.components.helpers import (
    ACCOUNT,
    REGION,
    TAGS,
    one,
    provider,
    resources,
    settled,
)

KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/00000000-0000-0000-0000-000000000000"
RULES = [
    ConfigRuleSpec(identifier="SQS_QUEUE_DLQ_CHECK"),
    ConfigRuleSpec(
        identifier="CW_LOGGROUP_RETENTION_PERIOD_CHECK",
        input_parameters={"MinRetentionTime": "365"},
    ),
    ConfigRuleSpec(
        identifier="SERVICE_VPC_ENDPOINT_ENABLED",
        input_parameters={"serviceName": "sqs"},
        instance="sqs",
    ),
]


def _rules(rules: list[ConfigRuleSpec]) -> ComplianceRules:
    return ComplianceRules(
        "config",
        ComplianceRulesArgs(
            name_prefix="pci-test",
            account_id=ACCOUNT,
            bucket_name="pci-test-audit",
            bucket_arn="arn:aws:s3:::pci-test-audit",
            kms_key_arn=KEY,
            rules=rules,
            tags=TAGS,
        ),
        opts=provider(),
    )


@pulumi.runtime.test
def test_recorder_records_everything_and_is_switched_on(graph: PlanMonitor) -> pulumi.Output[None]:
    _rules(RULES)

    async def check() -> None:
        await settled()
        recorder = one(graph, "aws:cfg/recorder:Recorder")
        group = recorder.inputs["recordingGroup"]
        assert group["allSupported"] is True and group["includeGlobalResourceTypes"] is True
        channel = one(graph, "aws:cfg/deliveryChannel:DeliveryChannel")
        assert channel.inputs["s3BucketName"] == "pci-test-audit"
        assert channel.inputs["s3KmsKeyArn"] == KEY
        status = one(graph, "aws:cfg/recorderStatus:RecorderStatus")
        assert status.inputs["isEnabled"] is True
        assert status.inputs["name"] == recorder.inputs["name"]

    return pulumi.Output.from_input(check())


@pulumi.runtime.test
def test_one_managed_rule_per_spec_with_parameters(graph: PlanMonitor) -> pulumi.Output[None]:
    _rules(RULES)

    async def check() -> None:
        await settled()
        rules = {
            r.inputs["source"]["sourceIdentifier"]: r for r in resources(graph, "aws:cfg/rule:Rule")
        }
        assert set(rules) == {spec.identifier for spec in RULES}
        assert all(r.inputs["source"]["owner"] == "AWS" for r in rules.values())
        retention = rules["CW_LOGGROUP_RETENTION_PERIOD_CHECK"].inputs["inputParameters"]
        assert json.loads(retention) == {"MinRetentionTime": "365"}
        endpoint = rules["SERVICE_VPC_ENDPOINT_ENABLED"]
        assert json.loads(endpoint.inputs["inputParameters"]) == {"serviceName": "sqs"}
        assert endpoint.inputs["name"] == "pci-test-service-vpc-endpoint-enabled-sqs"
        assert "inputParameters" not in rules["SQS_QUEUE_DLQ_CHECK"].inputs
        assert all(TAGS.items() <= r.inputs["tags"].items() for r in rules.values())

    return pulumi.Output.from_input(check())


def test_duplicate_rule_instances_are_refused() -> None:
    spec = ConfigRuleSpec(identifier="SQS_QUEUE_DLQ_CHECK")
    with pytest.raises(ValueError, match="duplicate"):
        _rules([spec, spec])

from __future__ import annotations

from dataclasses import replace
from typing import Any

from provisioner.inventory.models import FlowLog, SecurityGroupRule
from tests.unit.controls.cases import Case, check_case, parametrize
from tests.unit.controls.stack import changed

HTTPS_FROM_VPC = SecurityGroupRule(
    protocol="tcp", from_port=443, to_port=443, cidr_ipv4=("10.42.0.0/16",)
)


def endpoint(service: str, **changes: Any):
    return lambda inv: changed(inv, "vpc_endpoints", f"vpce-{service}", **changes)


def group(group_id: str, **changes: Any):
    return lambda inv: changed(inv, "security_groups", group_id, **changes)


CASES = [
    # VPC-ENDPOINT-<service> (account level, required resources)
    Case("pass_sqs_endpoint", "VPC-ENDPOINT-SQS", None),
    Case("pass_logs_endpoint", "VPC-ENDPOINT-LOGS", None),
    Case("pass_sns_endpoint", "VPC-ENDPOINT-SNS", None),
    Case(
        "fail_logs_endpoint_pending",
        "VPC-ENDPOINT-LOGS",
        None,
        endpoint("logs", state="pendingAcceptance"),
        message="is pendingAcceptance",
    ),
    Case(
        "fail_no_sqs_endpoint",
        "VPC-ENDPOINT-SQS",
        None,
        lambda inv: replace(
            inv, vpc_endpoints=tuple(e for e in inv.vpc_endpoints if e.id != "vpce-sqs")
        ),
        message="no VPC endpoint for sqs",
    ),
    Case(
        "fail_gateway_endpoint",
        "VPC-ENDPOINT-KMS",
        None,
        endpoint("kms", endpoint_type="Gateway"),
        message="not Interface",
    ),
    Case(
        "fail_private_dns_off",
        "VPC-ENDPOINT-SNS",
        None,
        endpoint("sns", private_dns_enabled=False),
        message="private DNS off",
    ),
    Case(
        "fail_single_zone",
        "VPC-ENDPOINT-SNS",
        None,
        endpoint("sns", availability_zones=("eu-west-1a",), subnet_ids=("subnet-a",)),
        message="two availability zones",
    ),
    Case(
        "fail_default_full_access_policy",
        "VPC-ENDPOINT-SQS",
        None,
        endpoint("sqs", policy=None),
        message="default full-access policy",
    ),
    Case(
        "fail_policy_open_to_every_account",
        "VPC-ENDPOINT-SQS",
        None,
        endpoint(
            "sqs",
            policy={
                "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]
            },
        ),
        message="any principal from any account",
    ),
    Case(
        "pass_fips_variant_satisfies_kms",
        "VPC-ENDPOINT-KMS",
        None,
        endpoint("kms", service_name="com.amazonaws.eu-west-1.kms-fips"),
    ),
    Case(
        "na_endpoint_not_required",
        "VPC-ENDPOINT-LOGS",
        None,
        overrides=(("network.required_endpoints", ("sqs", "sns", "kms")),),
    ),
    Case("na_no_other_endpoint_required", "VPC-ENDPOINT-OTHER", None),
    Case(
        "pass_other_required_endpoint",
        "VPC-ENDPOINT-OTHER",
        None,
        overrides=(("network.required_endpoints", ("sqs", "sns", "kms", "logs", "sts")),),
    ),
    Case(
        "fail_other_required_endpoint_missing",
        "VPC-ENDPOINT-OTHER",
        None,
        lambda inv: replace(
            inv, vpc_endpoints=tuple(e for e in inv.vpc_endpoints if e.id != "vpce-sts")
        ),
        overrides=(("network.required_endpoints", ("sqs", "sns", "kms", "logs", "sts")),),
        message="no VPC endpoint for sts",
    ),
    # SG-NO-OPEN-INGRESS
    Case("pass_endpoint_group_https_from_vpc", "SG-NO-OPEN-INGRESS", "sg-endpoints"),
    Case("pass_closed_default_group", "SG-NO-OPEN-INGRESS", "sg-default"),
    Case(
        "fail_ingress_from_internet",
        "SG-NO-OPEN-INGRESS",
        "sg-endpoints",
        group(
            "sg-endpoints",
            ingress=(
                HTTPS_FROM_VPC,
                SecurityGroupRule(
                    protocol="tcp", from_port=22, to_port=22, cidr_ipv4=("0.0.0.0/0",)
                ),
            ),
        ),
        message="from the internet on tcp 22-22",
    ),
    Case(
        "fail_ipv6_from_internet",
        "SG-NO-OPEN-INGRESS",
        "sg-endpoints",
        group(
            "sg-endpoints",
            ingress=(
                SecurityGroupRule(protocol="tcp", from_port=443, to_port=443, cidr_ipv6=("::/0",)),
            ),
        ),
    ),
    Case(
        "fail_default_group_with_rules",
        "SG-NO-OPEN-INGRESS",
        "sg-default",
        group("sg-default", egress=(SecurityGroupRule(protocol="-1", cidr_ipv4=("0.0.0.0/0",)),)),
        message="default security group with rules",
    ),
    Case(
        "fail_endpoint_group_beyond_https",
        "SG-NO-OPEN-INGRESS",
        "sg-endpoints",
        group(
            "sg-endpoints",
            ingress=(SecurityGroupRule(protocol="-1", cidr_ipv4=("10.42.0.0/16",)),),
        ),
        message="not only tcp/443",
    ),
    Case(
        "fail_endpoint_group_from_outside_vpc",
        "SG-NO-OPEN-INGRESS",
        "sg-endpoints",
        group(
            "sg-endpoints",
            ingress=(
                SecurityGroupRule(
                    protocol="tcp", from_port=443, to_port=443, cidr_ipv4=("192.168.0.0/16",)
                ),
            ),
        ),
        message="outside the VPC",
    ),
    # VPC-FLOW-LOGS
    Case("pass_active_flow_log", "VPC-FLOW-LOGS", "vpc-1"),
    Case(
        "fail_no_flow_log",
        "VPC-FLOW-LOGS",
        "vpc-1",
        lambda inv: changed(inv, "vpcs", "vpc-1", flow_logs=()),
        message="no active flow log",
    ),
    Case(
        "fail_flow_log_not_active",
        "VPC-FLOW-LOGS",
        "vpc-1",
        lambda inv: changed(inv, "vpcs", "vpc-1", flow_logs=(FlowLog(id="fl-1", status="FAILED"),)),
    ),
    Case(
        "na_default_vpc",
        "VPC-FLOW-LOGS",
        "vpc-1",
        lambda inv: changed(inv, "vpcs", "vpc-1", is_default=True, flow_logs=()),
    ),
    Case(
        "na_profile_without_flow_logs",
        "VPC-FLOW-LOGS",
        "vpc-1",
        lambda inv: changed(inv, "vpcs", "vpc-1", flow_logs=()),
        overrides=(("network.flow_logs_required", False),),
    ),
]


@parametrize(CASES)
def test_network_control(case: Case) -> None:
    check_case(case)

from __future__ import annotations

import pulumi

from components.private_network import PrivateNetwork, PrivateNetworkArgs
from provisioner.planning import PlanMonitor
from tests.unit.components.helpers import (
    ACCOUNT,
    REGION,
    TAGS,
    one,
    policy,
    provider,
    resources,
    settled,
)

KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/00000000-0000-0000-0000-000000000000"
CIDR = "10.40.0.0/16"


def _network() -> PrivateNetwork:
    return PrivateNetwork(
        "net",
        PrivateNetworkArgs(
            vpc_cidr=CIDR,
            region=REGION,
            account_id=ACCOUNT,
            endpoint_services=["sqs", "sns", "kms", "logs"],
            flow_log_group_name="/provisioner/pci.test/flow-logs",
            kms_key_arn=KEY,
            log_retention_days=365,
            tags=TAGS,
        ),
        opts=provider(),
    )


@pulumi.runtime.test
def test_private_subnets_span_two_zones_without_internet(graph: PlanMonitor) -> pulumi.Output[None]:
    _network()

    async def check() -> None:
        await settled()
        subnets = resources(graph, "aws:ec2/subnet:Subnet")
        assert len(subnets) >= 2
        assert len({s.inputs["availabilityZone"] for s in subnets}) >= 2
        assert all(s.inputs["mapPublicIpOnLaunch"] is False for s in subnets)
        types = {r.type for r in graph.planned}
        assert "aws:ec2/internetGateway:InternetGateway" not in types
        assert "aws:ec2/natGateway:NatGateway" not in types

    return pulumi.Output.from_input(check())


@pulumi.runtime.test
def test_endpoints_are_private_and_limited_to_the_account(
    graph: PlanMonitor,
) -> pulumi.Output[None]:
    _network()

    async def check() -> None:
        await settled()
        endpoints = resources(graph, "aws:ec2/vpcEndpoint:VpcEndpoint")
        assert sorted(e.inputs["serviceName"] for e in endpoints) == [
            f"com.amazonaws.{REGION}.{s}" for s in ("kms", "logs", "sns", "sqs")
        ]
        group = one(graph, "aws:ec2/securityGroup:SecurityGroup")
        for endpoint in endpoints:
            assert endpoint.inputs["privateDnsEnabled"] is True
            assert endpoint.inputs["vpcEndpointType"] == "Interface"
            assert endpoint.inputs["securityGroupIds"] == [group.id]
            (statement,) = policy(endpoint)["Statement"]
            assert statement["Condition"] == {"StringEquals": {"aws:PrincipalAccount": ACCOUNT}}

    return pulumi.Output.from_input(check())


@pulumi.runtime.test
def test_security_groups_allow_only_https_from_the_vpc(graph: PlanMonitor) -> pulumi.Output[None]:
    _network()

    async def check() -> None:
        await settled()
        group = one(graph, "aws:ec2/securityGroup:SecurityGroup")
        (rule,) = group.inputs["ingress"]
        assert (rule["protocol"], rule["fromPort"], rule["toPort"]) == ("tcp", 443, 443)
        assert rule["cidrBlocks"] == [CIDR]
        assert group.inputs.get("egress", []) == []
        default = one(graph, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
        assert default.inputs.get("ingress", []) == []
        assert default.inputs.get("egress", []) == []

    return pulumi.Output.from_input(check())


@pulumi.runtime.test
def test_flow_logs_go_to_an_encrypted_log_group(graph: PlanMonitor) -> pulumi.Output[None]:
    _network()

    async def check() -> None:
        await settled()
        group = one(graph, "aws:cloudwatch/logGroup:LogGroup")
        assert group.inputs["kmsKeyId"] == KEY
        assert group.inputs["retentionInDays"] == 365
        flow = one(graph, "aws:ec2/flowLog:FlowLog")
        assert flow.inputs["logDestination"] == group.state["arn"]
        assert flow.inputs["trafficType"] == "ALL"
        assert flow.inputs["vpcId"] == one(graph, "aws:ec2/vpc:Vpc").id

    return pulumi.Output.from_input(check())

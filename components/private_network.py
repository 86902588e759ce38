"""PrivateNetwork: a VPC with no internet path, interface endpoints and encrypted flow logs."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components._naming import child_opts, merged_tags, type_token
from components._policy import condition, policy_json, statement

# IAM action prefix of each interface endpoint service (com.amazonaws.<region>.<service>).
_ACTION_PREFIX = {"monitoring": "cloudwatch", "config": "config"}


def action_prefix(service: str) -> str:
    base = service.removesuffix("-fips")
    return _ACTION_PREFIX.get(base, base)


@dataclass(frozen=True, kw_only=True)
class PrivateNetworkArgs:
    vpc_cidr: str
    region: pulumi.Input[str]
    account_id: pulumi.Input[str]
    endpoint_services: Sequence[str] = ("sqs", "sns", "kms", "logs")
    subnet_count: int = 2
    flow_logs: bool = True
    flow_log_group_name: str = "/provisioner/flow-logs"
    kms_key_arn: pulumi.Input[str] | None = None
    log_retention_days: int = 365
    tags: Mapping[str, str] = field(default_factory=dict)


class PrivateNetwork(pulumi.ComponentResource):
    """Private subnets in distinct zones, endpoints with private DNS, closed default SG."""

    vpc: aws.ec2.Vpc
    subnets: list[aws.ec2.Subnet]
    endpoint_security_group: aws.ec2.SecurityGroup
    default_security_group: aws.ec2.DefaultSecurityGroup
    endpoints: dict[str, aws.ec2.VpcEndpoint]
    flow_log_group: aws.cloudwatch.LogGroup | None
    flow_log: aws.ec2.FlowLog | None
    vpc_id: pulumi.Output[str]
    endpoint_ids: pulumi.Output[dict[str, str]]

    def __init__(
        self, name: str, args: PrivateNetworkArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        if args.subnet_count < 2:
            raise ValueError("PrivateNetwork needs at least two subnets (two availability zones)")
        super().__init__(type_token("PrivateNetwork"), name, None, opts)
        tags = args.tags
        self.vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=args.vpc_cidr,
            enable_dns_support=True,
            enable_dns_hostnames=True,
            tags=merged_tags(tags, Name=f"{name}-vpc"),
            opts=child_opts(self),
        )
        zones = aws.get_availability_zones_output(
            state="available", opts=pulumi.InvokeOutputOptions(parent=self)
        )
        network = ipaddress.ip_network(args.vpc_cidr)
        blocks = network.subnets(new_prefix=min(network.prefixlen + 4, 28))
        self.subnets = []
        for index in range(args.subnet_count):
            self.subnets.append(
                aws.ec2.Subnet(
                    f"{name}-private-{index}",
                    vpc_id=self.vpc.id,
                    cidr_block=str(next(blocks)),
                    availability_zone=zones.names.apply(_nth_zone(index)),
                    map_public_ip_on_launch=False,
                    tags=merged_tags(tags, Name=f"{name}-private-{index}", tier="private"),
                    opts=child_opts(self),
                )
            )
        # The VPC's default group loses every rule, so nothing can use it by accident.
        self.default_security_group = aws.ec2.DefaultSecurityGroup(
            f"{name}-default-sg",
            vpc_id=self.vpc.id,
            ingress=[],
            egress=[],
            tags=merged_tags(tags, Name=f"{name}-default-closed"),
            opts=child_opts(self),
        )
        self.endpoint_security_group = aws.ec2.SecurityGroup(
            f"{name}-endpoint-sg",
            vpc_id=self.vpc.id,
            description="HTTPS to the interface endpoints from inside the VPC only",
            ingress=[
                aws.ec2.SecurityGroupIngressArgs(
                    protocol="tcp",
                    from_port=443,
                    to_port=443,
                    cidr_blocks=[args.vpc_cidr],
                    description="HTTPS from the VPC",
                )
            ],
            egress=[],
            tags=merged_tags(tags, Name=f"{name}-endpoints"),
            opts=child_opts(self),
        )
        self.endpoints = {}
        for service in args.endpoint_services:
            self.endpoints[service] = aws.ec2.VpcEndpoint(
                f"{name}-{service}-endpoint",
                vpc_id=self.vpc.id,
                service_name=pulumi.Output.format("com.amazonaws.{0}.{1}", args.region, service),
                vpc_endpoint_type="Interface",
                private_dns_enabled=True,
                subnet_ids=[subnet.id for subnet in self.subnets],
                security_group_ids=[self.endpoint_security_group.id],
                policy=policy_json(self, [_endpoint_statement(service, args.account_id)]),
                tags=merged_tags(tags, Name=f"{name}-{service}"),
                opts=child_opts(self),
            )

        self.flow_log_group = None
        self.flow_log = None
        if args.flow_logs:
            self._flow_logs(name, args)

        self.vpc_id = self.vpc.id
        self.endpoint_ids = pulumi.Output.all(
            **{service: endpoint.id for service, endpoint in self.endpoints.items()}
        )
        self.register_outputs(
            {
                "vpc_id": self.vpc_id,
                "subnet_ids": [subnet.id for subnet in self.subnets],
                "endpoint_ids": self.endpoint_ids,
            }
        )

    def _flow_logs(self, name: str, args: PrivateNetworkArgs) -> None:
        self.flow_log_group = aws.cloudwatch.LogGroup(
            f"{name}-flow-log-group",
            name=args.flow_log_group_name,
            kms_key_id=args.kms_key_arn,
            retention_in_days=args.log_retention_days,
            tags=merged_tags(args.tags, Name=args.flow_log_group_name),
            opts=child_opts(self),
        )
        role = aws.iam.Role(
            f"{name}-flow-log-role",
            assume_role_policy=policy_json(
                self,
                [
                    statement(
                        sid="VpcFlowLogsAssume",
                        actions=["sts:AssumeRole"],
                        resources=[],
                        principal=("Service", ["vpc-flow-logs.amazonaws.com"]),
                        conditions=[
                            condition("StringEquals", "aws:SourceAccount", [args.account_id])
                        ],
                    )
                ],
            ),
            tags=merged_tags(args.tags, Name=f"{name}-flow-log-role"),
            opts=child_opts(self),
        )
        aws.iam.RolePolicy(
            f"{name}-flow-log-delivery",
            role=role.id,
            policy=policy_json(
                self,
                [
                    statement(
                        sid="DeliverFlowLogs",
                        actions=[
                            "logs:CreateLogStream",
                            "logs:PutLogEvents",
                            "logs:DescribeLogStreams",
                        ],
                        resources=[
                            self.flow_log_group.arn,
                            pulumi.Output.concat(self.flow_log_group.arn, ":log-stream:*"),
                        ],
                    )
                ],
            ),
            opts=child_opts(self),
        )
        self.flow_log = aws.ec2.FlowLog(
            f"{name}-flow-log",
            vpc_id=self.vpc.id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=self.flow_log_group.arn,
            iam_role_arn=role.arn,
            tags=merged_tags(args.tags, Name=f"{name}-flow-log"),
            opts=child_opts(self),
        )


def _nth_zone(index: int) -> Callable[[list[str]], str]:
    """Spread subnets over distinct zones (wrapping only if the region has too few)."""

    def pick(names: list[str]) -> str:
        return names[index % len(names)]

    return pick


def _endpoint_statement(
    service: str, account_id: pulumi.Input[str]
) -> aws.iam.GetPolicyDocumentStatementArgs:
    """Only principals of the stack's account may use the endpoint, for its own service."""
    return statement(
        sid="OnlyThisAccount",
        actions=[f"{action_prefix(service)}:*"],
        resources=["*"],
        principal=("AWS", ["*"]),
        conditions=[condition("StringEquals", "aws:PrincipalAccount", [account_id])],
    )

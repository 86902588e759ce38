"""EC2 network resources of the stack: VPCs (with flow logs), VPC endpoints (with their subnets'
zones) and security groups (plus each stack VPC's default group). EC2 filters by tag server-side,
so each kind is one paginated listing."""

from __future__ import annotations

from typing import Any

from provisioner.inventory._normalize import parse_policy, tags_from_list
from provisioner.inventory.collectors._base import STACK_TAG, CollectorContext, paginate
from provisioner.inventory.models import (
    AnyResource,
    FlowLog,
    Kind,
    SecurityGroup,
    SecurityGroupRule,
    Vpc,
    VpcEndpoint,
)

KINDS = (Kind.VPC, Kind.VPC_ENDPOINT, Kind.SECURITY_GROUP)


def _ids_of(arns: frozenset[str] | None, resource_type: str) -> list[str] | None:
    if arns is None:
        return None
    return [a.rsplit("/", 1)[-1] for a in arns if f":{resource_type}/" in a]


def collect(ctx: CollectorContext) -> dict[Kind, tuple[AnyResource, ...]]:
    client = ctx.client("ec2")
    arns = ctx.scope.by_arns("arn:aws:ec2:")
    by_tag = [{"Name": f"tag:{STACK_TAG}", "Values": [ctx.scope.stack_name]}]

    def listing(operation: str, key: str, resource_type: str, id_param: str) -> list[Any]:
        ids = _ids_of(arns, resource_type)
        if ids is None:
            return paginate(client, operation, key, Filters=by_tag)
        return paginate(client, operation, key, **{id_param: ids}) if ids else []

    vpcs = listing("describe_vpcs", "Vpcs", "vpc", "VpcIds")
    endpoints = listing("describe_vpc_endpoints", "VpcEndpoints", "vpc-endpoint", "VpcEndpointIds")
    groups = listing("describe_security_groups", "SecurityGroups", "security-group", "GroupIds")
    vpc_ids = [v["VpcId"] for v in vpcs]
    flow_logs: list[Any] = []
    if vpc_ids:
        flow_logs = paginate(
            client,
            "describe_flow_logs",
            "FlowLogs",
            Filters=[{"Name": "resource-id", "Values": vpc_ids}],
        )
        known = {g["GroupId"] for g in groups}
        defaults = paginate(
            client,
            "describe_security_groups",
            "SecurityGroups",
            Filters=[
                {"Name": "vpc-id", "Values": vpc_ids},
                {"Name": "group-name", "Values": ["default"]},
            ],
        )
        groups += [g for g in defaults if g["GroupId"] not in known]
    subnet_ids = sorted({s for e in endpoints for s in e.get("SubnetIds") or ()})
    zones: dict[str, str] = {}
    if subnet_ids:
        for subnet in paginate(client, "describe_subnets", "Subnets", SubnetIds=subnet_ids):
            zones[subnet["SubnetId"]] = subnet["AvailabilityZone"]

    def arn(resource_type: str, owner: str, ident: str) -> str:
        return f"arn:aws:ec2:{ctx.region}:{owner or ctx.account}:{resource_type}/{ident}"

    return {
        Kind.VPC: tuple(
            Vpc(
                id=v["VpcId"],
                arn=arn("vpc", v.get("OwnerId", ""), v["VpcId"]),
                cidr_block=v.get("CidrBlock"),
                is_default=bool(v.get("IsDefault", False)),
                flow_logs=tuple(
                    FlowLog(
                        id=f["FlowLogId"],
                        status=str(f.get("FlowLogStatus") or ""),
                        traffic_type=str(f.get("TrafficType") or ""),
                        destination_type=str(f.get("LogDestinationType") or "cloud-watch-logs"),
                        destination=f.get("LogDestination") or f.get("LogGroupName"),
                    )
                    for f in flow_logs
                    if f.get("ResourceId") == v["VpcId"]
                ),
                tags=tags_from_list(v.get("Tags")),
            )
            for v in vpcs
        ),
        Kind.VPC_ENDPOINT: tuple(
            VpcEndpoint(
                id=e["VpcEndpointId"],
                arn=arn("vpc-endpoint", e.get("OwnerId", ""), e["VpcEndpointId"]),
                vpc_id=e["VpcId"],
                service_name=e["ServiceName"],
                endpoint_type=str(e.get("VpcEndpointType") or "Gateway"),
                state=str(e.get("State") or "").lower(),
                private_dns_enabled=bool(e.get("PrivateDnsEnabled", False)),
                subnet_ids=tuple(e.get("SubnetIds") or ()),
                availability_zones=tuple(
                    sorted({zones[s] for s in e.get("SubnetIds") or () if s in zones})
                ),
                security_group_ids=tuple(g["GroupId"] for g in e.get("Groups") or ()),
                policy=parse_policy(e.get("PolicyDocument")),
                tags=tags_from_list(e.get("Tags")),
            )
            for e in endpoints
        ),
        Kind.SECURITY_GROUP: tuple(
            SecurityGroup(
                id=g["GroupId"],
                arn=arn("security-group", g.get("OwnerId", ""), g["GroupId"]),
                name=g["GroupName"],
                vpc_id=g.get("VpcId"),
                description=str(g.get("Description") or ""),
                is_default=g["GroupName"] == "default",
                ingress=tuple(_rule(p) for p in g.get("IpPermissions") or ()),
                egress=tuple(_rule(p) for p in g.get("IpPermissionsEgress") or ()),
                tags=tags_from_list(g.get("Tags")),
            )
            for g in groups
        ),
    }


def _rule(permission: dict[str, Any]) -> SecurityGroupRule:
    sources = ("IpRanges", "Ipv6Ranges", "UserIdGroupPairs", "PrefixListIds")
    descriptions = [
        str(s["Description"])
        for key in sources
        for s in permission.get(key) or ()
        if s.get("Description")
    ]
    return SecurityGroupRule(
        protocol=str(permission.get("IpProtocol") or "-1"),
        from_port=permission.get("FromPort"),
        to_port=permission.get("ToPort"),
        cidr_ipv4=tuple(r["CidrIp"] for r in permission.get("IpRanges") or ()),
        cidr_ipv6=tuple(r["CidrIpv6"] for r in permission.get("Ipv6Ranges") or ()),
        source_security_group_ids=tuple(
            p["GroupId"] for p in permission.get("UserIdGroupPairs") or () if p.get("GroupId")
        ),
        prefix_list_ids=tuple(p["PrefixListId"] for p in permission.get("PrefixListIds") or ()),
        description=descriptions[0] if descriptions else "",
    )

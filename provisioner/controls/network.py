"""Network controls (controls.md section 1G): required interface endpoints, ingress, flow logs."""

from __future__ import annotations

import ipaddress

from provisioner.controls import _policy as policy
from provisioner.controls._common import enabled, param
from provisioner.controls._types import (
    AccountScope,
    Definition,
    define,
    failed,
    not_applicable,
    verdict,
)
from provisioner.findings import CheckResult, Severity
from provisioner.inventory.models import (
    Inventory,
    Kind,
    SecurityGroup,
    SecurityGroupRule,
    Vpc,
    VpcEndpoint,
)
from provisioner.profiles import Parameters

ENDPOINT_POLICY_KEYS = (
    "aws:PrincipalAccount",
    "aws:PrincipalOrgID",
    "aws:ResourceAccount",
    "aws:SourceVpc",
    "aws:SourceVpce",
)
HTTPS = 443
# Endpoint services with their own control; any other required service is judged by -OTHER.
NAMED_ENDPOINT_SERVICES = ("sqs", "sns", "kms", "logs")


def _base_service(service: str) -> str:
    return service.removesuffix("-fips")


def _endpoint_problems(endpoint: VpcEndpoint) -> list[str]:
    problems = []
    if endpoint.endpoint_type != "Interface":
        problems.append(f"is a {endpoint.endpoint_type} endpoint, not Interface")
    if endpoint.state.lower() != "available":
        problems.append(f"is {endpoint.state}")
    if not endpoint.private_dns_enabled:
        problems.append("has private DNS off")
    spread = endpoint.availability_zones or endpoint.subnet_ids
    if len(set(spread)) < 2:
        problems.append("is not spread over two availability zones")
    if not endpoint.security_group_ids:
        problems.append("has no security group")
    if endpoint.policy is None:
        problems.append("has the default full-access policy")
    elif policy.public_allows(endpoint.policy, ENDPOINT_POLICY_KEYS):
        problems.append("policy allows any principal from any account")
    return problems


def _required_endpoint(
    scope: AccountScope, params: Parameters, inventory: Inventory, services: list[str]
) -> CheckResult:
    results: list[tuple[str, str, dict[str, list[str]]]] = []
    for service in services:
        candidates = [
            e for e in inventory.vpc_endpoints if _base_service(e.service) == _base_service(service)
        ]
        judged = {e.arn: _endpoint_problems(e) for e in candidates}
        good = [arn for arn, problems in judged.items() if not problems]
        if not candidates:
            results.append((service, f"no VPC endpoint for {service}", {}))
        elif not good:
            detail = "; ".join(f"{arn} {', '.join(p)}" for arn, p in judged.items())
            results.append((service, f"{service} endpoint {detail}", judged))
        else:
            results.append((service, "", {good[0]: ["ok"]}))
    problems = [problem for _s, problem, _e in results if problem]
    evidence = {service: found for service, _p, found in results}
    return verdict(
        problems,
        f"account {scope.account} in {scope.region}",
        f"has private endpoints for {', '.join(services)}",
        **evidence,
    )


def _endpoint_control(service: str) -> Definition:
    def check(scope: AccountScope, params: Parameters, inventory: Inventory) -> CheckResult:
        required = param(params, "network.required_endpoints") or []
        wanted = [s for s in required if _base_service(s) == service]
        if not wanted:
            return not_applicable(f"the profile does not require a {service} endpoint")
        return _required_endpoint(scope, params, inventory, wanted[:1])

    check.__name__ = f"vpc_endpoint_for_{service}"
    return define(
        f"VPC-ENDPOINT-{service.upper()}",
        None,
        Severity.MEDIUM,
        parameters=("network.required_endpoints",),
        reads=(Kind.VPC_ENDPOINT,),
    )(check)


VPC_ENDPOINT_SQS = _endpoint_control("sqs")
VPC_ENDPOINT_SNS = _endpoint_control("sns")
VPC_ENDPOINT_KMS = _endpoint_control("kms")
VPC_ENDPOINT_LOGS = _endpoint_control("logs")


@define(
    "VPC-ENDPOINT-OTHER",
    None,
    Severity.MEDIUM,
    parameters=("network.required_endpoints",),
    reads=(Kind.VPC_ENDPOINT,),
)
def vpc_endpoints_for_other_services(
    scope: AccountScope, params: Parameters, inventory: Inventory
) -> CheckResult:
    required = param(params, "network.required_endpoints") or []
    others = [s for s in required if _base_service(s) not in NAMED_ENDPOINT_SERVICES]
    if not others:
        return not_applicable("the profile requires no endpoint beyond sqs, sns, kms and logs")
    return _required_endpoint(scope, params, inventory, others)


def _within(cidr: str, network: str) -> bool:
    inner = ipaddress.ip_network(cidr, strict=False)
    outer = ipaddress.ip_network(network, strict=False)
    if isinstance(inner, ipaddress.IPv4Network) and isinstance(outer, ipaddress.IPv4Network):
        return inner.subnet_of(outer)
    return False


def _endpoint_group_problem(rule: SecurityGroupRule, vpc: Vpc | None) -> str | None:
    ports = (rule.from_port, rule.to_port)
    if rule.protocol not in ("tcp", "6") or ports != (HTTPS, HTTPS):
        return f"allows {rule.protocol} {rule.from_port}-{rule.to_port}, not only tcp/443"
    if rule.cidr_ipv6 or rule.prefix_list_ids:
        return "allows IPv6 or prefix-list sources"
    if vpc is not None and vpc.cidr_block:
        outside = [c for c in rule.cidr_ipv4 if not _within(c, vpc.cidr_block)]
        if outside:
            return f"allows {', '.join(outside)}, outside the VPC {vpc.cidr_block}"
    return None


@define(
    "SG-NO-OPEN-INGRESS",
    Kind.SECURITY_GROUP,
    Severity.HIGH,
    reads=(Kind.VPC_ENDPOINT, Kind.VPC),
)
def security_group_restricts_ingress(
    group: SecurityGroup, params: Parameters, inventory: Inventory
) -> CheckResult:
    problems = []
    open_rules = [r for r in group.ingress if r.open_to_world]
    if open_rules:
        problems.append(
            "allows ingress from the internet on "
            + ", ".join(f"{r.protocol} {r.from_port}-{r.to_port}" for r in open_rules)
        )
    if group.is_default and (group.ingress or group.egress):
        problems.append("is a VPC default security group with rules")
    guards_endpoint = any(group.id in e.security_group_ids for e in inventory.vpc_endpoints)
    if guards_endpoint:
        vpc = next((v for v in inventory.vpcs if v.id == group.vpc_id), None)
        for rule in group.ingress:
            problem = _endpoint_group_problem(rule, vpc)
            if problem and not rule.open_to_world:
                problems.append(f"guards an endpoint but {problem}")
    return verdict(
        problems,
        f"security group {group.id} ({group.name})",
        "allows no ingress from the internet",
        is_default=group.is_default,
        guards_endpoint=guards_endpoint,
        ingress=[
            {
                "protocol": r.protocol,
                "ports": [r.from_port, r.to_port],
                "cidr_ipv4": list(r.cidr_ipv4),
                "cidr_ipv6": list(r.cidr_ipv6),
                "security_groups": list(r.source_security_group_ids),
            }
            for r in group.ingress
        ],
    )


@define("VPC-FLOW-LOGS", Kind.VPC, Severity.MEDIUM, parameters=("network.flow_logs_required",))
def vpc_flow_logs_active(vpc: Vpc, params: Parameters, inventory: Inventory) -> CheckResult:
    if not enabled(params, "network.flow_logs_required"):
        return not_applicable(f"vpc {vpc.id}: the profile does not require flow logs")
    if vpc.is_default:
        return not_applicable(f"vpc {vpc.id}: the account's default VPC is not part of the stack")
    active = [f.id for f in vpc.flow_logs if f.status.upper() == "ACTIVE"]
    evidence = {
        "flow_logs": [
            {"id": f.id, "status": f.status, "traffic_type": f.traffic_type} for f in vpc.flow_logs
        ]
    }
    if not active:
        return failed(f"vpc {vpc.id}: has no active flow log", **evidence)
    return verdict([], f"vpc {vpc.id}", f"flow log {active[0]} is active", **evidence)

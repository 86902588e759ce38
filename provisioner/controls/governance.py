"""Governance, residency and crypto-boundary controls (controls.md section 1I)."""

from __future__ import annotations

from provisioner.controls._common import arn_region, enabled, param
from provisioner.controls._types import AccountScope, define, failed, not_applicable, verdict
from provisioner.findings import CheckResult, Severity
from provisioner.inventory.models import (
    AnyResource,
    Bucket,
    ConfigRecorder,
    Inventory,
    Key,
    Kind,
    Subscription,
    Trail,
)
from provisioner.profiles import ANY_REGION, KNOWN_ENDPOINT_SERVICES, Parameters


def _recorder_problems(recorder: ConfigRecorder) -> list[str]:
    problems = []
    if not recorder.all_supported:
        problems.append("does not record all supported resource types")
    if not recorder.recording:
        problems.append("is not recording")
    if recorder.last_status == "FAILURE":
        problems.append("last delivery failed")
    if not recorder.delivery_bucket:
        problems.append("has no delivery channel")
    return problems


@define(
    "CONFIG-RECORDER-ON",
    None,
    Severity.MEDIUM,
    parameters=("config.recorder_required",),
    reads=(Kind.CONFIG_RECORDER,),
)
def config_recorder_recording(
    scope: AccountScope, params: Parameters, inventory: Inventory
) -> CheckResult:
    if not enabled(params, "config.recorder_required"):
        return not_applicable("the profile does not require an AWS Config recorder")
    judged = {r.resource_id: _recorder_problems(r) for r in inventory.config_recorders}
    evidence = {
        "recorders": {
            r.resource_id: {
                "all_supported": r.all_supported,
                "include_global_resource_types": r.include_global_resource_types,
                "recording": r.recording,
                "last_status": r.last_status,
                "delivery_bucket": r.delivery_bucket,
                "delivery_kms_key_arn": r.delivery_kms_key_arn,
            }
            for r in inventory.config_recorders
        }
    }
    subject = f"account {scope.account} in {scope.region}"
    if not judged:
        return failed(f"{subject}: has no AWS Config recorder", **evidence)
    good = [name for name, problems in judged.items() if not problems]
    problems = [] if good else [f"{n} {', '.join(p)}" for n, p in judged.items()]
    return verdict(problems, subject, "AWS Config records every resource type", **evidence)


@define(
    "CONFIG-RULES-DEPLOYED",
    None,
    Severity.LOW,
    parameters=("config.rules",),
    reads=(Kind.CONFIG_RULE,),
)
def config_rules_deployed(
    scope: AccountScope, params: Parameters, inventory: Inventory
) -> CheckResult:
    wanted = list(param(params, "config.rules") or [])
    if not wanted:
        return not_applicable("the profile requires no AWS Config rules")
    active = {
        r.source_identifier
        for r in inventory.config_rules
        if r.source_owner == "AWS" and r.state == "ACTIVE"
    }
    missing = [rule for rule in wanted if rule not in active]
    return verdict(
        [f"missing AWS Config managed rules: {', '.join(missing)}"] if missing else [],
        f"account {scope.account} in {scope.region}",
        f"all {len(wanted)} AWS Config rules of the profile are active",
        required=wanted,
        missing=missing,
    )


def _resource_regions(resource: AnyResource) -> list[str]:
    if isinstance(resource, Bucket | ConfigRecorder):
        return [resource.region]
    if isinstance(resource, Trail):
        return [resource.home_region]
    regions = []
    arn = getattr(resource, "arn", "")
    region = arn_region(arn) if arn else None
    if region:
        regions.append(region)
    if isinstance(resource, Subscription):
        endpoint_region = arn_region(resource.endpoint)
        if endpoint_region:
            regions.append(endpoint_region)
    return regions


@define(
    "REGION-RESIDENCY",
    None,
    Severity.HIGH,
    parameters=("regions.allowed",),
    reads=tuple(Kind),
)
def resources_stay_in_allowed_regions(
    scope: AccountScope, params: Parameters, inventory: Inventory
) -> CheckResult:
    allowed = list(param(params, "regions.allowed") or [ANY_REGION])
    if ANY_REGION in allowed:
        return not_applicable("the profile allows every region")
    outside: dict[str, list[str]] = {}
    if scope.region not in allowed:
        outside[scope.resource_id] = [scope.region]
    for resource in inventory.all_resources():
        regions = [r for r in _resource_regions(resource) if r not in allowed]
        if regions:
            outside[resource.resource_id] = regions
        if isinstance(resource, Key) and resource.multi_region:
            outside.setdefault(resource.resource_id, []).append("multi-Region replicas")
    return verdict(
        [f"{len(outside)} resources outside {', '.join(allowed)}"] if outside else [],
        f"account {scope.account} in {scope.region}",
        f"every resource is in {', '.join(allowed)}",
        allowed=allowed,
        outside=outside,
    )


FIPS_SERVICES = sorted(
    s.removesuffix("-fips") for s in KNOWN_ENDPOINT_SERVICES if s.endswith("-fips")
)


@define(
    "FIPS-ENDPOINTS",
    None,
    Severity.HIGH,
    parameters=("transport.fips_endpoints",),
    reads=(Kind.VPC_ENDPOINT,),
)
def endpoints_are_fips(
    scope: AccountScope, params: Parameters, inventory: Inventory
) -> CheckResult:
    if not enabled(params, "transport.fips_endpoints"):
        return not_applicable("the profile does not require FIPS endpoints")
    plain = [e.resource_id for e in inventory.vpc_endpoints if e.service in FIPS_SERVICES]
    return verdict(
        [f"endpoints use non-FIPS services: {', '.join(plain)}"] if plain else [],
        f"account {scope.account} in {scope.region}",
        "every private endpoint with a FIPS variant uses it",
        fips_capable_services=FIPS_SERVICES,
        endpoints={e.resource_id: e.service_name for e in inventory.vpc_endpoints},
    )

"""CloudTrail controls (controls.md section 1D). SQS/SNS data events need advanced selectors."""

from __future__ import annotations

from provisioner.controls._common import customer_key_problem, enabled, key_evidence, other_stack
from provisioner.controls._types import (
    AccountScope,
    define,
    failed,
    not_applicable,
    passed,
    verdict,
)
from provisioner.findings import CheckResult, Severity
from provisioner.inventory.models import (
    AdvancedEventSelector,
    FieldSelector,
    Inventory,
    Kind,
    Trail,
)
from provisioner.profiles import Parameters


def _records_all_management_events(trail: Trail) -> bool:
    if trail.advanced_event_selectors:
        return any(
            "Management" in s.equals("eventCategory") and not s.equals("readOnly")
            for s in trail.advanced_event_selectors
        )
    if trail.event_selectors:
        return any(
            s.include_management_events and s.read_write_type == "All"
            for s in trail.event_selectors
        )
    return True  # no selectors at all: CloudTrail's default, all management events


def _multi_region_problems(trail: Trail, multi_region: bool) -> list[str]:
    problems = []
    if multi_region and not trail.multi_region:
        problems.append("is single-region")
    if multi_region and not trail.global_events:
        problems.append("omits global service events")
    if not trail.is_logging:
        problems.append("is not logging")
    if trail.latest_delivery_error:
        problems.append(f"cannot deliver ({trail.latest_delivery_error})")
    if not _records_all_management_events(trail):
        problems.append("does not record all (read and write) management events")
    return problems


@define(
    "TRAIL-MULTI-REGION",
    None,
    Severity.HIGH,
    parameters=("audit.multi_region",),
    reads=(Kind.TRAIL,),
)
def trail_multi_region_logging(
    scope: AccountScope, params: Parameters, inventory: Inventory
) -> CheckResult:
    multi_region = enabled(params, "audit.multi_region")
    wanted = "a multi-region trail" if multi_region else "a trail"
    judged = {t.arn: _multi_region_problems(t, multi_region) for t in inventory.trails}
    good = [arn for arn, problems in judged.items() if not problems]
    evidence = {"trails": {arn: problems or ["ok"] for arn, problems in judged.items()}}
    if good:
        return passed(f"{good[0]} is {wanted} logging all management events", **evidence)
    if not judged:
        return failed(f"account {scope.account}: there is no trail (the profile needs {wanted})")
    summary = "; ".join(f"{arn} {', '.join(p)}" for arn, p in judged.items())
    return failed(f"account {scope.account}: no {wanted} logs: {summary}", **evidence)


def _stack_trail(trail: Trail, inventory: Inventory) -> CheckResult | None:
    stack = other_stack(trail.tags, inventory)
    if stack:
        return not_applicable(f"trail {trail.name} belongs to stack {stack}")
    return None


@define(
    "TRAIL-LOG-VALIDATION",
    Kind.TRAIL,
    Severity.MEDIUM,
    parameters=("audit.log_file_validation",),
)
def trail_log_file_validation(
    trail: Trail, params: Parameters, inventory: Inventory
) -> CheckResult:
    if not enabled(params, "audit.log_file_validation"):
        return not_applicable(f"trail {trail.name}: the profile does not require validation")
    other = _stack_trail(trail, inventory)
    if other is not None:
        return other
    return verdict(
        [] if trail.log_file_validation else ["log file validation is off"],
        f"trail {trail.name}",
        "writes signed digest files",
        log_file_validation=trail.log_file_validation,
    )


@define("TRAIL-KMS", Kind.TRAIL, Severity.HIGH, reads=(Kind.KEY,))
def trail_encrypted_with_cmk(trail: Trail, params: Parameters, inventory: Inventory) -> CheckResult:
    other = _stack_trail(trail, inventory)
    if other is not None:
        return other
    key, problem = customer_key_problem(inventory, trail.kms_key_id)
    return verdict(
        [problem] if problem else [],
        f"trail {trail.name}",
        "log files are encrypted with the audit CMK",
        kms_key_id=trail.kms_key_id,
        **key_evidence(key),
    )


@define("TRAIL-CWLOGS", Kind.TRAIL, Severity.MEDIUM, reads=(Kind.LOG_GROUP,))
def trail_delivers_to_cloudwatch_logs(
    trail: Trail, params: Parameters, inventory: Inventory
) -> CheckResult:
    other = _stack_trail(trail, inventory)
    if other is not None:
        return other
    problems = []
    if not trail.cw_logs_group_arn:
        problems.append("sends no events to CloudWatch Logs")
    elif inventory.lookup(trail.cw_logs_group_arn) is None:
        problems.append(f"log group {trail.cw_logs_group_arn} is not in the stack")
    if trail.cw_logs_group_arn and not trail.cw_logs_role_arn:
        problems.append("has no CloudWatch Logs delivery role")
    if trail.latest_cw_logs_delivery_error:
        problems.append(
            f"cannot deliver to CloudWatch Logs ({trail.latest_cw_logs_delivery_error})"
        )
    return verdict(
        problems,
        f"trail {trail.name}",
        "delivers to CloudWatch Logs",
        cw_logs_group_arn=trail.cw_logs_group_arn,
        cw_logs_role_arn=trail.cw_logs_role_arn,
        latest_cw_logs_delivery_error=trail.latest_cw_logs_delivery_error,
    )


def _field_matches(selector: FieldSelector, value: str) -> bool:
    if selector.equals and value not in selector.equals:
        return False
    if selector.starts_with and not any(value.startswith(p) for p in selector.starts_with):
        return False
    if selector.ends_with and not any(value.endswith(p) for p in selector.ends_with):
        return False
    if value in selector.not_equals:
        return False
    if any(value.startswith(p) for p in selector.not_starts_with):
        return False
    return not any(value.endswith(p) for p in selector.not_ends_with)


def _selects(selector: AdvancedEventSelector, resource_type: str, arn: str) -> bool:
    """The selector records data events of this resource type for this ARN."""
    if "Data" not in selector.equals("eventCategory"):
        return False
    if resource_type not in selector.equals("resources.type"):
        return False
    arn_fields = [f for f in selector.field_selectors if f.field == "resources.ARN"]
    return all(_field_matches(f, arn) for f in arn_fields)


def _data_events(
    scope: AccountScope,
    inventory: Inventory,
    resource_type: str,
    arns: list[str],
    noun: str,
) -> CheckResult:
    # At least one resource ARN to test selectors against, even with no queues/topics yet.
    probes = arns or [f"arn:aws:{noun}:{scope.region}:{scope.account}:any"]
    covering: dict[str, list[str]] = {}
    # Whether a trail is logging at all is TRAIL-MULTI-REGION's finding; this one judges the
    # selectors, so a stopped trail shows up once rather than under three controls.
    for trail in inventory.trails:
        for arn in probes:
            if any(_selects(s, resource_type, arn) for s in trail.advanced_event_selectors):
                covering.setdefault(arn, []).append(trail.arn)
    missing = [arn for arn in probes if arn not in covering]
    evidence = {
        "resource_type": resource_type,
        "covered": covering,
        "not_covered": missing,
        "trails_logging": {t.arn: t.is_logging for t in inventory.trails},
    }
    if missing:
        return failed(
            f"account {scope.account}: no trail selects {resource_type} data events for "
            f"{', '.join(missing)} (needs an advanced event selector)",
            **evidence,
        )
    return passed(
        f"account {scope.account}: {resource_type} data events are recorded for every {noun}",
        **evidence,
    )


@define(
    "TRAIL-DATA-EVENTS-SQS",
    None,
    Severity.MEDIUM,
    parameters=("audit.data_events_sqs",),
    reads=(Kind.TRAIL, Kind.QUEUE),
)
def trail_records_sqs_data_events(
    scope: AccountScope, params: Parameters, inventory: Inventory
) -> CheckResult:
    if not enabled(params, "audit.data_events_sqs"):
        return not_applicable("the profile does not require SQS data events")
    arns = [q.arn for q in inventory.queues]
    return _data_events(scope, inventory, "AWS::SQS::Queue", arns, "sqs")


@define(
    "TRAIL-DATA-EVENTS-SNS",
    None,
    Severity.MEDIUM,
    parameters=("audit.data_events_sns",),
    reads=(Kind.TRAIL, Kind.TOPIC),
)
def trail_records_sns_data_events(
    scope: AccountScope, params: Parameters, inventory: Inventory
) -> CheckResult:
    if not enabled(params, "audit.data_events_sns"):
        return not_applicable("the profile does not require SNS data events")
    arns = [t.arn for t in inventory.topics]
    return _data_events(scope, inventory, "AWS::SNS::Topic", arns, "sns")

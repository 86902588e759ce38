"""The control catalog: the registry, which controls a profile applies, and evaluation.

The registry is an explicit list (no package walking): adding a control means adding its
definition here, its prose to `catalog.yaml` and its mappings to `frameworks/*.yaml`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from provisioner.controls import governance, iam, kms, logs, network, s3, sns, sqs, trail
from provisioner.controls._catalog import build_controls, load_frameworks, load_prose
from provisioner.controls._types import AccountScope, Control, Definition
from provisioner.errors import BadInputError
from provisioner.findings import CheckResult, Finding, Status
from provisioner.inventory.models import Inventory
from provisioner.profiles import Parameters, Profile

__all__ = [
    "CONTROLS",
    "AccountScope",
    "Control",
    "controls_by_id",
    "controls_for",
    "evaluate",
    "get_control",
]

DEFINITIONS: tuple[Definition, ...] = (
    sqs.sqs_queue_encrypted_with_cmk,
    sqs.sqs_queue_denies_insecure_transport,
    sqs.sqs_queue_has_dead_letter_queue,
    sqs.sqs_queue_retention_within_maximum,
    sqs.sqs_queue_not_public,
    sqs.sqs_queue_accepts_only_its_topics,
    sns.sns_topic_encrypted_with_cmk,
    sns.sns_topic_denies_insecure_transport,
    sns.sns_topic_not_public,
    sns.sns_subscription_delivers_securely,
    sns.sns_publisher_holds_only_topic_key,
    kms.kms_key_rotates,
    kms.kms_key_policy_names_principals,
    kms.kms_role_has_no_broad_key_actions,
    kms.kms_key_not_scheduled_for_deletion,
    kms.kms_key_single_region,
    trail.trail_multi_region_logging,
    trail.trail_log_file_validation,
    trail.trail_encrypted_with_cmk,
    trail.trail_records_sqs_data_events,
    trail.trail_records_sns_data_events,
    trail.trail_delivers_to_cloudwatch_logs,
    s3.s3_bucket_blocks_public_access,
    s3.s3_audit_bucket_versioned,
    s3.s3_audit_bucket_object_lock,
    s3.s3_bucket_denies_insecure_transport,
    s3.s3_audit_bucket_encrypted_with_cmk,
    s3.s3_audit_bucket_access_logged,
    s3.s3_audit_bucket_lifecycle_within_retention,
    logs.log_group_retention_within_bounds,
    logs.log_group_encrypted_with_cmk,
    logs.alarm_notifies_encrypted_topic,
    logs.queue_health_alarmed,
    logs.topic_failures_alarmed,
    logs.security_events_alarmed,
    network.VPC_ENDPOINT_SQS,
    network.VPC_ENDPOINT_SNS,
    network.VPC_ENDPOINT_KMS,
    network.VPC_ENDPOINT_LOGS,
    network.vpc_endpoints_for_other_services,
    network.security_group_restricts_ingress,
    network.vpc_flow_logs_active,
    iam.role_policies_name_actions_and_resources,
    iam.role_trust_narrowed_to_source,
    governance.config_recorder_recording,
    governance.config_rules_deployed,
    governance.resources_stay_in_allowed_regions,
    governance.endpoints_are_fips,
)

CONTROLS: tuple[Control, ...] = build_controls(DEFINITIONS, load_prose(), load_frameworks())
_BY_ID = {control.id: control for control in CONTROLS}


def controls_by_id() -> dict[str, Control]:
    return dict(_BY_ID)


def get_control(control_id: str) -> Control:
    try:
        return _BY_ID[control_id]
    except KeyError:
        raise BadInputError(f"unknown control '{control_id}'") from None


def controls_for(profile: Profile) -> list[Control]:
    """The profile's controls in catalog order; an unknown id is exit 2 naming the file."""
    unknown = [cid for cid in profile.controls if cid not in _BY_ID]
    if unknown:
        where = str(profile.path) if profile.path is not None else f"profile {profile.name}"
        raise BadInputError(
            f"{where}: controls: unknown control id {', '.join(repr(c) for c in unknown)}",
            hint="`provisioner controls list` shows every control id",
        )
    wanted = set(profile.controls)
    return [control for control in CONTROLS if control.id in wanted]


def controls_for_framework(framework: str, controls: Iterable[Control] = CONTROLS) -> list[Control]:
    return [c for c in controls if c.frameworks.get(framework)]


def _finding(control: Control, resource: str, result: CheckResult) -> Finding:
    return Finding(
        control=control.id,
        title=control.title,
        severity=control.severity,
        resource=resource,
        status=result.status,
        message=result.message,
        evidence=dict(result.evidence),
        frameworks=control.frameworks,
    )


def _judge(
    control: Control, subject: object, params: Parameters, inventory: Inventory
) -> CheckResult:
    try:
        result = control.check(subject, params, inventory)
    except Exception as error:  # a broken check is an error finding, never a pass
        return CheckResult(
            Status.ERROR, f"check raised {type(error).__name__}: {error}", {"exception": str(error)}
        )
    if result.status not in (Status.PASS, Status.FAIL, Status.NOT_APPLICABLE):
        return CheckResult(
            Status.ERROR, f"check returned {result.status.value}", dict(result.evidence)
        )
    return result


def _collection_error(control: Control, inventory: Inventory) -> CheckResult | None:
    failures = [e for k in control.kinds_read if (e := inventory.error_for(k)) is not None]
    if not failures:
        return None
    return CheckResult(
        Status.ERROR,
        "; ".join(f"could not read {e.kind.value}: {e.message}" for e in failures),
        {"collection_errors": {e.kind.value: e.message for e in failures}},
    )


def evaluate(
    controls: Sequence[Control], inventory: Inventory, parameters: Parameters
) -> list[Finding]:
    """One finding per control and resource of its kind (one per account-level control).

    A kind that could not be collected makes the controls reading it `error`: one finding for
    the account when the control's own kind is missing, else one per resource judged.
    """
    scope = AccountScope(inventory.account, inventory.region)
    findings: list[Finding] = []
    for control in controls:
        error = _collection_error(control, inventory)
        if control.kind is None or (error is not None and inventory.error_for(control.kind)):
            result = error or _judge(control, scope, parameters, inventory)
            findings.append(_finding(control, scope.resource_id, result))
            continue
        for resource in inventory.of_kind(control.kind):
            result = error or _judge(control, resource, parameters, inventory)
            findings.append(_finding(control, resource.resource_id, result))
    return findings

"""The Pulumi program: one explicit AWS provider and a SecureMessagingStack built from a target.

This is the only place that translates a resolved profile and environment into component
Args; the components know nothing about profiles. The same function runs under the offline
plan (mocks), the Automation API engine and the plain `pulumi` CLI (`pulumi_main.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from provisioner.errors import BadInputError
from provisioner.profiles import ANY_REGION, KNOWN_ENDPOINT_SERVICES, StackTarget

if TYPE_CHECKING:
    from components.compliance_rules import ConfigRuleSpec
    from components.stack import SecureMessagingStackArgs

STACK_COMPONENT = "messaging"
EMULATOR_SERVICES = (
    "sqs",
    "sns",
    "kms",
    "sts",
    "iam",
    "ec2",
    "cloudtrail",
    "configservice",
    "cloudwatch",
    "logs",
    "s3",
    "events",
)
EMULATOR_CREDENTIAL = "testing"
# Managed rules whose parameters AWS requires (PutConfigRule fails without them).
BLOCKED_KMS_ACTIONS = "kms:*,kms:Decrypt,kms:ReEncrypt*"  # AWS conformance pack default
REQUIRED_RULE_PARAMETERS: dict[str, dict[str, str]] = {
    "IAM_CUSTOMER_POLICY_BLOCKED_KMS_ACTIONS": {"blockedActionsPatterns": BLOCKED_KMS_ACTIONS},
    "IAM_INLINE_POLICY_BLOCKED_KMS_ACTIONS": {"blockedActionsPatterns": BLOCKED_KMS_ACTIONS},
    # Our alarms notify on ALARM and OK; missing data is "not breaching", so no action there.
    "CLOUDWATCH_ALARM_ACTION_CHECK": {
        "alarmActionRequired": "true",
        "okActionRequired": "true",
        "insufficientDataActionRequired": "false",
    },
}


def make_program(target: StackTarget, *, endpoint_url: str | None = None) -> Callable[[], None]:
    """The Pulumi program function for `target` (optionally against an emulator endpoint).

    The target is translated here, before any engine runs, so bad input (exit 2) surfaces
    as itself and not as a failed deployment.
    """
    args = stack_args(target)

    def program() -> None:
        import pulumi
        import pulumi_aws as aws

        from components.stack import SecureMessagingStack

        provider = aws.Provider(
            f"aws-{target.environment.name}", **provider_args(target, endpoint_url)
        )
        stack = SecureMessagingStack(
            STACK_COMPONENT,
            args,
            opts=pulumi.ResourceOptions(provider=provider),
        )
        for key, value in stack.outputs.items():
            pulumi.export(key, value)

    return program


def provider_args(target: StackTarget, endpoint_url: str | None = None) -> dict[str, Any]:
    """Keyword arguments of the one explicit `aws.Provider` of the program."""
    import pulumi_aws as aws

    overlay = target.environment.overlay
    args: dict[str, Any] = {
        "region": target.region,
        "default_tags": aws.ProviderDefaultTagsArgs(tags=target.tags),
    }
    if overlay.account_id is not None:
        args["allowed_account_ids"] = [overlay.account_id]
    if endpoint_url is not None:
        args.update(
            endpoints=[aws.ProviderEndpointArgs(**dict.fromkeys(EMULATOR_SERVICES, endpoint_url))],
            access_key=EMULATOR_CREDENTIAL,
            secret_key=EMULATOR_CREDENTIAL,
            skip_credentials_validation=True,
            skip_metadata_api_check=True,
            s3_use_path_style=True,
        )
    else:
        fips = target.parameters.transport.fips_endpoints
        if fips is not None and fips.value:
            args["use_fips_endpoint"] = True
    return args


# The longest physical name built from the prefix: "<prefix>-access-logs-<account>-<region>",
# an S3 bucket name, which AWS limits to 63 characters.
LONGEST_NAME_SUFFIX = len("-access-logs-") + len("123456789012") + len("-")
BUCKET_NAME_LIMIT = 63


def name_prefix(target: StackTarget) -> str:
    """The prefix of every physical name: the overlay's `name_prefix`, or profiles + env."""
    overlay = target.environment.overlay
    prefix = overlay.name_prefix or f"{'-'.join(target.profile_names)}-{target.environment.name}"
    if len(prefix) + LONGEST_NAME_SUFFIX + len(target.region) > BUCKET_NAME_LIMIT:
        where = target.environment.path or f"environments/{target.environment.name}.yaml"
        raise BadInputError(
            f"name prefix '{prefix}' makes the audit bucket names longer than "
            f"{BUCKET_NAME_LIMIT} characters in {target.region}",
            hint=f"set a shorter name_prefix in {where}",
        )
    return prefix


def stack_args(target: StackTarget) -> SecureMessagingStackArgs:
    """Translate the resolved profile + environment into the stack component's Args."""
    from components.stack import (
        AlarmSettings,
        AuditSettings,
        KeySettings,
        NetworkSettings,
        QueueSettings,
        QueueSpec,
        SecureMessagingStackArgs,
        TopicSpec,
    )

    params = target.parameters
    overlay = target.environment.overlay
    audit = params.audit
    data_events = [
        resource_type
        for resource_type, param in (
            ("AWS::SQS::Queue", audit.data_events_sqs),
            ("AWS::SNS::Topic", audit.data_events_sns),
        )
        if param is not None and param.value
    ]
    allowed = [r for r in target.allowed_regions if r != ANY_REGION] or [target.region]
    return SecureMessagingStackArgs(
        stack_name=target.stack_name,
        environment=target.environment.name,
        profiles=list(target.profile_names),
        name_prefix=name_prefix(target),
        region=target.region,
        queues=[QueueSpec(name=q.name, fifo=q.fifo) for q in overlay.messaging.queues],
        topics=[
            TopicSpec(name=t.name, fifo=t.fifo, subscribers=list(t.subscribers))
            for t in overlay.messaging.topics
        ],
        key=KeySettings(
            rotation_period_days=_value(params.kms.rotation_period_days, 365),
            deletion_window_days=_value(params.kms.deletion_window_days, 30),
        ),
        queue=QueueSettings(
            message_retention_seconds=_value(params.queue.max_message_retention_seconds, 345_600),
            visibility_timeout_seconds=_value(params.queue.visibility_timeout_seconds, 300),
            data_key_reuse_seconds=_value(params.queue.data_key_reuse_seconds, 300),
            dead_letter=_value(params.queue.dlq_required, True),
            max_receive_count=_value(params.queue.max_receive_count, 5),
            dlq_retention_seconds=_value(params.queue.dlq_retention_seconds, 1_209_600),
        ),
        tls_only=_value(params.transport.tls_only, True),
        network=NetworkSettings(
            vpc_cidr=overlay.vpc_cidr,
            endpoint_services=endpoint_services(target),
            flow_logs=_value(params.network.flow_logs_required, True),
        ),
        audit=AuditSettings(
            multi_region=_value(audit.multi_region, True),
            log_file_validation=_value(audit.log_file_validation, True),
            data_event_resource_types=data_events,
            object_lock_mode=_value(audit.object_lock_mode, "GOVERNANCE"),
            object_lock_days=_value(audit.object_lock_days, 365),
            s3_retention_days=_value(audit.s3_retention_days, 365),
            s3_max_retention_days=audit.s3_max_retention_days.value
            if audit.s3_max_retention_days is not None
            else None,
            cloudwatch_retention_days=_value(audit.cloudwatch_retention_days, 365),
        ),
        config_recorder=_value(params.config.recorder_required, True),
        config_rules=config_rule_specs(target),
        alarms=AlarmSettings(
            message_volume_threshold=_value(params.alarms.message_volume_threshold, 10_000),
            dlq_depth_threshold=_value(params.alarms.dlq_depth_threshold, 0),
            oldest_message_age_seconds=_value(params.alarms.oldest_message_age_seconds, 3600),
            alarm_email=overlay.alarm_email,
        ),
        allowed_regions=allowed,
        trusted_accounts=list(overlay.trusted_accounts),
        protect=target.environment.protect,
        tags=target.tags,
    )


def endpoint_services(target: StackTarget) -> list[str]:
    """The profile's interface endpoints; their FIPS variants when the profile asks for FIPS."""
    services = list(_value(target.parameters.network.required_endpoints, []))
    if not _value(target.parameters.transport.fips_endpoints, False):
        return services
    fips = [f"{s}-fips" if f"{s}-fips" in KNOWN_ENDPOINT_SERVICES else s for s in services]
    return list(dict.fromkeys(fips))


def config_rule_specs(target: StackTarget) -> list[ConfigRuleSpec]:
    """One Config rule per profile rule; some identifiers need parameters or several instances."""
    from components.compliance_rules import ConfigRuleSpec

    params = target.parameters
    specs: list[ConfigRuleSpec] = []
    for identifier in _value(params.config.rules, []):
        if identifier == "SERVICE_VPC_ENDPOINT_ENABLED":
            specs.extend(
                ConfigRuleSpec(
                    identifier=identifier, input_parameters={"serviceName": s}, instance=s
                )
                for s in endpoint_services(target)
            )
        elif identifier in REQUIRED_RULE_PARAMETERS:
            specs.append(
                ConfigRuleSpec(
                    identifier=identifier, input_parameters=REQUIRED_RULE_PARAMETERS[identifier]
                )
            )
        elif identifier == "CW_LOGGROUP_RETENTION_PERIOD_CHECK":
            days = _value(params.audit.cloudwatch_retention_days, 365)
            specs.append(
                ConfigRuleSpec(
                    identifier=identifier, input_parameters={"MinRetentionTime": str(days)}
                )
            )
        else:
            specs.append(ConfigRuleSpec(identifier=identifier))
    return specs


def _value(param: Any, default: Any) -> Any:
    """A resolved parameter's value (profiles.resolve_target guarantees nearly all are set)."""
    return default if param is None else param.value

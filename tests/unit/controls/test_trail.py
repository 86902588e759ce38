from __future__ import annotations

from dataclasses import replace
from typing import Any

from provisioner.inventory.models import (
    AdvancedEventSelector,
    EventSelector,
    FieldSelector,
    Inventory,
)
from tests.unit.controls.cases import Case, check_case, parametrize
from tests.unit.controls.stack import ACCOUNT, added, changed

TRAIL = "audit"
ORDERS = f"arn:aws:sqs:eu-west-1:{ACCOUNT}:orders"


def trail(**changes: Any):
    return lambda inv: changed(inv, "trails", TRAIL, **changes)


def selectors(*selectors: AdvancedEventSelector):
    return trail(advanced_event_selectors=selectors)


def data(resource_type: str, *arn_fields: FieldSelector) -> AdvancedEventSelector:
    return AdvancedEventSelector(
        field_selectors=(
            FieldSelector(field="eventCategory", equals=("Data",)),
            FieldSelector(field="resources.type", equals=(resource_type,)),
            *arn_fields,
        )
    )


MANAGEMENT = AdvancedEventSelector(
    field_selectors=(FieldSelector(field="eventCategory", equals=("Management",)),)
)
SNS_DATA = data("AWS::SNS::Topic")


def second_trail(**changes: Any):
    def change(inventory: Inventory) -> Inventory:
        other = replace(
            inventory.trails[0],
            arn=f"arn:aws:cloudtrail:eu-west-1:{ACCOUNT}:trail/org",
            name="org",
            tags={"provisioner:stack": "other.prod"},
            **changes,
        )
        return added(inventory, "trails", other)

    return change


CASES = [
    # TRAIL-MULTI-REGION (account level)
    Case("pass_multi_region_trail", "TRAIL-MULTI-REGION", None),
    Case(
        "fail_no_trail",
        "TRAIL-MULTI-REGION",
        None,
        lambda inv: replace(inv, trails=()),
        message="there is no trail",
    ),
    Case(
        "fail_single_region",
        "TRAIL-MULTI-REGION",
        None,
        trail(multi_region=False),
        message="is single-region",
    ),
    Case(
        "fail_stopped", "TRAIL-MULTI-REGION", None, trail(is_logging=False), message="not logging"
    ),
    Case(
        "fail_delivery_error",
        "TRAIL-MULTI-REGION",
        None,
        trail(latest_delivery_error="AccessDenied"),
        message="cannot deliver",
    ),
    Case(
        "fail_write_only_management_events",
        "TRAIL-MULTI-REGION",
        None,
        trail(
            advanced_event_selectors=(),
            event_selectors=(EventSelector(read_write_type="WriteOnly"),),
        ),
        message="management events",
    ),
    Case(
        "pass_single_region_trail_when_not_required",
        "TRAIL-MULTI-REGION",
        None,
        trail(multi_region=False),
        overrides=(("audit.multi_region", False),),
    ),
    # TRAIL-LOG-VALIDATION
    Case("pass_validation_on", "TRAIL-LOG-VALIDATION", TRAIL),
    Case("fail_validation_off", "TRAIL-LOG-VALIDATION", TRAIL, trail(log_file_validation=False)),
    Case(
        "na_trail_of_another_stack",
        "TRAIL-LOG-VALIDATION",
        "org",
        second_trail(log_file_validation=False),
    ),
    # TRAIL-KMS
    Case("pass_audit_cmk", "TRAIL-KMS", TRAIL),
    Case("fail_no_kms", "TRAIL-KMS", TRAIL, trail(kms_key_id=None), message="no KMS key"),
    # TRAIL-CWLOGS
    Case("pass_delivers_to_stack_log_group", "TRAIL-CWLOGS", TRAIL),
    Case(
        "fail_no_log_group",
        "TRAIL-CWLOGS",
        TRAIL,
        trail(cw_logs_group_arn=None, cw_logs_role_arn=None),
        message="no events to CloudWatch Logs",
    ),
    Case(
        "fail_log_group_outside_stack",
        "TRAIL-CWLOGS",
        TRAIL,
        trail(cw_logs_group_arn=f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:elsewhere:*"),
        message="is not in the stack",
    ),
    Case(
        "fail_cloudwatch_delivery_error",
        "TRAIL-CWLOGS",
        TRAIL,
        trail(latest_cw_logs_delivery_error="AccessDenied"),
        message="cannot deliver",
    ),
    # TRAIL-DATA-EVENTS-SQS / -SNS (account level)
    Case("pass_sqs_data_events", "TRAIL-DATA-EVENTS-SQS", None),
    Case("pass_sns_data_events_by_arn_prefix", "TRAIL-DATA-EVENTS-SNS", None),
    Case(
        "fail_sqs_selector_removed",
        "TRAIL-DATA-EVENTS-SQS",
        None,
        selectors(MANAGEMENT, SNS_DATA),
        message="AWS::SQS::Queue",
    ),
    Case(
        "fail_sns_selector_removed",
        "TRAIL-DATA-EVENTS-SNS",
        None,
        selectors(MANAGEMENT, data("AWS::SQS::Queue")),
        message="AWS::SNS::Topic",
    ),
    Case(
        "fail_sqs_selector_excludes_a_queue",
        "TRAIL-DATA-EVENTS-SQS",
        None,
        selectors(
            MANAGEMENT,
            SNS_DATA,
            data("AWS::SQS::Queue", FieldSelector(field="resources.ARN", not_equals=(ORDERS,))),
        ),
        evidence={"not_covered": [ORDERS]},
    ),
    Case(
        "fail_basic_selectors_cannot_express_sqs",
        "TRAIL-DATA-EVENTS-SQS",
        None,
        trail(advanced_event_selectors=(), event_selectors=(EventSelector(),)),
    ),
    Case(
        "pass_stopped_trail_is_left_to_multi_region",
        "TRAIL-DATA-EVENTS-SQS",
        None,
        trail(is_logging=False),
        evidence={"trails_logging": {f"arn:aws:cloudtrail:eu-west-1:{ACCOUNT}:trail/audit": False}},
    ),
    Case(
        "na_profile_without_sqs_data_events",
        "TRAIL-DATA-EVENTS-SQS",
        None,
        selectors(MANAGEMENT),
        overrides=(("audit.data_events_sqs", False),),
    ),
]


@parametrize(CASES)
def test_trail_control(case: Case) -> None:
    check_case(case)

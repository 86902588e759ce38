"""IAM policy documents built with `aws.iam.get_policy_document` (never string templates)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import pulumi
import pulumi_aws as aws

Statement = aws.iam.GetPolicyDocumentStatementArgs
Values = Sequence[pulumi.Input[str]]


def _strings(values: Values) -> list[str]:
    # The `_output` invoke resolves nested Outputs; the generated types only say `str`.
    return cast(list[str], list(values))


def condition(
    test: str, variable: str, values: Values
) -> aws.iam.GetPolicyDocumentStatementConditionArgs:
    return aws.iam.GetPolicyDocumentStatementConditionArgs(
        test=test, variable=variable, values=_strings(values)
    )


def principals(
    kind: str, identifiers: Values
) -> list[aws.iam.GetPolicyDocumentStatementPrincipalArgs]:
    return [
        aws.iam.GetPolicyDocumentStatementPrincipalArgs(
            type=kind, identifiers=_strings(identifiers)
        )
    ]


def statement(
    *,
    sid: str,
    actions: Sequence[str],
    resources: Values = (),
    principal: tuple[str, Values] | None = None,
    conditions: Sequence[aws.iam.GetPolicyDocumentStatementConditionArgs] = (),
    effect: str = "Allow",
) -> Statement:
    return aws.iam.GetPolicyDocumentStatementArgs(
        sid=sid,
        effect=effect,
        actions=list(actions),
        resources=_strings(resources) or None,
        principals=principals(*principal) if principal is not None else None,
        conditions=list(conditions) or None,
    )


def deny_insecure_transport(sid: str, actions: Sequence[str], resources: Values) -> Statement:
    """The TLS-only statement: deny every principal when `aws:SecureTransport` is false."""
    return statement(
        sid=sid,
        effect="Deny",
        actions=actions,
        resources=resources,
        principal=("*", ["*"]),
        conditions=[condition("Bool", "aws:SecureTransport", ["false"])],
    )


def account_root(partition: pulumi.Input[str], account_id: pulumi.Input[str]) -> pulumi.Output[str]:
    return pulumi.Output.format("arn:{0}:iam::{1}:root", partition, account_id)


def policy_json(parent: pulumi.Resource, statements: Sequence[Statement]) -> pulumi.Output[str]:
    """Render statements to policy JSON through the invoke, on the parent's provider."""
    document = aws.iam.get_policy_document_output(
        statements=list(statements), opts=pulumi.InvokeOutputOptions(parent=parent)
    )
    return document.json

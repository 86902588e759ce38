"""Helpers several service modules share: parameter values, key resolution, ARN parts."""

from __future__ import annotations

from typing import Any

from provisioner.inventory.models import Inventory, Key
from provisioner.profiles import STACK_TAG, Param, Parameters


def param(parameters: Parameters, path: str) -> Any:
    """The value of `group.name`, or None when the (optional) parameter is unset."""
    group, name = path.split(".")
    found: Param[Any] | None = getattr(getattr(parameters, group), name)
    return None if found is None else found.value


def enabled(parameters: Parameters, path: str) -> bool:
    return bool(param(parameters, path))


def is_aws_managed_alias(key_reference: str) -> bool:
    """`alias/aws/sqs` or its alias ARN: an AWS managed key whose policy nobody can edit."""
    return key_reference.startswith("alias/aws/") or ":alias/aws/" in key_reference


def customer_key_problem(inventory: Inventory, key_reference: str | None) -> tuple[Key | None, str]:
    """The stack's customer managed key behind a reference, or why it is not one ("" = fine)."""
    if not key_reference:
        return None, "no KMS key"
    if is_aws_managed_alias(key_reference):
        return None, f"uses the AWS managed key {key_reference}, not a customer managed key"
    key = inventory.key(key_reference)
    if key is None:
        return None, f"key {key_reference} is not a customer managed key of this stack"
    if key.key_manager != "CUSTOMER":
        return key, f"key {key.arn} is {key.key_manager}-managed"
    if key.key_spec != "SYMMETRIC_DEFAULT":
        return key, f"key {key.arn} is {key.key_spec}, not SYMMETRIC_DEFAULT"
    if key.state != "Enabled":
        return key, f"key {key.arn} is {key.state}"
    return key, ""


def key_evidence(key: Key | None) -> dict[str, Any]:
    if key is None:
        return {}
    return {"key_arn": key.arn, "key_manager": key.key_manager, "key_state": key.state}


def arn_region(arn: str) -> str | None:
    parts = arn.split(":")
    if len(parts) < 6 or parts[0] != "arn":
        return None
    return parts[3] or None


def arn_account(arn: str) -> str | None:
    parts = arn.split(":")
    if len(parts) < 6 or parts[0] != "arn":
        return None
    return parts[4] or None


def other_stack(tags: Any, inventory: Inventory) -> str | None:
    """The stack a resource is tagged with when that is not the stack being judged."""
    stack = tags.get(STACK_TAG) if tags else None
    if stack and inventory.stack and stack != inventory.stack:
        return str(stack)
    return None

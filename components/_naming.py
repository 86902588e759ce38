"""Names, type tokens and tags shared by every component."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi

TYPE_PREFIX = "provisioner:messaging"


def type_token(component: str) -> str:
    """The stable Pulumi type token of a component, e.g. `provisioner:messaging:SecureQueue`."""
    return f"{TYPE_PREFIX}:{component}"


def merged_tags(base: Mapping[str, str], **extra: str) -> dict[str, str]:
    """The design.md tag set (`base`) plus resource-specific tags; the base set always wins."""
    return {**extra, **base}


def child_opts(
    parent: pulumi.Resource,
    *,
    protect: bool = False,
    depends_on: list[pulumi.Resource] | None = None,
) -> pulumi.ResourceOptions:
    """Options for a child: parented, and for stateful children protected and retained."""
    return pulumi.ResourceOptions(
        parent=parent,
        protect=True if protect else None,
        retain_on_delete=True if protect else None,
        depends_on=depends_on,
    )

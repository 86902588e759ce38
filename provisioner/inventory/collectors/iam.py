"""IAM roles of the stack with every policy document, from one paginated
GetAccountAuthorizationDetails listing (roles, inline and customer managed policies); AWS
managed policies attached to stack roles are read once each."""

from __future__ import annotations

from typing import Any

from provisioner.inventory._normalize import parse_policy, tags_from_list
from provisioner.inventory.collectors._base import CollectorContext
from provisioner.inventory.models import AnyResource, Kind, PolicyDocument, Role

KINDS = (Kind.ROLE,)


def collect(ctx: CollectorContext) -> dict[Kind, tuple[AnyResource, ...]]:
    client = ctx.client("iam")
    roles: list[dict[str, Any]] = []
    local_policies: dict[str, PolicyDocument] = {}
    for page in client.get_paginator("get_account_authorization_details").paginate(
        Filter=["Role", "LocalManagedPolicy"]
    ):
        roles.extend(page.get("RoleDetailList") or ())
        for policy in page.get("Policies") or ():
            default: dict[str, Any] = next(
                (v for v in policy.get("PolicyVersionList") or () if v.get("IsDefaultVersion")),
                {},
            )
            local_policies[policy["Arn"]] = parse_policy(default.get("Document")) or {}
    wanted = ctx.scope.by_arns("arn:aws:iam:")
    if wanted is not None:
        roles = [r for r in roles if r["Arn"] in wanted]

    def tags_of(role: dict[str, Any]) -> dict[str, str]:
        if "Tags" in role:
            return tags_from_list(role["Tags"])
        return tags_from_list(client.list_role_tags(RoleName=role["RoleName"]).get("Tags"))

    tagged = list(zip(roles, ctx.map(tags_of, roles), strict=True))
    if wanted is None:
        tagged = [(r, tags) for r, tags in tagged if ctx.scope.tagged(tags)]
    aws_managed = sorted(
        {
            p["PolicyArn"]
            for r, _ in tagged
            for p in r.get("AttachedManagedPolicies") or ()
            if p["PolicyArn"] not in local_policies
        }
    )

    def read_managed(arn: str) -> PolicyDocument:
        version = client.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
        document = client.get_policy_version(PolicyArn=arn, VersionId=version)
        return parse_policy(document["PolicyVersion"].get("Document")) or {}

    managed = ctx.map(read_managed, aws_managed)
    documents = {**local_policies, **dict(zip(aws_managed, managed, strict=True))}
    return {
        Kind.ROLE: tuple(
            Role(
                arn=r["Arn"],
                name=r["RoleName"],
                path=str(r.get("Path") or "/"),
                trust_policy=parse_policy(r.get("AssumeRolePolicyDocument")),
                inline_policies={
                    p["PolicyName"]: parse_policy(p.get("PolicyDocument")) or {}
                    for p in r.get("RolePolicyList") or ()
                },
                attached_policies={
                    p["PolicyArn"]: documents.get(p["PolicyArn"], {})
                    for p in r.get("AttachedManagedPolicies") or ()
                },
                tags=tags,
            )
            for r, tags in tagged
        )
    }

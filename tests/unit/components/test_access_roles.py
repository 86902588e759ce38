from __future__ import annotations

import pulumi

from components.access_roles import AccessRoles, AccessRolesArgs
from provisioner.planning import PlanMonitor
from tests.unit.components.helpers import (
    ACCOUNT,
    REGION,
    TAGS,
    as_list,
    by_sid,
    one,
    policy,
    provider,
    resources,
    settled,
)

KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/00000000-0000-0000-0000-000000000000"
QUEUE = f"arn:aws:sqs:{REGION}:{ACCOUNT}:pci-test-orders"
TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:pci-test-events"
TRUSTED = "210987654321"


def _roles() -> AccessRoles:
    return AccessRoles(
        "roles",
        AccessRolesArgs(
            name_prefix="pci-test",
            account_id=ACCOUNT,
            region=REGION,
            allowed_regions=[REGION],
            queue_arns=[QUEUE],
            topic_arns=[TOPIC],
            kms_key_arn=KEY,
            trusted_accounts=[TRUSTED],
            tags=TAGS,
        ),
        opts=provider(),
    )


def _role_policy(graph: PlanMonitor, role: str) -> dict[str, object]:
    return policy(one(graph, "aws:iam/rolePolicy:RolePolicy", f"roles-{role}-policy"))


@pulumi.runtime.test
def test_role_policies_have_no_wildcards_and_only_stack_resources(
    graph: PlanMonitor,
) -> pulumi.Output[None]:
    _roles()

    async def check() -> None:
        await settled()
        signing_key = one(graph, "aws:kms/key:Key").state["arn"]
        allowed = {QUEUE, TOPIC, KEY, signing_key}
        for role in ("producer", "consumer"):
            for statement in _role_policy(graph, role)["Statement"]:  # type: ignore[attr-defined]
                assert all("*" not in action for action in as_list(statement["Action"]))
                assert set(as_list(statement["Resource"])) <= allowed, statement
                region = statement["Condition"]["StringEquals"]["aws:RequestedRegion"]
                assert region == REGION

    return pulumi.Output.from_input(check())


@pulumi.runtime.test
def test_producer_sends_publishes_and_signs(graph: PlanMonitor) -> pulumi.Output[None]:
    _roles()

    async def check() -> None:
        await settled()
        document = _role_policy(graph, "producer")
        assert "sqs:SendMessage" in as_list(by_sid(document, "SendToStackQueues")["Action"])
        assert by_sid(document, "PublishToStackTopics")["Resource"] == TOPIC
        kms = by_sid(document, "UseStackKeyThroughMessaging")
        assert sorted(as_list(kms["Action"])) == ["kms:Decrypt", "kms:GenerateDataKey"]
        assert sorted(as_list(kms["Condition"]["StringEquals"]["kms:ViaService"])) == [
            f"sns.{REGION}.amazonaws.com",
            f"sqs.{REGION}.amazonaws.com",
        ]
        sign = by_sid(document, "SignMessages")
        assert sorted(as_list(sign["Action"])) == ["kms:GetPublicKey", "kms:Sign"]
        assert sign["Resource"] == one(graph, "aws:kms/key:Key").state["arn"]
        trust = policy(one(graph, "aws:iam/role:Role", "roles-producer-role"), "assumeRolePolicy")
        principals = as_list(trust["Statement"][0]["Principal"]["AWS"])
        assert sorted(principals) == sorted(
            [f"arn:aws:iam::{ACCOUNT}:root", f"arn:aws:iam::{TRUSTED}:root"]
        )

    return pulumi.Output.from_input(check())


@pulumi.runtime.test
def test_consumer_receives_decrypts_and_verifies_only(graph: PlanMonitor) -> pulumi.Output[None]:
    _roles()

    async def check() -> None:
        await settled()
        document = _role_policy(graph, "consumer")
        actions = {a for s in document["Statement"] for a in as_list(s["Action"])}  # type: ignore[attr-defined]
        assert {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"} <= actions
        assert not {"sqs:SendMessage", "sns:Publish", "kms:Sign", "kms:GenerateDataKey"} & actions
        decrypt = by_sid(document, "DecryptThroughSqs")
        assert (
            decrypt["Condition"]["StringEquals"]["kms:ViaService"] == f"sqs.{REGION}.amazonaws.com"
        )
        verify = by_sid(document, "VerifyProducerSignatures")
        assert sorted(as_list(verify["Action"])) == ["kms:GetPublicKey", "kms:Verify"]
        trust = policy(one(graph, "aws:iam/role:Role", "roles-consumer-role"), "assumeRolePolicy")
        assert trust["Statement"][0]["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}

    return pulumi.Output.from_input(check())


@pulumi.runtime.test
def test_signing_key_is_asymmetric_p256_without_rotation(graph: PlanMonitor) -> pulumi.Output[None]:
    _roles()

    async def check() -> None:
        await settled()
        key = one(graph, "aws:kms/key:Key").inputs
        assert key["keyUsage"] == "SIGN_VERIFY"
        assert key["customerMasterKeySpec"] == "ECC_NIST_P256"
        assert key["enableKeyRotation"] is False
        assert len(resources(graph, "aws:iam/role:Role")) == 2

    return pulumi.Output.from_input(check())

"""SNS controls (controls.md section 1B)."""

from __future__ import annotations

from provisioner.controls import _policy as policy
from provisioner.controls._common import (
    arn_region,
    customer_key_problem,
    enabled,
    key_evidence,
    param,
)
from provisioner.controls._types import define, not_applicable, verdict
from provisioner.findings import CheckResult, Severity
from provisioner.inventory.models import Inventory, Kind, Role, Subscription, Topic
from provisioner.profiles import ANY_REGION, Parameters

# EventBridge delivers to SNS without aws:SourceArn/aws:SourceAccount on its calls, so a
# conditioned statement drops events silently (controls.md section 4 iv): accepted unconditioned.
UNCONDITIONED_SERVICES = frozenset({"events.amazonaws.com"})
SOURCE_KEYS = ("aws:SourceArn", "aws:SourceAccount", "aws:SourceOwner")

# Protocols whose failed deliveries SNS can send to a subscription dead-letter queue.
REDRIVE_PROTOCOLS = frozenset({"sqs", "lambda", "https", "firehose"})
SIGNED_PROTOCOLS = frozenset({"https", "email", "email-json"})


@define("SNS-ENC-CMK", Kind.TOPIC, Severity.HIGH, reads=(Kind.KEY,))
def sns_topic_encrypted_with_cmk(
    topic: Topic, params: Parameters, inventory: Inventory
) -> CheckResult:
    key, problem = customer_key_problem(inventory, topic.kms_master_key_id)
    return verdict(
        [problem] if problem else [],
        f"topic {topic.name}",
        "encrypted with the stack's customer managed key",
        kms_master_key_id=topic.kms_master_key_id,
        **key_evidence(key),
    )


@define("SNS-TLS-ONLY", Kind.TOPIC, Severity.HIGH, parameters=("transport.tls_only",))
def sns_topic_denies_insecure_transport(
    topic: Topic, params: Parameters, inventory: Inventory
) -> CheckResult:
    if not enabled(params, "transport.tls_only"):
        return not_applicable(f"topic {topic.name}: the profile does not require TLS-only")
    ok = policy.denies_insecure_transport(topic.policy, "sns:Publish", [topic.arn])
    return verdict(
        [] if ok else ["policy has no Deny of sns:Publish to * when aws:SecureTransport is false"],
        f"topic {topic.name}",
        "policy denies publishing without TLS",
        has_policy=topic.policy is not None,
        tls_deny_statement=ok,
    )


@define("SNS-NO-PUBLIC", Kind.TOPIC, Severity.CRITICAL)
def sns_topic_not_public(topic: Topic, params: Parameters, inventory: Inventory) -> CheckResult:
    public = [policy.statement_label(s) for s in policy.public_allows(topic.policy)]
    unscoped_services = [
        f"{policy.statement_label(s)} ({', '.join(policy.service_principals(s))})"
        for s in policy.allows(topic.policy)
        if policy.service_principals(s)
        and not set(policy.service_principals(s)) <= UNCONDITIONED_SERVICES
        and not policy.narrowing_keys(s, SOURCE_KEYS)
    ]
    problems = []
    if public:
        problems.append(f"policy allows any principal without a narrowing condition ({public})")
    if unscoped_services:
        problems.append(
            "service principals are not narrowed by aws:SourceArn/aws:SourceAccount "
            f"({'; '.join(unscoped_services)})"
        )
    return verdict(
        problems,
        f"topic {topic.name}",
        "policy allows no anonymous or unscoped service access",
        public_statements=public,
        unscoped_service_statements=unscoped_services,
    )


@define(
    "SNS-SUB-SECURE",
    Kind.SUBSCRIPTION,
    Severity.HIGH,
    parameters=("regions.allowed",),
    reads=(Kind.TOPIC,),
)
def sns_subscription_delivers_securely(
    subscription: Subscription, params: Parameters, inventory: Inventory
) -> CheckResult:
    protocol = subscription.protocol
    topic = inventory.lookup(subscription.topic_arn)
    signature_version = topic.signature_version if isinstance(topic, Topic) else None
    evidence: dict[str, object] = {
        "protocol": protocol,
        "endpoint": subscription.endpoint,
        "redrive_dlq": subscription.redrive_policy_dlq_arn,
        "topic_signature_version": signature_version,
        "pending_confirmation": subscription.pending_confirmation,
    }
    problems = []
    if protocol == "http":
        problems.append("delivers over plain HTTP")
    if protocol in REDRIVE_PROTOCOLS and not subscription.redrive_policy_dlq_arn:
        problems.append("has no dead-letter queue for failed deliveries")
    if protocol in SIGNED_PROTOCOLS and signature_version != 2:
        problems.append(f"topic signs with SignatureVersion {signature_version}, not 2 (SHA256)")
    allowed = param(params, "regions.allowed") or [ANY_REGION]
    region = arn_region(subscription.endpoint)
    if region is not None and ANY_REGION not in allowed and region not in allowed:
        problems.append(f"endpoint is in {region}, outside the allowed regions")
    return verdict(
        problems,
        f"subscription {subscription.arn} ({protocol})",
        "delivers over TLS with a dead-letter queue",
        **evidence,
    )


def _publishes_to(role: Role, topic: Topic) -> bool:
    return any(
        policy.grants_action(s, "sns:Publish") and policy.covers_resource(s, topic.arn)
        for _name, document in role.identity_policies()
        for s in policy.allows(document)
    )


@define("SNS-PUBLISHER-KMS", Kind.ROLE, Severity.MEDIUM, reads=(Kind.TOPIC, Kind.KEY))
def sns_publisher_holds_only_topic_key(
    role: Role, params: Parameters, inventory: Inventory
) -> CheckResult:
    subject = f"role {role.name}"
    topics = [t for t in inventory.topics if t.kms_master_key_id and _publishes_to(role, t)]
    if not topics:
        return not_applicable(f"{subject}: publishes to no encrypted topic of the stack")
    statements = [s for _n, doc in role.identity_policies() for s in policy.allows(doc)]
    problems = []
    keys: list[str] = []
    for topic in topics:
        reference = topic.kms_master_key_id or ""
        key = inventory.key(reference)
        key_arn = key.arn if key is not None else reference
        keys.append(key_arn)
        for action in ("kms:GenerateDataKey", "kms:Decrypt"):
            exact = any(
                policy.grants_action(s, action) and key_arn in policy.resources(s)
                for s in statements
            )
            if not exact:
                problems.append(f"lacks {action} on {key_arn} (key of topic {topic.name})")
    broad = sorted(
        {
            a
            for s in statements
            if "*" in policy.resources(s)
            for a in policy.actions(s)
            if a.lower().startswith("kms:") or a == "*"
        }
    )
    if broad:
        problems.append(f"grants {', '.join(broad)} on Resource '*'")
    return verdict(
        problems,
        subject,
        "holds kms:GenerateDataKey and kms:Decrypt on exactly its topics' keys",
        topics=[t.arn for t in topics],
        topic_keys=keys,
        kms_actions_on_any_resource=broad,
    )

"""SQS controls (controls.md section 1A). Stricter than Prowler and cdk-nag where they are lax."""

from __future__ import annotations

from provisioner.controls import _policy as policy
from provisioner.controls._common import customer_key_problem, enabled, key_evidence, param
from provisioner.controls._index import derived
from provisioner.controls._types import define, not_applicable, passed, verdict
from provisioner.findings import CheckResult, Severity
from provisioner.inventory.models import Inventory, Kind, Queue, Subscription
from provisioner.profiles import Parameters


def is_dead_letter_queue(queue: Queue, inventory: Inventory) -> bool:
    """A queue another queue or a subscription sends its failures to, or that declares itself
    one with a byQueue redrive-allow policy (so detaching it from its source does not turn it
    into a source queue with different limits)."""
    allow = queue.redrive_allow_policy
    return (
        queue.is_dlq
        or (allow is not None and allow.permission == "byQueue")
        or queue.arn in derived(inventory).dead_letter_targets
    )


def _queue_key_arn(queue: Queue, inventory: Inventory) -> str | None:
    if not queue.kms_master_key_id:
        return None
    key = inventory.key(queue.kms_master_key_id)
    return key.arn if key is not None else queue.kms_master_key_id


@define(
    "SQS-ENC-CMK",
    Kind.QUEUE,
    Severity.HIGH,
    parameters=("queue.data_key_reuse_seconds",),
    reads=(Kind.KEY,),
)
def sqs_queue_encrypted_with_cmk(
    queue: Queue, params: Parameters, inventory: Inventory
) -> CheckResult:
    evidence = {
        "kms_master_key_id": queue.kms_master_key_id,
        "sqs_managed_sse": queue.sqs_managed_sse,
        "data_key_reuse_seconds": queue.data_key_reuse_seconds,
    }
    subject = f"queue {queue.name}"
    if not queue.kms_master_key_id:
        reason = "uses SSE-SQS, not a customer managed key" if queue.sqs_managed_sse else ""
        return verdict([reason or "is not encrypted with a KMS key"], subject, "", **evidence)
    key, problem = customer_key_problem(inventory, queue.kms_master_key_id)
    evidence.update(key_evidence(key))
    problems = [problem] if problem else []
    limit = param(params, "queue.data_key_reuse_seconds")
    if limit is not None and queue.data_key_reuse_seconds > limit:
        problems.append(f"data key reuse {queue.data_key_reuse_seconds} s exceeds {limit} s")
    return verdict(problems, subject, "encrypted with the stack's customer managed key", **evidence)


@define("SQS-TLS-ONLY", Kind.QUEUE, Severity.HIGH, parameters=("transport.tls_only",))
def sqs_queue_denies_insecure_transport(
    queue: Queue, params: Parameters, inventory: Inventory
) -> CheckResult:
    if not enabled(params, "transport.tls_only"):
        return not_applicable(f"queue {queue.name}: the profile does not require TLS-only")
    ok = policy.denies_insecure_transport(queue.policy, "sqs:SendMessage", [queue.arn])
    ok = ok and policy.denies_insecure_transport(queue.policy, "sqs:ReceiveMessage", [queue.arn])
    return verdict(
        [] if ok else ["policy has no Deny of sqs:* to * when aws:SecureTransport is false"],
        f"queue {queue.name}",
        "policy denies requests without TLS",
        has_policy=queue.policy is not None,
        tls_deny_statement=ok,
    )


@define(
    "SQS-DLQ",
    Kind.QUEUE,
    Severity.MEDIUM,
    parameters=("queue.dlq_required", "queue.max_receive_count"),
    reads=(Kind.KEY, Kind.SUBSCRIPTION),
)
def sqs_queue_has_dead_letter_queue(
    queue: Queue, params: Parameters, inventory: Inventory
) -> CheckResult:
    subject = f"queue {queue.name}"
    if not enabled(params, "queue.dlq_required"):
        return not_applicable(f"{subject}: the profile does not require dead-letter queues")
    if is_dead_letter_queue(queue, inventory):
        return not_applicable(f"{subject}: is a dead-letter queue")
    redrive = queue.redrive_policy
    if redrive is None:
        return verdict(["has no dead-letter queue (no RedrivePolicy)"], subject, "")
    evidence: dict[str, object] = {
        "dead_letter_target_arn": redrive.dead_letter_target_arn,
        "max_receive_count": redrive.max_receive_count,
        "retention_seconds": queue.retention_seconds,
    }
    problems: list[str] = []
    limit = param(params, "queue.max_receive_count")
    if limit is not None and redrive.max_receive_count > limit:
        problems.append(f"maxReceiveCount {redrive.max_receive_count} exceeds {limit}")
    dlq = inventory.lookup(redrive.dead_letter_target_arn)
    if not isinstance(dlq, Queue):
        problems.append(f"dead-letter queue {redrive.dead_letter_target_arn} is not in the stack")
        return verdict(problems, subject, "", **evidence)
    allow = dlq.redrive_allow_policy
    sources = derived(inventory).sources_of.get(dlq.arn, frozenset())
    evidence.update(
        dlq_retention_seconds=dlq.retention_seconds,
        dlq_redrive_permission=allow.permission if allow else None,
        dlq_redrive_sources=sorted(allow.source_queue_arns) if allow else [],
        dlq_kms_master_key_id=dlq.kms_master_key_id,
    )
    if allow is None or allow.permission != "byQueue":
        problems.append(f"DLQ {dlq.name} does not restrict redrive to its source queues (byQueue)")
    else:
        strangers = sorted(set(allow.source_queue_arns) - sources)
        if queue.arn not in allow.source_queue_arns:
            problems.append(f"DLQ {dlq.name} redrive-allow policy does not name this queue")
        if strangers:
            problems.append(f"DLQ {dlq.name} also allows {', '.join(strangers)}")
    if dlq.retention_seconds < queue.retention_seconds:
        problems.append(
            f"DLQ retention {dlq.retention_seconds} s is shorter than the queue's "
            f"{queue.retention_seconds} s"
        )
    if _queue_key_arn(dlq, inventory) != _queue_key_arn(queue, inventory):
        problems.append(f"DLQ {dlq.name} is not encrypted with the queue's key")
    if dlq.fifo != queue.fifo:
        problems.append(f"DLQ {dlq.name} FIFO-ness differs from the queue's")
    return verdict(problems, subject, f"dead-letters to {dlq.name}", **evidence)


@define(
    "SQS-RETENTION-MAX",
    Kind.QUEUE,
    Severity.MEDIUM,
    parameters=("queue.max_message_retention_seconds", "queue.dlq_retention_seconds"),
    reads=(Kind.SUBSCRIPTION,),
)
def sqs_queue_retention_within_maximum(
    queue: Queue, params: Parameters, inventory: Inventory
) -> CheckResult:
    is_dlq = is_dead_letter_queue(queue, inventory)
    path = "queue.dlq_retention_seconds" if is_dlq else "queue.max_message_retention_seconds"
    limit = param(params, path)
    evidence = {"retention_seconds": queue.retention_seconds, "maximum": limit, "is_dlq": is_dlq}
    subject = f"{'dead-letter queue' if is_dlq else 'queue'} {queue.name}"
    if limit is None:
        return not_applicable(f"{subject}: the profile sets no maximum", **evidence)
    if queue.retention_seconds > limit:
        return verdict(
            [f"keeps messages {queue.retention_seconds} s, above the maximum {limit} s"],
            subject,
            "",
            **evidence,
        )
    return passed(
        f"{subject}: keeps messages {queue.retention_seconds} s (max {limit})", **evidence
    )


# Statements that pass an SQS queue policy with a wildcard principal only when narrowed.
def _full_access_statements(queue: Queue) -> list[str]:
    found = []
    for index, statement in enumerate(policy.allows(queue.policy)):
        if any(a.lower() in ("sqs:*", "*") for a in policy.actions(statement)):
            found.append(policy.statement_label(statement, index))
    return found


@define("SQS-NO-PUBLIC", Kind.QUEUE, Severity.CRITICAL)
def sqs_queue_not_public(queue: Queue, params: Parameters, inventory: Inventory) -> CheckResult:
    public = [policy.statement_label(s) for s in policy.public_allows(queue.policy)]
    full = _full_access_statements(queue)
    problems = []
    if public:
        problems.append(f"policy allows any principal without a narrowing condition ({public})")
    if full:
        problems.append(f"policy allows sqs:* ({full})")
    return verdict(
        problems,
        f"queue {queue.name}",
        "policy allows no anonymous or full access",
        public_statements=public,
        full_access_statements=full,
    )


@define(
    "SQS-SNS-SCOPED",
    Kind.SUBSCRIPTION,
    Severity.HIGH,
    reads=(Kind.QUEUE, Kind.KEY),
)
def sqs_queue_accepts_only_its_topics(
    subscription: Subscription, params: Parameters, inventory: Inventory
) -> CheckResult:
    if subscription.protocol != "sqs":
        return not_applicable(f"subscription {subscription.arn}: not an SQS subscription")
    queue = inventory.lookup(subscription.endpoint)
    if not isinstance(queue, Queue):
        return not_applicable(
            f"subscription {subscription.arn}: queue {subscription.endpoint} is outside the stack"
        )
    topic_arn = subscription.topic_arn
    scoped = [
        policy.statement_label(s)
        for s in policy.allows(queue.policy)
        if "sns.amazonaws.com" in policy.service_principals(s)
        and policy.grants_action(s, "sqs:SendMessage")
        and policy.covers_resource(s, queue.arn)
        and topic_arn in policy.condition_values(s, "aws:SourceArn")
    ]
    unscoped = [
        policy.statement_label(s)
        for s in policy.allows(queue.policy)
        if "sns.amazonaws.com" in policy.service_principals(s)
        and policy.grants_action(s, "sqs:SendMessage")
        and not policy.narrowing_keys(s, ("aws:SourceArn", "aws:SourceAccount"))
    ]
    problems = []
    if not scoped:
        problems.append(
            f"queue policy has no Allow of sqs:SendMessage to sns.amazonaws.com "
            f"with aws:SourceArn = {topic_arn}"
        )
    if unscoped:
        problems.append(f"queue policy lets any topic send ({', '.join(unscoped)})")
    evidence: dict[str, object] = {
        "queue": queue.arn,
        "topic": topic_arn,
        "scoped_statements": scoped,
        "unscoped_statements": unscoped,
    }
    if queue.kms_master_key_id:
        key, problem = customer_key_problem(inventory, queue.kms_master_key_id)
        if key is None:
            problems.append(f"SNS cannot deliver: queue {problem}")
        else:
            grants = [
                policy.statement_label(s)
                for s in policy.allows(key.policy)
                if "sns.amazonaws.com" in policy.service_principals(s)
                and policy.grants_action(s, "kms:GenerateDataKey")
                and policy.grants_action(s, "kms:Decrypt")
            ]
            evidence.update(key_arn=key.arn, key_statements_for_sns=grants)
            if not grants:
                problems.append(
                    f"key {key.arn} does not let sns.amazonaws.com use it "
                    "(kms:GenerateDataKey*, kms:Decrypt)"
                )
    return verdict(
        problems,
        f"queue {queue.name} subscribed to {topic_arn}",
        "accepts SNS deliveries from this topic only",
        **evidence,
    )

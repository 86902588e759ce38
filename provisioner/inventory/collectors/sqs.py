"""SQS queues: list once, then per queue of the stack all its attributes (one call; two when
the tag sweep is refused and the queue's tags must be read too)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from provisioner.inventory._normalize import (
    as_bool,
    as_str,
    int_or,
    mark_dead_letter_queues,
    parse_policy,
    parse_redrive_allow_policy,
    parse_redrive_policy,
)
from provisioner.inventory.collectors._base import CollectorContext, optional, paginate
from provisioner.inventory.models import AnyResource, Kind, Queue

KINDS = (Kind.QUEUE,)
GONE = ("QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue")


def queue_arn(url: str, region: str) -> str:
    """The ARN a queue URL names: https://host/<account>/<name>."""
    account, name = urlparse(url).path.strip("/").split("/")[-2:]
    return f"arn:aws:sqs:{region}:{account}:{name}"


def collect(ctx: CollectorContext) -> dict[Kind, tuple[AnyResource, ...]]:
    client = ctx.client("sqs")
    urls = paginate(client, "list_queues", "QueueUrls", PaginationConfig={"PageSize": 1000})
    wanted = ctx.scope.by_arns("arn:aws:sqs:")
    known_tags = ctx.stack_tags("sqs")
    if wanted is not None:
        urls = [u for u in urls if queue_arn(u, ctx.region) in wanted]
    elif known_tags is not None:
        urls = [u for u in urls if queue_arn(u, ctx.region) in known_tags]

    def read(url: str) -> Queue | None:
        tags = dict((known_tags or {}).get(queue_arn(url, ctx.region)) or {})
        if not tags:  # not in the tag sweep (refused, or an output ARN without the stack tag)
            listed = optional(lambda: client.list_queue_tags(QueueUrl=url), *GONE)
            if listed is None:
                return None  # deleted since the listing
            tags = listed.get("Tags") or {}
            if wanted is None and not ctx.scope.tagged(tags):
                return None  # not the stack's
        attributes = optional(
            lambda: client.get_queue_attributes(QueueUrl=url, AttributeNames=["All"]), *GONE
        )
        if attributes is None:
            return None
        return queue_from_attributes(url, attributes.get("Attributes") or {}, tags)

    queues = [q for q in ctx.map(read, urls) if q is not None]
    return {Kind.QUEUE: mark_dead_letter_queues(queues)}


def queue_from_attributes(url: str, attributes: dict[str, Any], tags: dict[str, str]) -> Queue:
    arn = str(attributes.get("QueueArn") or "")
    name = arn.rsplit(":", 1)[-1] if arn else url.rstrip("/").rsplit("/", 1)[-1]
    return Queue(
        arn=arn,
        name=name,
        url=url,
        fifo=as_bool(attributes.get("FifoQueue")),
        kms_master_key_id=as_str(attributes.get("KmsMasterKeyId")),
        sqs_managed_sse=as_bool(attributes.get("SqsManagedSseEnabled")),
        data_key_reuse_seconds=int_or(attributes.get("KmsDataKeyReusePeriodSeconds"), 300),
        retention_seconds=int_or(attributes.get("MessageRetentionPeriod"), 345_600),
        visibility_timeout_seconds=int_or(attributes.get("VisibilityTimeout"), 30),
        redrive_policy=parse_redrive_policy(attributes.get("RedrivePolicy")),
        redrive_allow_policy=parse_redrive_allow_policy(attributes.get("RedriveAllowPolicy")),
        policy=parse_policy(attributes.get("Policy")),
        tags=tags,
    )

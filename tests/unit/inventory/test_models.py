"""The inventory finds a resource by any name controls use for it, and reports gaps."""

from __future__ import annotations

from provisioner.inventory.models import (
    CollectionError,
    Inventory,
    Key,
    Kind,
    LogGroup,
    Queue,
)

KEY = Key(
    arn="arn:aws:kms:us-east-1:123456789012:key/1234abcd",
    key_id="1234abcd",
    aliases=("alias/pci-prod-data",),
)
QUEUE = Queue(
    arn="arn:aws:sqs:us-east-1:123456789012:orders",
    name="orders",
    url="http://127.0.0.1:5000/123456789012/orders",
)
LOG_GROUP = LogGroup(
    name="/aws/cloudtrail/pci",
    arn="arn:aws:logs:us-east-1:123456789012:log-group:/aws/cloudtrail/pci:*",
)


def _inventory() -> Inventory:
    return Inventory(
        source="live",
        account="123456789012",
        region="us-east-1",
        keys=(KEY,),
        queues=(QUEUE,),
        log_groups=(LOG_GROUP,),
        errors={Kind.TOPIC: CollectionError(kind=Kind.TOPIC, message="AccessDenied")},
    )


def test_key_is_found_by_arn_id_alias_and_alias_arn() -> None:
    inventory = _inventory()
    for name in (
        KEY.arn,
        "1234abcd",
        "alias/pci-prod-data",
        "arn:aws:kms:us-east-1:123456789012:alias/pci-prod-data",
    ):
        assert inventory.key(name) is KEY, name
    assert inventory.key("alias/aws/sqs") is None
    assert inventory.key(None) is None


def test_queue_is_found_by_arn_url_and_name_but_is_not_a_key() -> None:
    inventory = _inventory()
    assert inventory.lookup(QUEUE.url) is QUEUE
    assert inventory.lookup("orders") is QUEUE
    assert inventory.key(QUEUE.arn) is None


def test_log_group_arn_matches_with_or_without_the_star_suffix() -> None:
    inventory = _inventory()
    assert (
        inventory.lookup("arn:aws:logs:us-east-1:123456789012:log-group:/aws/cloudtrail/pci")
        is LOG_GROUP
    )
    assert inventory.lookup(LOG_GROUP.arn) is LOG_GROUP


def test_kinds_and_errors() -> None:
    inventory = _inventory()
    assert inventory.of_kind(Kind.QUEUE) == (QUEUE,)
    assert inventory.of_kind("key") == (KEY,)
    assert inventory.error_for("topic") is not None
    assert inventory.error_for(Kind.QUEUE) is None
    assert {r.resource_id for r in inventory.all_resources()} == {KEY.arn, QUEUE.arn, LOG_GROUP.arn}

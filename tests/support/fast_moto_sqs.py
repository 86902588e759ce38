"""Indexes and one clock read per scan for moto's SQS, so 10,000-message queues are testable.

moto finds the message behind a receipt handle by scanning the whole queue (building a list of
each message's handles on the way), checks each received message's retention through the
queue's full attribute set (whose message counts scan the whole queue again), and filters the
whole queue on every receive reading the clock through datetime twice per message. An erasure
over a 10,000-message queue is then O(n^2) with a large constant: hours.

This keeps an index from every handle a message ever had to the message, reads the retention
period directly, and reads the clock once per scan. It also makes moto's pending-group lookup
take a snapshot of the in-flight set first: with 10,000 messages and concurrent clients, moto's
threaded server otherwise fails receives with "Set changed size during iteration" (HTTP 500).
moto's semantics are otherwise unchanged:
deleting twice is accepted, a handle of a deleted or unknown message is ReceiptHandleIsInvalid,
visibility is capped at 12 hours from sending, a message is visible after `visible_at` and not
delayed from `delayed_until`. Only the tests' in-process moto server is patched, and only while
the context is active.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def indexed_receipt_handles() -> Iterator[None]:
    from moto.core.utils import unix_time, unix_time_millis
    from moto.sqs import models
    from moto.sqs.exceptions import InvalidParameterValue, ReceiptHandleIsInvalid

    index: dict[str, Any] = {}
    original_mark_received = models.Message.mark_received
    original_delete = models.Queue.delete_message
    original_change_visibility = models.SQSBackend.change_message_visibility
    original_messages = models.Queue.messages
    original_retention_check = models.SQSBackend.is_message_valid_based_on_retention_period

    def within_retention(self: Any, queue_name: str, message: Any) -> bool:
        retention_seconds = int(self.get_queue(queue_name).message_retention_period)
        return bool(retention_seconds + message.sent_timestamp / 1000 > unix_time())

    original_delayed = models.Queue.approximate_number_of_messages_delayed
    original_pending_groups = models.Queue.pending_message_groups

    def pending_groups(self: Any) -> set[str]:
        in_flight = list(self._pending_messages)  # one C-level copy: no other thread interleaves
        return {m.group_id for m in in_flight if m.group_id is not None}

    original_not_visible = models.Queue.approximate_number_of_messages_not_visible

    def visible_messages(self: Any) -> list[Any]:
        now = unix_time_millis()
        return [m for m in self._messages if now > m.visible_at and not now < m.delayed_until]

    # Every send reads the queue's whole attribute set, and with it these two counts.
    def delayed_count(self: Any) -> int:
        now = unix_time_millis()
        return sum(1 for m in self._messages if now < m.delayed_until)

    def not_visible_count(self: Any) -> int:
        now = unix_time_millis()
        return sum(1 for m in self._messages if not now > m.visible_at)

    def mark_received(self: Any, visibility_timeout: int | None = None) -> None:
        original_mark_received(self, visibility_timeout)
        index[self.receipt_handle] = self

    def live_message(queue: Any, receipt_handle: str) -> Any:
        message = index.get(receipt_handle)
        # `in` on the list compares identities in C: cheap next to moto's Python scan.
        if message is None or message not in queue._messages:
            raise ReceiptHandleIsInvalid()
        return message

    def delete_message(self: Any, receipt_handle: str) -> None:
        if receipt_handle in self.deleted_messages:
            return
        message = live_message(self, receipt_handle)
        self._messages.remove(message)
        self.pending_messages.discard(message)
        handles = [h for h in message.all_receipt_handles if h is not None]
        self.deleted_messages.update(handles)
        for handle in handles:
            index.pop(handle, None)

    def change_message_visibility(
        self: Any, queue_name: str, receipt_handle: str, visibility_timeout: int
    ) -> None:
        queue = self.get_queue(queue_name)
        message = live_message(queue, receipt_handle)
        deadline = unix_time_millis() + int(visibility_timeout) * 1000
        if deadline - message.sent_timestamp > 43200 * 1000:
            raise InvalidParameterValue(
                f"Value {visibility_timeout} for parameter VisibilityTimeout is invalid. "
                "Reason: Total VisibilityTimeout for the message is beyond the limit "
                "[43200 seconds]"
            )
        message.change_visibility(visibility_timeout)
        if message.visible and message in queue.pending_messages:
            queue.pending_messages.remove(message)

    models.Message.mark_received = mark_received  # type: ignore[method-assign]
    models.Queue.messages = property(visible_messages)  # type: ignore[method-assign,assignment]
    models.Queue.pending_message_groups = property(pending_groups)  # type: ignore[method-assign,assignment]
    models.Queue.approximate_number_of_messages_delayed = property(delayed_count)  # type: ignore[method-assign,assignment]
    models.Queue.approximate_number_of_messages_not_visible = property(not_visible_count)  # type: ignore[method-assign,assignment]
    models.SQSBackend.is_message_valid_based_on_retention_period = within_retention  # type: ignore[method-assign]
    models.Queue.delete_message = delete_message  # type: ignore[method-assign]
    models.SQSBackend.change_message_visibility = change_message_visibility  # type: ignore[method-assign]
    try:
        yield
    finally:
        models.Message.mark_received = original_mark_received  # type: ignore[method-assign]
        models.Queue.messages = original_messages  # type: ignore[method-assign]
        models.Queue.pending_message_groups = original_pending_groups  # type: ignore[method-assign]
        models.Queue.approximate_number_of_messages_delayed = original_delayed  # type: ignore[method-assign]
        models.Queue.approximate_number_of_messages_not_visible = original_not_visible  # type: ignore[method-assign]
        models.SQSBackend.is_message_valid_based_on_retention_period = original_retention_check  # type: ignore[method-assign]
        models.Queue.delete_message = original_delete  # type: ignore[method-assign]
        models.SQSBackend.change_message_visibility = original_change_visibility  # type: ignore[method-assign]

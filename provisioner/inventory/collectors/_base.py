"""What every collector shares: clients with adaptive retries, the stack scope, a thread pool,
and a guard that stops all calls at once when the endpoint is gone."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from botocore.config import Config
from botocore.exceptions import ClientError, ConnectTimeoutError, EndpointConnectionError

from provisioner.inventory.collectors._tag_index import StackTagIndex

if TYPE_CHECKING:
    import boto3

STACK_TAG = "provisioner:stack"
RESOURCE_WORKERS = 16
RETRIES: Mapping[str, Any] = {"mode": "adaptive", "max_attempts": 8}

UNREACHABLE = (EndpointConnectionError, ConnectTimeoutError)

T = TypeVar("T")
R = TypeVar("R")


class EndpointUnreachableError(Exception):
    """Raised instead of sending once any call found the endpoint unreachable."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.cause = cause


class EndpointGuard:
    """Trips on the first connection failure so the other calls fail fast instead of each
    sleeping through eight retries against an endpoint that is gone."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.cause: BaseException | None = None

    @property
    def tripped(self) -> bool:
        return self.cause is not None

    def on_needs_retry(
        self, attempts: int = 0, caught_exception: BaseException | None = None, **_: Any
    ) -> int | None:
        if isinstance(caught_exception, UNREACHABLE):
            with self._lock:
                self.cause = self.cause or caught_exception
            if attempts <= 1:
                return 0  # retry at once: the attempt is then refused by `on_before_send`
        return None  # the client's own retry policy decides

    def on_before_send(self, **_: Any) -> None:
        if self.cause is not None:
            raise EndpointUnreachableError(self.cause)

    def install(self, client: Any) -> None:
        client.meta.events.register_first("needs-retry", self.on_needs_retry)
        client.meta.events.register("before-send", self.on_before_send)


@dataclass(frozen=True)
class Scope:
    """Which resources belong to the stack: the output ARNs when given, else the stack tag.

    Output ARNs only narrow a service they name; a service with no output ARN falls back to
    the tag, so a stack whose outputs list only queues still finds its security groups.
    """

    stack_name: str
    output_arns: frozenset[str] | None = None

    def by_arns(self, arn_prefix: str) -> frozenset[str] | None:
        """The output ARNs of one service (e.g. "arn:aws:sqs:"), or None to discover by tag."""
        if not self.output_arns:
            return None
        selected = frozenset(a for a in self.output_arns if a.startswith(arn_prefix))
        return selected or None

    def tagged(self, tags: Mapping[str, str]) -> bool:
        return tags.get(STACK_TAG) == self.stack_name


@dataclass
class CollectorContext:
    """Everything a collector is given: one session, one region, one endpoint, one scope."""

    session: boto3.Session
    region: str
    account: str
    scope: Scope
    endpoint_url: str | None = None
    guard: EndpointGuard = field(default_factory=EndpointGuard)
    workers: int = RESOURCE_WORKERS
    _clients: dict[tuple[str, str], Any] = field(default_factory=dict, repr=False)
    _clients_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _tag_index: StackTagIndex = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._tag_index = StackTagIndex(
            (STACK_TAG, self.scope.stack_name), lambda: self.client("resourcegroupstaggingapi")
        )

    def stack_tags(self, service: str) -> Mapping[str, Mapping[str, str]] | None:
        """ARN -> tags of the stack's resources of `service` from the one tagging sweep the
        collectors share; None when they must read each resource's tags (see _tag_index)."""
        return self._tag_index.tags_of(service)

    def client(self, service: str, region: str | None = None) -> Any:
        """The one client of `service` in `region` (default: the context's), made on first use.

        Clients are made under a lock: building one is pure CPU (loading the service model),
        so building several at once in threads only makes them contend for the GIL.
        """
        key = (service, region or self.region)
        with self._clients_lock:
            client = self._clients.get(key)
            if client is None:
                config = Config(retries=dict(RETRIES), max_pool_connections=self.workers)  # type: ignore[arg-type]
                client = self.session.client(
                    service,  # type: ignore[call-overload]
                    region_name=key[1],
                    endpoint_url=self.endpoint_url,
                    config=config,
                )
                self.guard.install(client)
                self._clients[key] = client
            return client

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """`fn` over `items` across the resource pool, results in input order."""
        items = list(items)
        if len(items) <= 1:
            return [fn(item) for item in items]
        with ThreadPoolExecutor(max_workers=min(self.workers, len(items))) as pool:
            return list(pool.map(fn, items))


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def optional(call: Callable[[], T], *absent_codes: str) -> T | None:
    """The call's result, or None when AWS answers that the thing is not configured."""
    try:
        return call()
    except ClientError as error:
        if error_code(error) in absent_codes:
            return None
        raise


def paginate(client: Any, operation: str, key: str, **kwargs: Any) -> list[Any]:
    """Every item under `key` across all pages of `operation`."""
    items: list[Any] = []
    for page in client.get_paginator(operation).paginate(**kwargs):
        items.extend(page.get(key) or ())
    return items

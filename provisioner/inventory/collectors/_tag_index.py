"""The stack's queues, topics and keys with their tags, from one Resource Groups Tagging API sweep.

Those are the kinds a stack has many of. Reading each one's tags to learn whether it belongs to
the stack costs a call per resource of the whole account (ListQueueTags, ListTagsForResource,
ListResourceTags); one paginated GetResources filtered on the stack tag returns the stack's
resources of all three services with their tags, 100 to a page.

The sweep is an optimisation, never a source of truth: collectors still list each service and
only judge what that listing returns (the tagging index can briefly lag behind creations and
deletions), and when the sweep is refused (no `tag:GetResources` permission, a partition
without the API) they fall back to reading each resource's tags.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any

from botocore.exceptions import ClientError

from provisioner.inventory._normalize import tags_from_list

log = logging.getLogger(__name__)

INDEXED_SERVICES = ("sqs", "sns", "kms")
PAGE_SIZE = 100  # GetResources' maximum ResourcesPerPage

Tags = Mapping[str, str]


class StackTagIndex:
    """ARN -> tags of the stack's resources of INDEXED_SERVICES, swept once on first use."""

    def __init__(self, tag: tuple[str, str], client_factory: Callable[[], Any]) -> None:
        self._tag = tag  # (key, value) of the stack tag
        self._client_factory = client_factory
        self._lock = threading.Lock()
        self._swept = False
        self._by_service: dict[str, dict[str, Tags]] | None = None

    def tags_of(self, service: str) -> Mapping[str, Tags] | None:
        """The stack's resources of `service` and their tags; None when the sweep was refused."""
        if service not in INDEXED_SERVICES:
            raise ValueError(f"{service} is not swept by the tag index")
        with self._lock:  # the first collector sweeps; the others wait for its result
            if not self._swept:
                self._by_service = self._sweep()
                self._swept = True
        if self._by_service is None:
            return None
        return self._by_service.get(service, {})

    def _sweep(self) -> dict[str, dict[str, Tags]] | None:
        key, value = self._tag
        pages = (
            self._client_factory()
            .get_paginator("get_resources")
            .paginate(
                TagFilters=[{"Key": key, "Values": [value]}],
                ResourceTypeFilters=list(INDEXED_SERVICES),
                PaginationConfig={"PageSize": PAGE_SIZE},
            )
        )
        try:
            mappings = [m for page in pages for m in page.get("ResourceTagMappingList") or ()]
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            log.debug("tag sweep refused (%s): reading each resource's tags", code)
            return None
        by_service: dict[str, dict[str, Tags]] = {service: {} for service in INDEXED_SERVICES}
        for mapping in mappings:
            arn = str(mapping.get("ResourceARN") or "")
            service = arn.split(":")[2] if arn.count(":") >= 5 else ""
            if service in by_service:
                by_service[service][arn] = tags_from_list(mapping.get("Tags"))
        return by_service

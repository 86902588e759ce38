"""The stack's tagged resources with their tags, from one Resource Groups Tagging API sweep.

Deciding whether a queue, topic, key, bucket, alarm or log group belongs to the stack otherwise
costs a tag read per resource of the whole account (ListQueueTags, GetBucketTagging, ...): in a
real account, mostly resources of other stacks. One paginated GetResources filtered on the stack
tag returns the stack's resources of all those services with their tags, 100 to a page.

The sweep is an optimisation, never a source of truth: collectors still list each service and
only judge what that listing returns (the tagging index can briefly lag behind creations and
deletions). A service falls back to reading each resource's tags when the sweep was refused (no
`tag:GetResources` permission, a partition without the API) or found none of its resources
(the index may not cover that type there, and an empty answer cannot tell "none" from "not
indexed").
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any

from botocore.exceptions import ClientError

from provisioner.inventory._normalize import tags_from_list

log = logging.getLogger(__name__)

# service (as in the ARN) -> the resource type filter that selects the kind we judge
RESOURCE_TYPES = {
    "sqs": "sqs",
    "sns": "sns",
    "kms": "kms",
    "s3": "s3",
    "cloudwatch": "cloudwatch:alarm",
    "logs": "logs",
}
PAGE_SIZE = 100  # GetResources' maximum ResourcesPerPage

Tags = Mapping[str, str]


class StackTagIndex:
    """ARN -> tags of the stack's resources of RESOURCE_TYPES, swept once on first use."""

    def __init__(self, tag: tuple[str, str], client_factory: Callable[[], Any]) -> None:
        self._tag = tag  # (key, value) of the stack tag
        self._client_factory = client_factory
        self._lock = threading.Lock()
        self._swept = False
        self._by_service: dict[str, dict[str, Tags]] | None = None

    def tags_of(self, service: str) -> Mapping[str, Tags] | None:
        """The stack's resources of `service` and their tags; None when the caller must read
        each resource's tags itself (the sweep was refused, or found none of this service)."""
        if service not in RESOURCE_TYPES:
            raise ValueError(f"{service} is not swept by the tag index")
        with self._lock:  # the first collector sweeps; the others wait for its result
            if not self._swept:
                self._by_service = self._sweep()
                self._swept = True
        if self._by_service is None:
            return None
        return self._by_service.get(service) or None

    def _sweep(self) -> dict[str, dict[str, Tags]] | None:
        key, value = self._tag
        pages = (
            self._client_factory()
            .get_paginator("get_resources")
            .paginate(
                TagFilters=[{"Key": key, "Values": [value]}],
                ResourceTypeFilters=list(RESOURCE_TYPES.values()),
                PaginationConfig={"PageSize": PAGE_SIZE},
            )
        )
        try:
            mappings = [m for page in pages for m in page.get("ResourceTagMappingList") or ()]
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            log.debug("tag sweep refused (%s): reading each resource's tags", code)
            return None
        by_service: dict[str, dict[str, Tags]] = {service: {} for service in RESOURCE_TYPES}
        for mapping in mappings:
            arn = str(mapping.get("ResourceARN") or "").removesuffix(":*")  # log groups
            service = arn.split(":")[2] if arn.count(":") >= 5 else ""
            if service in by_service:
                by_service[service][arn] = tags_from_list(mapping.get("Tags"))
        return by_service

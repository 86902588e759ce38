"""Value parsing shared by the plan normalizer and the live collectors.

Both sides meet the same AWS shapes under two spellings (Pulumi camelCase inputs, boto3
PascalCase responses) and as JSON strings or dicts; these helpers accept either.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any
from urllib.parse import unquote

from provisioner.inventory.models import (
    AdvancedEventSelector,
    DataResource,
    EventSelector,
    FieldSelector,
    PolicyDocument,
    Queue,
    RedriveAllowPolicy,
    RedrivePolicy,
)


def parse_json(value: Any) -> Any:
    """A JSON document given as a string (possibly empty) or already parsed."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("%7B"):  # IAM documents arrive URL-encoded when not pre-decoded
            text = unquote(text)
        if not text:
            return None
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return None
    return value


def parse_policy(value: Any) -> PolicyDocument | None:
    """An IAM-style policy document: a dict, or None when absent, empty or unparseable."""
    document = parse_json(value)
    return document if isinstance(document, Mapping) and document else None


def as_bool(value: Any, default: bool = False) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes", "enabled")
    return bool(value)


def as_int(value: Any, default: int | None = None) -> int | None:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def as_str(value: Any) -> str | None:
    """A non-empty string, or None."""
    if value is None:
        return None
    text = str(value)
    return text or None


def str_tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value if v is not None)


def tags_from_mapping(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping):
        return {}
    return {str(k): str(v) for k, v in value.items() if v is not None}


def tags_from_list(value: Iterable[Mapping[str, Any]] | None) -> dict[str, str]:
    """Tags given as [{"Key": k, "Value": v}] (most services) or [{"TagKey":..}] shapes."""
    tags: dict[str, str] = {}
    for item in value or ():
        key = item.get("Key", item.get("key", item.get("TagKey")))
        if key is not None:
            tags[str(key)] = str(item.get("Value", item.get("value", item.get("TagValue", ""))))
    return tags


def _folded(mapping: Mapping[str, Any]) -> dict[str, Any]:
    """Keys lower-cased so camelCase and PascalCase spellings meet."""
    return {str(k).lower(): v for k, v in mapping.items()}


def parse_redrive_policy(value: Any) -> RedrivePolicy | None:
    document = parse_json(value)
    if not isinstance(document, Mapping):
        return None
    folded = _folded(document)
    target = as_str(folded.get("deadlettertargetarn"))
    if target is None:
        return None
    return RedrivePolicy(
        dead_letter_target_arn=target,
        max_receive_count=as_int(folded.get("maxreceivecount"), 0) or 0,
    )


def parse_redrive_allow_policy(value: Any) -> RedriveAllowPolicy | None:
    document = parse_json(value)
    if not isinstance(document, Mapping):
        return None
    folded = _folded(document)
    permission = as_str(folded.get("redrivepermission"))
    if permission is None:
        return None
    return RedriveAllowPolicy(
        permission=permission, source_queue_arns=str_tuple(folded.get("sourcequeuearns"))
    )


def _selector_key(name: str) -> str:
    # Pulumi pluralizes list fields ("startsWiths"); boto3 does not ("StartsWith")
    key = name.lower()
    return key.removesuffix("s") if key.endswith("withs") else key


def parse_advanced_event_selectors(value: Any) -> tuple[AdvancedEventSelector, ...]:
    selectors = parse_json(value)
    if not isinstance(selectors, Sequence) or isinstance(selectors, str):
        return ()
    parsed: list[AdvancedEventSelector] = []
    for selector in selectors:
        if not isinstance(selector, Mapping):
            continue
        folded = _folded(selector)
        fields: list[FieldSelector] = []
        for raw in folded.get("fieldselectors") or ():
            if not isinstance(raw, Mapping):
                continue
            item = {_selector_key(k): v for k, v in raw.items()}
            fields.append(
                FieldSelector(
                    field=str(item.get("field", "")),
                    equals=str_tuple(item.get("equals")),
                    starts_with=str_tuple(item.get("startswith")),
                    ends_with=str_tuple(item.get("endswith")),
                    not_equals=str_tuple(item.get("notequals")),
                    not_starts_with=str_tuple(item.get("notstartswith")),
                    not_ends_with=str_tuple(item.get("notendswith")),
                )
            )
        parsed.append(
            AdvancedEventSelector(name=str(folded.get("name") or ""), field_selectors=tuple(fields))
        )
    return tuple(parsed)


def parse_event_selectors(value: Any) -> tuple[EventSelector, ...]:
    selectors = parse_json(value)
    if not isinstance(selectors, Sequence) or isinstance(selectors, str):
        return ()
    parsed: list[EventSelector] = []
    for selector in selectors:
        if not isinstance(selector, Mapping):
            continue
        folded = _folded(selector)
        resources = tuple(
            DataResource(
                type=str(_folded(r).get("type", "")), values=str_tuple(_folded(r).get("values"))
            )
            for r in folded.get("dataresources") or ()
            if isinstance(r, Mapping)
        )
        parsed.append(
            EventSelector(
                read_write_type=str(folded.get("readwritetype") or "All"),
                include_management_events=as_bool(folded.get("includemanagementevents"), True),
                data_resources=resources,
            )
        )
    return tuple(parsed)


def mark_dead_letter_queues(queues: Iterable[Queue]) -> tuple[Queue, ...]:
    """Flag every queue another queue names as its dead-letter target."""
    queues = tuple(queues)
    targets = {q.redrive_policy.dead_letter_target_arn for q in queues if q.redrive_policy}
    return tuple(replace(q, is_dlq=True) if q.arn in targets else q for q in queues)


def region_of(arn: str) -> str:
    parts = arn.split(":")
    return parts[3] if len(parts) > 3 else ""


def account_of(arn: str) -> str:
    parts = arn.split(":")
    return parts[4] if len(parts) > 4 else ""


def int_or(value: Any, default: int) -> int:
    """An int, or `default` when the value is absent or not a number."""
    parsed = as_int(value)
    return default if parsed is None else parsed

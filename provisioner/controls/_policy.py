"""Reading IAM-style policy documents (resource, key, trust and identity policies).

Documents arrive parsed (dicts) from the inventory. Only what the controls need: statements,
principals, actions and resources as lists, wildcard matching the way IAM does it, and the
condition keys that narrow a statement. Condition keys are case-insensitive in IAM.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from typing import Any

Statement = Mapping[str, Any]

# Keys whose fixed value ties a statement to one account, organization, source or endpoint.
NARROWING_KEYS = frozenset(
    {
        "aws:sourcearn",
        "aws:sourceaccount",
        "aws:sourceowner",
        "aws:principalorgid",
        "aws:principalaccount",
        "aws:sourcevpce",
        "aws:sourcevpc",
        "aws:resourceaccount",
        "kms:calleraccount",
    }
)
_NARROWING_OPERATORS = frozenset(
    {"stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike"}
)


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


def statements(document: Mapping[str, Any] | None) -> list[Statement]:
    if not document:
        return []
    return [s for s in as_list(document.get("Statement")) if isinstance(s, Mapping)]


def allows(document: Mapping[str, Any] | None) -> Iterator[Statement]:
    return (s for s in statements(document) if s.get("Effect") == "Allow")


def denies(document: Mapping[str, Any] | None) -> Iterator[Statement]:
    return (s for s in statements(document) if s.get("Effect") == "Deny")


def principals(statement: Statement, kind: str | None = None) -> list[str]:
    """Principal values, all kinds or one (`AWS`, `Service`, `Federated`); `"*"` counts as AWS."""
    principal = statement.get("Principal")
    if principal is None:
        return []
    if isinstance(principal, str):
        return [principal] if kind in (None, "AWS") else []
    if not isinstance(principal, Mapping):
        return []
    found: list[str] = []
    for name, values in principal.items():
        if kind is None or name == kind:
            found.extend(str(v) for v in as_list(values))
    return found


def has_wildcard_principal(statement: Statement) -> bool:
    return "*" in principals(statement, "AWS") or statement.get("Principal") == "*"


def service_principals(statement: Statement) -> list[str]:
    return principals(statement, "Service")


def actions(statement: Statement) -> list[str]:
    return [str(a) for a in as_list(statement.get("Action"))]


def resources(statement: Statement) -> list[str]:
    return [str(r) for r in as_list(statement.get("Resource"))]


def pattern_matches(pattern: str, value: str) -> bool:
    """IAM wildcard match (`*` and `?`), case-insensitive as IAM action names are."""
    if "*" not in pattern and "?" not in pattern:
        return pattern.lower() == value.lower()  # most patterns: AWS managed policies list names
    return _wildcard(pattern.lower()).fullmatch(value.lower()) is not None


@lru_cache(maxsize=4096)
def _wildcard(pattern: str) -> re.Pattern[str]:
    """`*` and `?` are IAM's only wildcards: `[` and the rest are literal (unlike fnmatch)."""
    parts = (".".join(map(re.escape, part.split("?"))) for part in pattern.split("*"))
    return re.compile(".*".join(parts), re.DOTALL)


def grants_action(statement: Statement, action: str) -> bool:
    """The statement's Action covers `action` (NotAction statements never count as granting)."""
    return any(pattern_matches(pattern, action) for pattern in actions(statement))


def covers_resource(statement: Statement, arn: str) -> bool:
    return any(pattern_matches(pattern, arn) for pattern in resources(statement))


def conditions(statement: Statement) -> dict[str, dict[str, list[str]]]:
    """operator (lower case) -> condition key (lower case) -> values (as strings)."""
    result: dict[str, dict[str, list[str]]] = {}
    block = statement.get("Condition")
    if not isinstance(block, Mapping):
        return result
    for operator, pairs in block.items():
        if not isinstance(pairs, Mapping):
            continue
        by_key = result.setdefault(str(operator).lower(), {})
        for key, values in pairs.items():
            by_key[str(key).lower()] = [_condition_text(v) for v in as_list(values)]
    return result


def _condition_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def condition_values(statement: Statement, key: str) -> list[str]:
    """Every value `key` is compared with, under any operator."""
    key = key.lower()
    return [v for pairs in conditions(statement).values() for v in pairs.get(key, [])]


def narrowing_keys(statement: Statement, keys: Iterable[str] = NARROWING_KEYS) -> list[str]:
    """Condition keys that pin the statement to fixed values (no bare `*`)."""
    wanted = {k.lower() for k in keys}
    found: list[str] = []
    for operator, pairs in conditions(statement).items():
        if operator not in _NARROWING_OPERATORS:
            continue
        for key, values in pairs.items():
            if key in wanted and values and "*" not in values:
                found.append(key)
    return sorted(set(found))


def has_encryption_context_condition(statement: Statement) -> bool:
    return any(
        key.startswith("kms:encryptioncontext:")
        for pairs in conditions(statement).values()
        for key in pairs
    )


def denies_insecure_transport(
    document: Mapping[str, Any] | None, action: str, arns: Iterable[str]
) -> bool:
    """A Deny to everyone of `action` on every one of `arns` when `aws:SecureTransport` is false."""
    wanted = list(arns)
    for statement in denies(document):
        if not has_wildcard_principal(statement) or not grants_action(statement, action):
            continue
        secure = [
            value
            for operator, pairs in conditions(statement).items()
            if operator in ("bool", "boolifexists")
            for value in pairs.get("aws:securetransport", [])
        ]
        if secure != ["false"]:
            continue
        if all(covers_resource(statement, arn) for arn in wanted):
            return True
    return False


def public_allows(
    document: Mapping[str, Any] | None, keys: Iterable[str] = NARROWING_KEYS
) -> list[Statement]:
    """Allow statements to any principal (`*`) that no fixed-value condition narrows."""
    key_list = list(keys)
    return [
        s for s in allows(document) if has_wildcard_principal(s) and not narrowing_keys(s, key_list)
    ]


def statement_label(statement: Statement, index: int | None = None) -> str:
    sid = statement.get("Sid")
    if sid:
        return f"statement '{sid}'"
    return f"statement #{index}" if index is not None else "an unnamed statement"

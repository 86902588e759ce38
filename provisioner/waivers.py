"""Waivers: an accepted, explained and time-boxed exception to one control on some resources.

A waiver turns a matching `fail` into `waived` (never `pass`) and rides along in the report with
its reason, owner and expiry. An expired waiver covers nothing and is itself reported as a
failing finding, so a forgotten exception breaks the run instead of hiding a problem forever.
`plan` and `verify` read the same file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter, ValidationError

from provisioner.errors import BadInputError
from provisioner.findings import Finding, Severity, Status
from provisioner.yamlfile import load_yaml

EXPIRED_WAIVER_CONTROL = "waiver_not_expired"
EXPIRED_WAIVER_TITLE = "Waiver is within its expiry date"

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Waiver(BaseModel):
    """One entry of a waivers file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    control: Text = Field(description="Control id, exactly as in `provisioner controls list`.")
    resource: Text = Field(description="Resource ARN or id; shell-style glob (*, ?, [..]).")
    reason: Text
    owner: Text
    expires: dt.date

    def covers(self, finding: Finding) -> bool:
        return finding.control == self.control and fnmatchcase(finding.resource, self.resource)

    def is_expired(self, today: dt.date) -> bool:
        return self.expires < today

    def to_document(self) -> dict[str, Any]:
        return {
            "control": self.control,
            "resource": self.resource,
            "reason": self.reason,
            "owner": self.owner,
            "expires": self.expires.isoformat(),
        }


_WAIVER_LIST = TypeAdapter(list[Waiver])


@dataclass(frozen=True)
class WaiverFile:
    path: Path
    waivers: tuple[Waiver, ...]


def load_waivers(path: Path) -> WaiverFile:
    """Read and validate a waivers file; every problem is exit 2 naming the file and field."""
    document = load_yaml(path, flag="--waivers")
    if document is None:
        document = []
    if isinstance(document, dict) and set(document) == {"waivers"}:
        document = document["waivers"] or []
    if not isinstance(document, list):
        raise BadInputError(
            f"{path}: expected a list of waivers (control, resource, reason, owner, expires)"
        )
    try:
        waivers = _WAIVER_LIST.validate_python(document)
    except ValidationError as error:
        raise BadInputError(_describe(path, error)) from None
    return WaiverFile(path=path, waivers=tuple(waivers))


def _describe(path: Path, error: ValidationError) -> str:
    first = error.errors()[0]
    index, *fields = first["loc"] or ("?",)
    field = ".".join(str(part) for part in fields) or "(entry)"
    given = first.get("input")
    suffix = ""
    if first["type"] not in ("missing", "extra_forbidden") and not isinstance(given, dict | list):
        suffix = f" (got {given!r})"
    return f"{path}: waiver [{index}]: {field}: {first['msg']}{suffix}"


def apply_waivers(
    findings: Sequence[Finding], waiver_file: WaiverFile | None, today: dt.date
) -> list[Finding]:
    """Failing findings covered by a live waiver become `waived`; expired waivers fail."""
    if waiver_file is None:
        return list(findings)
    active = [w for w in waiver_file.waivers if not w.is_expired(today)]
    judged: list[Finding] = []
    for finding in findings:
        waiver = next((w for w in active if w.covers(finding)), None)
        if finding.status is Status.FAIL and waiver is not None:
            finding = replace(finding, status=Status.WAIVED, waiver=waiver.to_document())
        judged.append(finding)
    judged.extend(
        _expired_finding(waiver_file.path, index, waiver, today)
        for index, waiver in enumerate(waiver_file.waivers)
        if waiver.is_expired(today)
    )
    return judged


def _expired_finding(path: Path, index: int, waiver: Waiver, today: dt.date) -> Finding:
    return Finding(
        control=EXPIRED_WAIVER_CONTROL,
        title=EXPIRED_WAIVER_TITLE,
        severity=Severity.MEDIUM,
        resource=f"{path}#{index}",
        status=Status.FAIL,
        message=(
            f"waiver [{index}] in {path} for {waiver.control} on {waiver.resource} "
            f"(owner {waiver.owner}) expired on {waiver.expires.isoformat()}: it no longer "
            "applies; renew it with a new reason or fix the finding"
        ),
        evidence={**waiver.to_document(), "today": today.isoformat()},
        frameworks={},
    )

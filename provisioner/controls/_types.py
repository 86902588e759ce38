"""What a control is: an id, the kind it judges, a severity, the parameters it reads, a check."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from provisioner.findings import FRAMEWORKS, CheckResult, Severity, Status
from provisioner.inventory.models import Inventory, Kind
from provisioner.profiles import Parameters

# A check judges one resource (or, for an account-level control, the `AccountScope`).
# It is pure: no I/O, no clock, no logging.
Check = Callable[[Any, Parameters, Inventory], CheckResult]


@dataclass(frozen=True)
class AccountScope:
    """The subject of an account-level control: "the account in this region has X"."""

    account: str
    region: str

    @property
    def resource_id(self) -> str:
        return f"account:{self.account}/{self.region}"


@dataclass(frozen=True)
class Definition:
    """What a service module declares for a control; prose and mappings are added from data."""

    id: str
    kind: Kind | None  # None: account-level ("a required resource exists")
    severity: Severity
    check: Check
    parameters: tuple[str, ...] = ()
    reads: tuple[Kind, ...] = ()  # other kinds the check looks up in the inventory


def define(
    control_id: str,
    kind: Kind | None,
    severity: Severity,
    *,
    parameters: tuple[str, ...] = (),
    reads: tuple[Kind, ...] = (),
) -> Callable[[Check], Definition]:
    """Decorator turning a check function into a `Definition`."""

    def wrap(check: Check) -> Definition:
        return Definition(control_id, kind, severity, check, parameters, reads)

    return wrap


@dataclass(frozen=True)
class FrameworkMapping:
    """One control mapped to one framework requirement, and who says so."""

    framework: str
    requirement: str
    provenance: tuple[str, ...]  # prowler | conformance-pack | cdk-nag | own


@dataclass(frozen=True)
class Control:
    """A catalog entry: the definition plus its prose and framework mappings."""

    id: str
    title: str
    description: str
    remediation: str
    kind: Kind | None
    severity: Severity
    parameters: tuple[str, ...]
    reads: tuple[Kind, ...]
    check: Check = field(repr=False, compare=False)
    mappings: tuple[FrameworkMapping, ...] = ()
    unmapped: Mapping[str, str] = field(default_factory=dict)  # framework -> reason

    @property
    def kind_name(self) -> str:
        return self.kind.value if self.kind is not None else "account"

    @property
    def kinds_read(self) -> tuple[Kind, ...]:
        own = (self.kind,) if self.kind is not None else ()
        return tuple(dict.fromkeys((*own, *self.reads)))

    @cached_property
    def frameworks(self) -> dict[str, tuple[str, ...]]:
        """Framework -> requirement ids for all four frameworks, the shape findings carry."""
        return {
            name: tuple(m.requirement for m in self.mappings if m.framework == name)
            for name in FRAMEWORKS
        }

    def to_document(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "severity": self.severity.value,
            "kind": self.kind_name,
            "parameters": list(self.parameters),
            "description": self.description,
            "remediation": self.remediation,
            "frameworks": {
                name: [
                    {"requirement": m.requirement, "provenance": list(m.provenance)}
                    for m in self.mappings
                    if m.framework == name
                ]
                for name in dict.fromkeys(m.framework for m in self.mappings)
            },
            "unmapped": dict(self.unmapped),
        }


def passed(message: str, **evidence: Any) -> CheckResult:
    return CheckResult(Status.PASS, message, evidence)


def failed(message: str, **evidence: Any) -> CheckResult:
    return CheckResult(Status.FAIL, message, evidence)


def not_applicable(message: str, **evidence: Any) -> CheckResult:
    return CheckResult(Status.NOT_APPLICABLE, message, evidence)


def verdict(problems: list[str], subject: str, ok: str, **evidence: Any) -> CheckResult:
    """Fail listing every problem found on `subject`, or pass with the `ok` sentence."""
    if problems:
        return failed(f"{subject}: {'; '.join(problems)}", **evidence)
    return passed(f"{subject}: {ok}", **evidence)

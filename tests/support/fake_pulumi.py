"""A stand-in for the `pulumi` binary: records argv and environment, answers like the CLI.

Passed as `pulumi_command` to the real `LocalWorkspace`, so the SDK code under test is the real
one. Its version is pinned at 3.200 (<= 3.205): the SDK then reads engine events from a file,
which this fake writes (pulumi.md 1.10).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pulumi import automation as auto
from pulumi.automation._cmd import CommandResult, OnOutput
from semver import VersionInfo

OPERATIONS = ("preview", "up", "refresh", "destroy")
HISTORY_TIME = "2026-01-01T00:00:00.000Z"


@dataclass
class Call:
    args: list[str]
    cwd: str
    env: dict[str, str]

    @property
    def verb(self) -> str:
        head = self.args[:2] if self.args[0] in ("stack", "config", "plugin") else self.args[:1]
        return " ".join(head)


def step(op: str, typ: str, name: str, seq: int, kind: str = "resourcePreEvent") -> dict[str, Any]:
    urn = f"urn:pulumi:dev::provisioner::{typ}::{name}"
    return {
        "sequence": seq,
        "timestamp": 0,
        kind: {"metadata": {"op": op, "urn": urn, "type": typ, "provider": ""}},
    }


def diagnostic(
    message: str, seq: int, severity: str = "error", urn: str | None = None
) -> dict[str, Any]:
    return {
        "sequence": seq,
        "timestamp": 0,
        "diagnosticEvent": {"message": message, "severity": severity, "color": "never", "urn": urn},
    }


def summary(changes: Mapping[str, int], seq: int, duration: int = 7) -> dict[str, Any]:
    return {
        "sequence": seq,
        "timestamp": 0,
        "summaryEvent": {
            "maybeCorrupt": False,
            "durationSeconds": duration,
            "resourceChanges": dict(changes),
            "PolicyPacks": {},
        },
    }


def policy(message: str, name: str, seq: int, level: str = "mandatory") -> dict[str, Any]:
    return {
        "sequence": seq,
        "timestamp": 0,
        "policyEvent": {
            "message": message,
            "color": "never",
            "policyName": name,
            "policyPackName": "provisioner-controls",
            "policyPackVersion": "1",
            "policyPackVersionTag": "1",
            "enforcementLevel": level,
            "resourceUrn": "urn:pulumi:dev::provisioner::aws:sqs/queue:Queue::orders",
        },
    }


CANCEL = {"sequence": 999, "timestamp": 0, "cancelEvent": {}}

QUEUE = "aws:sqs/queue:Queue"
KEY = "aws:kms/key:Key"

EVENTS_CREATED = [
    {"sequence": 1, "timestamp": 0, "preludeEvent": {"config": {}}},
    step("create", KEY, "messaging-key", 2),
    step("create", KEY, "messaging-key", 3, "resOutputsEvent"),
    step("create", QUEUE, "orders", 4),
    step("create", QUEUE, "orders", 5, "resOutputsEvent"),
    step("update", QUEUE, "payments", 6),
    step("update", QUEUE, "payments", 7, "resOutputsEvent"),
    step("same", QUEUE, "audit", 8),
    step("same", QUEUE, "audit", 9, "resOutputsEvent"),
    summary({"create": 2, "update": 1, "same": 1}, 10),
    CANCEL,
]

EVENTS_FAILED = [
    step("create", QUEUE, "orders", 1),
    diagnostic(
        "<{%reset%}>creating SQS Queue (orders): operation error SQS: CreateQueue, "
        "api error InvalidAttributeValue: KmsMasterKeyId is invalid<{%reset%}>",
        2,
        urn="urn:pulumi:dev::provisioner::aws:sqs/queue:Queue::orders",
    ),
    step("create", QUEUE, "orders", 3, "resOpFailedEvent"),
    diagnostic("update failed", 4),
    summary({"create": 0}, 5),
    CANCEL,
]

EVENTS_POLICY_BLOCKED = [
    step("create", QUEUE, "orders", 1),
    policy(
        "orders: retention 1209600 s exceeds the profile maximum 345600 s", "SQS-RETENTION-MAX", 2
    ),
    summary({}, 3),
    CANCEL,
]

LOCKED_STDERR = (
    "error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) "
    "to end or delete the lock file with `pulumi cancel`."
)


@dataclass
class Script:
    """What the fake answers for each operation: events to stream, or a failure to return."""

    events: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # operation ("up") or command ("stack output") -> (stdout, stderr) of a failing run
    failures: dict[str, tuple[str, str]] = field(default_factory=dict)


class FakePulumiCommand(auto.PulumiCommand):
    """Records every call; keeps stacks, config and outputs in memory."""

    def __init__(
        self,
        *,
        stacks: list[str] | None = None,
        outputs: Mapping[str, Any] | None = None,
        secret_outputs: tuple[str, ...] = (),
        protected: tuple[str, ...] = (),
        script: Script | None = None,
        plugins: tuple[str, ...] = ("7.51.1",),
        version: str = "3.200.0",
    ) -> None:
        self.command = "pulumi-fake"
        self.version = VersionInfo.parse(version)
        self.calls: list[Call] = []
        self.stacks = list(stacks or [])
        self.outputs = dict(outputs or {})
        self.secret_outputs = secret_outputs
        self.protected = protected
        self.plugins = plugins
        self.script = script or Script(events=dict.fromkeys(OPERATIONS, EVENTS_CREATED))
        self.on_call: Callable[[Call], None] | None = None

    def run(
        self,
        args: list[str],
        cwd: str,
        additional_env: Mapping[str, str],
        on_output: OnOutput | None = None,
        on_error: OnOutput | None = None,
    ) -> CommandResult:
        call = Call(list(args), cwd, dict(additional_env))
        self.calls.append(call)
        if self.on_call is not None:
            self.on_call(call)
        failure = self.script.failures.get(call.verb) if call.verb not in OPERATIONS else None
        result = CommandResult(failure[0], failure[1], 255) if failure else self._answer(call)
        if result.code != 0:
            raise auto.errors.create_command_error(result)
        return result

    # --- what the CLI would print ------------------------------------------------------------

    def _answer(self, call: Call) -> CommandResult:
        args = call.args
        if args[:2] == ["stack", "ls"]:
            listing = [{"name": name, "current": False} for name in self.stacks]
            return CommandResult(json.dumps(listing), "", 0)
        if args[:2] == ["plugin", "ls"]:
            listing = [
                {"name": "aws", "kind": "resource", "size": 1, "version": version}
                for version in self.plugins
            ]
            return CommandResult(json.dumps(listing), "", 0)
        if args[:2] == ["stack", "init"]:
            self.stacks.append(args[2])
            return CommandResult("", "", 0)
        if args[:2] == ["stack", "select"]:
            name = args[args.index("--stack") + 1]
            if name not in self.stacks:
                return CommandResult("", f"error: no stack named '{name}' found", 255)
            return CommandResult("", "", 0)
        if args[:2] == ["stack", "output"]:
            shown = "--show-secrets" in args
            values = {
                key: (value if shown or key not in self.secret_outputs else "[secret]")
                for key, value in self.outputs.items()
            }
            return CommandResult(json.dumps(values), "", 0)
        if args[:2] == ["stack", "history"]:
            entry = {
                "kind": "update",
                "startTime": HISTORY_TIME,
                "message": "",
                "environment": {},
                "config": {},
                "result": "succeeded",
                "resourceChanges": {"create": 2},
            }
            return CommandResult(json.dumps([entry]), "", 0)
        if args[:2] == ["stack", "export"]:
            resources = [
                {"urn": urn, "type": "aws:kms/key:Key", "protect": True} for urn in self.protected
            ]
            resources.append({"urn": "urn:pulumi:dev::provisioner::pulumi:pulumi:Stack::x"})
            return CommandResult(
                json.dumps({"version": 3, "deployment": {"resources": resources}}), "", 0
            )
        operation = next((op for op in OPERATIONS if op in args[:1]), None)
        if operation is not None:
            return self._operation(operation, args)
        return CommandResult("", "", 0)

    def _operation(self, operation: str, args: list[str]) -> CommandResult:
        if "--event-log" in args:
            path = args[args.index("--event-log") + 1]
            with open(path, "a", encoding="utf-8") as log:
                for event in self.script.events.get(operation, [CANCEL]):
                    log.write(json.dumps(event) + "\n")
        if operation in self.script.failures:
            stdout, stderr = self.script.failures[operation]
            return CommandResult(stdout, stderr, 255)
        return CommandResult(f"{operation} done", "", 0)

    # --- helpers for assertions ----------------------------------------------------------------

    def calls_of(self, verb: str) -> list[Call]:
        return [call for call in self.calls if call.args[: len(verb.split())] == verb.split()]

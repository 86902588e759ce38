"""The error tree every layer raises; `cli` turns each into one line, a hint and an exit code."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Exit codes, the same for every command (design.md)."""

    OK = 0
    FINDINGS = 1
    BAD_INPUT = 2
    FAILED = 3


class ProvisionerError(Exception):
    """Base of every error meant for the user: a message, a hint and an exit code."""

    exit_code: ExitCode = ExitCode.FAILED

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class BadInputError(ProvisionerError):
    """The user's input (a profile, an environment, a flag, a file) is wrong: exit 2."""

    exit_code = ExitCode.BAD_INPUT


class OperationError(ProvisionerError):
    """The tool could not do it (AWS unreachable, CLI missing, deploy failed): exit 3."""

    exit_code = ExitCode.FAILED

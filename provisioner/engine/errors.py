"""Turn what the Automation API raises into one line, a hint and a design.md exit code.

`CommandError` carries only text, so the engine's own diagnostics (collected from
`DiagnosticEvent`s and `PolicyEvent`s while the operation ran) make the message, not `str(error)`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from provisioner.engine.events import EventCollector
from provisioner.errors import BadInputError, OperationError, ProvisionerError

INSTALL_PAGE = "https://www.pulumi.com/docs/install/"
_MARKUP = re.compile(r"<\{%[^%]*%\}>")
_PASSPHRASE_MISSING = "passphrase must be set"
_NO_CREDENTIALS = (
    "no valid credential sources",
    "failed to refresh cached credentials",
    "unable to locate credentials",
    "no ec2 imds role found",
    "invalidclienttokenid",
    "expiredtoken",
)


def clean(text: str, secrets: Sequence[str] = ()) -> str:
    """Strip Pulumi colour markup and any known secret value from engine text."""
    text = _MARKUP.sub("", text)
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[secret]")
    return text.strip()


def cli_missing() -> OperationError:
    return OperationError(
        "the Pulumi CLI is not installed (no `pulumi` on PATH)",
        hint=f"run `provisioner install-cli`, or install it from {INSTALL_PAGE}",
    )


def cli_too_old(detail: str) -> OperationError:
    return OperationError(
        f"the installed Pulumi CLI cannot be used: {detail.strip().splitlines()[0]}",
        hint=f"run `provisioner install-cli` for the pinned version, or see {INSTALL_PAGE}",
    )


def passphrase_missing(stack_name: str) -> BadInputError:
    return BadInputError(
        f"stack {stack_name}: no passphrase for its secrets "
        "(PULUMI_CONFIG_PASSPHRASE and PULUMI_CONFIG_PASSPHRASE_FILE are both unset)",
        hint="export PULUMI_CONFIG_PASSPHRASE (or _FILE), or pass --secrets-provider awskms://...",
    )


def map_engine_error(
    error: BaseException,
    *,
    operation: str,
    stack_name: str,
    collected: EventCollector | None = None,
    secrets: Sequence[str] = (),
) -> ProvisionerError:
    """The `ProvisionerError` for an exception raised by an Automation API call."""
    from pulumi import automation as auto

    if isinstance(error, ProvisionerError):
        return error
    if isinstance(error, FileNotFoundError):
        return cli_missing()
    if isinstance(error, auto.errors.InvalidVersionError):
        return cli_too_old(str(error))
    if isinstance(error, auto.ConcurrentUpdateError):
        return OperationError(
            f"stack {stack_name} is locked by another update",
            hint=(
                "wait for it to finish; if none is running (a crashed run), clear the lock with "
                f"`pulumi cancel --stack {stack_name}` (same PULUMI_BACKEND_URL), then "
                "`provisioner refresh`"
            ),
        )
    raw = clean(str(error), secrets)
    text = raw.lower()
    if _PASSPHRASE_MISSING in text:
        return passphrase_missing(stack_name)
    if isinstance(error, auto.StackNotFoundError):
        return BadInputError(
            f"stack {stack_name} does not exist", hint="run `provisioner up` for it first"
        )
    if isinstance(error, auto.InlineSourceRuntimeError):
        return OperationError(
            f"{operation} {stack_name}: the Pulumi program raised an exception"
            + _diagnostics_suffix(collected, secrets),
            hint="this is a provisioner bug: rerun with --debug and report it",
        )
    if isinstance(error, auto.CommandError):
        return _command_failed(operation, stack_name, raw, collected, secrets)
    if isinstance(error, RuntimeError) and "summary event never found" in str(error):
        return OperationError(
            f"{operation} {stack_name}: the Pulumi CLI ended without a summary",
            hint="upgrade the Pulumi CLI (`provisioner install-cli`) and retry",
        )
    return OperationError(f"{operation} {stack_name}: {type(error).__name__}: {clean(str(error))}")


def _command_failed(
    operation: str,
    stack_name: str,
    text: str,
    collected: EventCollector | None,
    secrets: Sequence[str],
) -> ProvisionerError:
    if collected is not None:
        blocked = collected.mandatory_violations()
        if blocked:
            listed = "; ".join(f"{v.policy_name}: {clean(v.message, secrets)}" for v in blocked[:5])
            more = f" (+{len(blocked) - 5} more)" if len(blocked) > 5 else ""
            return OperationError(
                f"{operation} {stack_name} blocked by the policy pack: {listed}{more}",
                hint="fix the profile or environment so `provisioner plan` passes, then retry",
            )
    diagnostics = _diagnostics_suffix(collected, secrets)
    lowered = (text + diagnostics).lower()
    if any(marker in lowered for marker in _NO_CREDENTIALS):
        return OperationError(
            f"{operation} {stack_name}: no usable AWS credentials" + diagnostics,
            hint="configure credentials (aws configure / AWS_PROFILE), or use --sandbox",
        )
    if not diagnostics:
        diagnostics = ": " + _last_stderr_line(text)
    return OperationError(
        f"{operation} {stack_name} failed" + diagnostics,
        hint="fix the cause above and retry; `provisioner refresh` resyncs state after a partial "
        "failure",
    )


def _diagnostics_suffix(collected: EventCollector | None, secrets: Sequence[str]) -> str:
    if collected is None:
        return ""
    errors = [clean(d, secrets) for d in collected.error_messages()]
    errors = [e for e in errors if e]
    if not errors:
        return ""
    return ": " + " | ".join(errors[-3:])


def _last_stderr_line(text: str) -> str:
    _, _, stderr = text.partition("stderr:")
    lines = [line.strip() for line in (stderr or text).splitlines() if line.strip()]
    return lines[-1] if lines else "the Pulumi CLI exited with an error"

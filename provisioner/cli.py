"""The Typer application: parse, call the application layer, render. No AWS or Pulumi logic here.

Each command group lives in `provisioner/commands/<group>.py` and registers itself through a
`register(app)` function, so this module stays a table of contents. Heavy imports (pulumi, boto3,
rich) happen inside the commands that need them, which keeps `provisioner --help` fast.
"""

from __future__ import annotations

import atexit
import gc
import sys
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from provisioner import __version__
from provisioner.errors import ExitCode, ProvisionerError


class ProvisionerGroup(TyperGroup):
    """Root group that turns every `ProvisionerError` into one line, a hint and its exit code."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except ProvisionerError as error:
            if ctx.params.get("debug"):
                raise
            _print_error(error.message, error.hint)
            raise typer.Exit(int(error.exit_code)) from None
        except KeyboardInterrupt:
            _print_error("interrupted", None)
            raise typer.Exit(130) from None
        except Exception as error:
            if ctx.params.get("debug") or _is_cli_control_flow(error):
                raise
            _print_error(
                f"internal error: {type(error).__name__}: {error}",
                "rerun with --debug for the traceback, and report it",
            )
            raise typer.Exit(int(ExitCode.FAILED)) from None


def _is_cli_control_flow(error: BaseException) -> bool:
    """Exit, Abort and usage errors belong to click (vendored inside typer on newer releases)."""
    return type(error).__module__.split(".")[0] in {"click", "typer"}


def _print_error(message: str, hint: str | None) -> None:
    typer.echo(f"error: {message}", err=True)
    if hint:
        typer.echo(f"hint: {hint}", err=True)


app = typer.Typer(
    cls=ProvisionerGroup,
    name="provisioner",
    help="Stand up secure, compliant AWS messaging stacks and prove they are compliant.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"provisioner {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks instead of one-line errors.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version_callback, is_eager=True, help="Print the version."
        ),
    ] = False,
) -> None:
    """Stand up secure, compliant AWS messaging stacks and prove they are compliant."""


def _register_commands() -> None:
    from provisioner.commands import (
        controls,
        erase,
        plan,
        profiles,
        stack_ops,
        verify,
    )

    for module in (profiles, plan, controls, verify, stack_ops, erase):
        module.register(app)


_register_commands()


def tune_garbage_collector() -> None:
    """Collect cycles rarely, and skip the final sweep at exit.

    A run is short and allocates a great many long-lived objects (botocore's service models,
    Pulumi's SDK), which the default thresholds re-examine hundreds of times, and the
    interpreter examines all of them once more while exiting: together about a third of a
    single-stack `verify` (benchmarks/bench_verify.py). Reference counting still frees
    everything acyclic at once, so memory stays bounded in long runs such as `erase`.
    """
    gc.set_threshold(100_000, 50, 100)
    atexit.register(gc.freeze)


def main() -> None:
    """Console-script entry point."""
    tune_garbage_collector()
    app(prog_name="provisioner")
    sys.exit(0)

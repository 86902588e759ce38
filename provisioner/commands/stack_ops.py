"""Deploy-side commands: preview, up, refresh, destroy, outputs, doctor, install-cli, sandbox.

Thin: parse flags into a `StackRequest`, call `provisioner.engine.actions`, render. Pulumi, boto3
and rich are imported inside the commands (start-up stays light).
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from provisioner.commands._options import (
    BackendOpt,
    EndpointUrlOpt,
    EnvironmentsDirOpt,
    EnvOpt,
    ProfilesDirOpt,
    ProfilesOpt,
    RegionOpt,
    ReportFileOpt,
    TableOrJson,
)

if TYPE_CHECKING:
    from provisioner.engine.actions import StackRequest
    from provisioner.engine.operations import Operation, OperationResult


class OutputsFormat(StrEnum):
    table = "table"
    json = "json"
    env = "env"


YesOpt = Annotated[
    bool, typer.Option("--yes", "-y", help="Do not ask for confirmation (required off a terminal).")
]
SecretsProviderOpt = Annotated[
    str | None,
    typer.Option(
        "--secrets-provider",
        help="Secrets provider for new stacks, e.g. awskms://alias/name?region=eu-west-1. "
        "Default: passphrase (PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE).",
    ),
]
SandboxOpt = Annotated[
    bool,
    typer.Option(
        "--sandbox", help="Use the local emulator started by `provisioner sandbox start`."
    ),
]
OutputOpt = Annotated[TableOrJson, typer.Option("--output", "-o", help="Output format.")]


def _request(
    profiles: list[str],
    env: str,
    region: str | None,
    profiles_dir: Path | None,
    environments_dir: Path | None,
    backend: str | None,
    secrets_provider: str | None,
    endpoint_url: str | None,
    sandbox: bool,
) -> StackRequest:
    from provisioner.engine.actions import StackRequest

    return StackRequest(
        profiles=tuple(profiles),
        env=env,
        region=region,
        profiles_dir=profiles_dir,
        environments_dir=environments_dir,
        backend=backend,
        secrets_provider=secrets_provider,
        endpoint_url=endpoint_url,
        sandbox=sandbox,
    )


def _confirm_changes(action: str, yes: bool) -> None:
    from provisioner.errors import BadInputError

    if yes:
        return
    if not sys.stdin.isatty():
        raise BadInputError(f"{action}: pass --yes to confirm (stdin is not a terminal)")
    if not typer.confirm(f"{action}?", default=False):
        raise typer.Exit(1)


def _render_result(
    result: OperationResult,
    output: TableOrJson,
    extra: dict[str, Any],
    report_file: Path | None,
    trailer: str = "",
) -> None:
    from provisioner.render import emit, to_json

    if output is TableOrJson.json:
        emit(to_json({**result.to_document(), **extra}), report_file)
        return
    changes = ", ".join(f"{count} {kind}" for kind, count in result.changes.items()) or "none"
    lines = [f"{result.operation} {result.stack}: {result.result}; changes: {changes}"]
    if result.outputs:
        lines.append(_outputs_table(result.outputs))
    for urn in result.protected_remaining:
        lines.append(f"kept (protected): {urn}")
    if result.protected_remaining:
        lines.append(
            "hint: protected resources are never removed silently; to delete them, unprotect "
            f"with `pulumi state unprotect --stack {result.stack} <urn>` and run destroy again"
        )
    if trailer:
        lines.append(trailer)
    emit("\n".join(lines), report_file)


def _outputs_table(values: dict[str, Any]) -> str:
    import json

    from provisioner.render import table

    rows = [
        (name, value if isinstance(value, str) else json.dumps(value))
        for name, value in sorted(values.items())
    ]
    return table(["output", "value"], rows)


def _run(operation: Operation, request: StackRequest, output: TableOrJson) -> OperationResult:
    from provisioner.engine.actions import run_stack_operation

    stream = sys.stderr if output is TableOrJson.json else sys.stdout
    return run_stack_operation(operation, request, progress_stream=stream)


def preview(
    *,
    profiles: ProfilesOpt,
    env: EnvOpt,
    region: RegionOpt = None,
    yes: YesOpt = False,
    backend: BackendOpt = None,
    secrets_provider: SecretsProviderOpt = None,
    endpoint_url: EndpointUrlOpt = None,
    sandbox: SandboxOpt = False,
    output: OutputOpt = TableOrJson.table,
    report_file: ReportFileOpt = None,
    profiles_dir: ProfilesDirOpt = None,
    environments_dir: EnvironmentsDirOpt = None,
) -> None:
    """Show what `up` would change, with the policy pack judging every resource."""
    from provisioner.engine.operations import Operation

    request = _request(
        profiles, env, region, profiles_dir, environments_dir, backend, secrets_provider,
        endpoint_url, sandbox,
    )  # fmt: skip
    _render_result(_run(Operation.preview, request, output), output, {}, report_file)


def up(
    *,
    profiles: ProfilesOpt,
    env: EnvOpt,
    region: RegionOpt = None,
    yes: YesOpt = False,
    skip_verify: Annotated[
        bool, typer.Option("--skip-verify", help="Do not verify the live stack afterwards.")
    ] = False,
    backend: BackendOpt = None,
    secrets_provider: SecretsProviderOpt = None,
    endpoint_url: EndpointUrlOpt = None,
    sandbox: SandboxOpt = False,
    output: OutputOpt = TableOrJson.table,
    report_file: ReportFileOpt = None,
    profiles_dir: ProfilesDirOpt = None,
    environments_dir: EnvironmentsDirOpt = None,
) -> None:
    """Deploy the stack: offline plan gate, deploy with the policy pack, then verify.

    Exit 1 when the plan or the verification finds failing controls.
    """
    from provisioner.engine.actions import execute, resolve, verify_live
    from provisioner.engine.operations import Operation

    request = _request(
        profiles, env, region, profiles_dir, environments_dir, backend, secrets_provider,
        endpoint_url, sandbox,
    )  # fmt: skip
    target, settings = resolve(request)
    _confirm_changes(f"deploy stack {target.stack_name}", yes)
    stream = sys.stderr if output is TableOrJson.json else sys.stdout
    result = execute(Operation.up, target, settings, request, progress_stream=stream)
    if skip_verify:
        _render_result(result, output, {}, report_file)
        return
    verdict = verify_live(
        target, settings, request, output=output.value, stack_outputs=result.outputs
    )
    if output is TableOrJson.json:
        _render_result(result, output, {"verify": verdict.document}, report_file)
    else:
        _render_result(result, output, {}, report_file, trailer=verdict.text)
    if verdict.exit_code:
        raise typer.Exit(verdict.exit_code)


def refresh(
    *,
    profiles: ProfilesOpt,
    env: EnvOpt,
    region: RegionOpt = None,
    yes: YesOpt = False,
    backend: BackendOpt = None,
    secrets_provider: SecretsProviderOpt = None,
    endpoint_url: EndpointUrlOpt = None,
    sandbox: SandboxOpt = False,
    output: OutputOpt = TableOrJson.table,
    report_file: ReportFileOpt = None,
    profiles_dir: ProfilesDirOpt = None,
    environments_dir: EnvironmentsDirOpt = None,
) -> None:
    """Read the live resources back into the stack's state (after drift or a failed run)."""
    from provisioner.engine.actions import execute, resolve
    from provisioner.engine.operations import Operation

    request = _request(
        profiles, env, region, profiles_dir, environments_dir, backend, secrets_provider,
        endpoint_url, sandbox,
    )  # fmt: skip
    target, settings = resolve(request)
    _confirm_changes(f"refresh the state of stack {target.stack_name}", yes)
    stream = sys.stderr if output is TableOrJson.json else sys.stdout
    result = execute(Operation.refresh, target, settings, request, progress_stream=stream)
    _render_result(result, output, {}, report_file)


def destroy(
    *,
    profiles: ProfilesOpt,
    env: EnvOpt,
    region: RegionOpt = None,
    yes: YesOpt = False,
    confirm: Annotated[
        str | None,
        typer.Option("--confirm", help="The stack name; required for protected environments."),
    ] = None,
    backend: BackendOpt = None,
    secrets_provider: SecretsProviderOpt = None,
    endpoint_url: EndpointUrlOpt = None,
    sandbox: SandboxOpt = False,
    output: OutputOpt = TableOrJson.table,
    report_file: ReportFileOpt = None,
    profiles_dir: ProfilesDirOpt = None,
    environments_dir: EnvironmentsDirOpt = None,
) -> None:
    """Delete the stack's resources; protected ones (keys, audit bucket, trail) are kept."""
    from provisioner.engine.actions import execute, require_destroy_confirmation, resolve
    from provisioner.engine.operations import Operation

    request = _request(
        profiles, env, region, profiles_dir, environments_dir, backend, secrets_provider,
        endpoint_url, sandbox,
    )  # fmt: skip
    target, settings = resolve(request)
    require_destroy_confirmation(target, yes=yes, confirm=confirm)
    stream = sys.stderr if output is TableOrJson.json else sys.stdout
    result = execute(Operation.destroy, target, settings, request, progress_stream=stream)
    _render_result(result, output, {}, report_file)


def outputs(
    *,
    profiles: ProfilesOpt,
    env: EnvOpt,
    region: RegionOpt = None,
    output: Annotated[
        OutputsFormat, typer.Option("--output", "-o", help="table, json, or env (export lines).")
    ] = OutputsFormat.table,
    report_file: ReportFileOpt = None,
    show_secrets: Annotated[
        bool, typer.Option("--show-secrets", help="Print secret outputs in clear.")
    ] = False,
    backend: BackendOpt = None,
    secrets_provider: SecretsProviderOpt = None,
    profiles_dir: ProfilesDirOpt = None,
    environments_dir: EnvironmentsDirOpt = None,
) -> None:
    """Print the stack's outputs; `--output env` prints `export NAME=value` lines for CI."""
    from provisioner.engine.actions import stack_outputs
    from provisioner.engine.outputs_format import as_env_lines
    from provisioner.render import emit, to_json

    request = _request(
        profiles, env, region, profiles_dir, environments_dir, backend, secrets_provider,
        None, False,
    )  # fmt: skip
    values = stack_outputs(request, show_secrets=show_secrets)
    if output is OutputsFormat.json:
        emit(to_json(values), report_file)
    elif output is OutputsFormat.env:
        emit(as_env_lines(values), report_file)
    else:
        emit(_outputs_table(values), report_file)


def doctor(
    *,
    endpoint_url: EndpointUrlOpt = None,
    sandbox: SandboxOpt = False,
    backend: BackendOpt = None,
    secrets_provider: SecretsProviderOpt = None,
    output: OutputOpt = TableOrJson.table,
    report_file: ReportFileOpt = None,
) -> None:
    """Check this machine can deploy: Pulumi CLI, aws plugin, credentials, backend, secrets.

    Exit 0 when every check passes, 3 otherwise.
    """
    from provisioner import sandbox as local_sandbox
    from provisioner.engine import actions
    from provisioner.engine.doctor import run_checks
    from provisioner.engine.settings import resolve_settings
    from provisioner.engine.workspace import pulumi_command
    from provisioner.render import emit, table, to_json

    settings = resolve_settings(
        backend=backend, secrets_provider=secrets_provider, endpoint_url=endpoint_url
    )
    if sandbox:
        state = local_sandbox.status(settings.work_dir)
        settings = resolve_settings(
            backend=backend,
            secrets_provider=secrets_provider,
            endpoint_url=state.url or "http://127.0.0.1:0",
        )
    checks = run_checks(settings, command_factory=actions.command_factory or pulumi_command)
    if output is TableOrJson.json:
        document = {"ok": all(c.ok for c in checks), "checks": [c.to_document() for c in checks]}
        emit(to_json(document), report_file)
    else:
        rows = [
            (c.name, "ok" if c.ok else "FAIL", c.detail, c.fix if not c.ok else "") for c in checks
        ]
        emit(table(["check", "status", "detail", "fix"], rows), report_file)
    if not all(c.ok for c in checks):
        raise typer.Exit(3)


def install_cli() -> None:
    """Install the Pulumi CLI version pinned to this SDK (downloads get.pulumi.com/install.sh)."""
    from provisioner.engine.doctor import install_cli as install

    typer.echo(install())


sandbox_app = typer.Typer(
    name="sandbox",
    help="A local AWS emulator (moto server on 127.0.0.1) for --sandbox.",
    no_args_is_help=True,
)


def _work_dir() -> Path:
    from provisioner.engine.settings import resolve_settings

    return resolve_settings().work_dir


@sandbox_app.command("start")
def sandbox_start(
    port: Annotated[
        int | None, typer.Option("--port", help="Port on 127.0.0.1 (default: free).")
    ] = None,
) -> None:
    """Start the emulator in the background (no-op when it already runs)."""
    from provisioner import sandbox

    state = sandbox.start(_work_dir(), port)
    typer.echo(f"sandbox running at {state.url} (pid {state.pid})")


@sandbox_app.command("stop")
def sandbox_stop() -> None:
    """Stop the emulator; its data is lost."""
    from provisioner import sandbox

    was_running = sandbox.status(_work_dir()).running
    sandbox.stop(_work_dir())
    typer.echo("sandbox stopped" if was_running else "sandbox was not running")


@sandbox_app.command("status")
def sandbox_status(output: OutputOpt = TableOrJson.table) -> None:
    """Whether the emulator runs, and where. Exit 3 when it does not."""
    from provisioner import sandbox
    from provisioner.render import emit, to_json

    state = sandbox.status(_work_dir())
    running = state.running and state.url is not None and sandbox.answers(state.url)
    if output is TableOrJson.json:
        emit(to_json({**state.to_document(), "running": running}))
    else:
        emit(
            f"sandbox running at {state.url} (pid {state.pid})"
            if running
            else "sandbox not running"
        )
    if not running:
        raise typer.Exit(3)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    for command in (preview, up, refresh, destroy, outputs, doctor):
        app.command()(command)
    app.command("install-cli")(install_cli)
    app.add_typer(sandbox_app)

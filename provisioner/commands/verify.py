"""`provisioner verify`: judge the deployed stack with the profile's controls."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

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
    ReportFormat,
)

WaiversOpt = Annotated[
    Path | None,
    typer.Option(
        "--waivers",
        help="YAML list of waivers (control, resource pattern, reason, owner, expires).",
    ),
]


SandboxOpt = Annotated[
    bool,
    typer.Option(
        "--sandbox", help="Verify against the emulator started by `provisioner sandbox start`."
    ),
]


FromStateOpt = Annotated[
    bool,
    typer.Option(
        "--from-state",
        help="Judge the resources the stack's Pulumi state names (its output ARNs) instead of "
        "whatever carries its provisioner:stack tag. Needs the Pulumi CLI and the backend.",
    ),
]


def register(app: typer.Typer) -> None:
    @app.command("verify")
    def verify_command(
        *,
        profiles: ProfilesOpt,
        env: EnvOpt,
        region: RegionOpt = None,
        endpoint_url: EndpointUrlOpt = None,
        sandbox: SandboxOpt = False,
        output: Annotated[
            ReportFormat, typer.Option("--output", "-o", help="Report format.")
        ] = ReportFormat.table,
        report_file: ReportFileOpt = None,
        waivers: WaiversOpt = None,
        from_state: FromStateOpt = False,
        backend: BackendOpt = None,
        profiles_dir: ProfilesDirOpt = None,
        environments_dir: EnvironmentsDirOpt = None,
    ) -> None:
        """Verify the live stack: exit 0 compliant, 1 findings, 3 could not verify."""
        from provisioner.errors import BadInputError
        from provisioner.profiles import resolve_target
        from provisioner.render import emit
        from provisioner.reports import render
        from provisioner.verify import VerifyRequest, exit_code_for, verify
        from provisioner.waivers import load_waivers

        if backend is not None and not from_state:
            raise BadInputError("--backend is read only with --from-state")
        target = resolve_target(
            profiles,
            env,
            region,
            profiles_dir=profiles_dir,
            environments_dir=environments_dir,
        )
        if sandbox:
            from provisioner import sandbox as local_sandbox
            from provisioner.engine.settings import resolve_settings

            if endpoint_url is not None:
                raise BadInputError("--sandbox and --endpoint-url: pass one of them")
            endpoint_url = local_sandbox.endpoint(resolve_settings().work_dir)
        waiver_file = load_waivers(waivers) if waivers is not None else None
        output_arns = None
        if from_state:
            from provisioner.engine.actions import state_output_arns

            output_arns = state_output_arns(target, backend=backend)
        report = verify(
            VerifyRequest(
                target=target,
                endpoint_url=endpoint_url,
                waivers=waiver_file,
                profiles_dir=profiles_dir,
                output_arns=output_arns,
            )
        )
        emit(render(report, output.value), report_file)
        raise typer.Exit(int(exit_code_for(report.findings)))

"""Option types shared by the commands, so every command spells the contract the same way."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer


class TableOrJson(StrEnum):
    table = "table"
    json = "json"


class ReportFormat(StrEnum):
    table = "table"
    json = "json"
    junit = "junit"
    sarif = "sarif"
    markdown = "markdown"


ProfilesOpt = Annotated[
    list[str],
    typer.Option(
        "--profile",
        "-p",
        help="Compliance profile; repeat to combine (strictest value wins).",
        show_default=False,
    ),
]
EnvOpt = Annotated[
    str,
    typer.Option(
        "--env", "-e", help="Environment name, e.g. dev, staging, prod.", show_default=False
    ),
]
RegionOpt = Annotated[
    str | None,
    typer.Option("--region", help="AWS region; must be one the profiles allow."),
]
ProfilesDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--profiles-dir",
        envvar="PROVISIONER_PROFILES_DIR",
        help="Extra directory of profile YAML files, searched before the built-in ones.",
    ),
]
EnvironmentsDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--environments-dir",
        envvar="PROVISIONER_ENVIRONMENTS_DIR",
        help="Directory of environment overlays (<env>.yaml). Default: ./environments.",
    ),
]
ReportFileOpt = Annotated[
    Path | None,
    typer.Option("--report-file", help="Also write the output to this file."),
]
EndpointUrlOpt = Annotated[
    str | None,
    typer.Option(
        "--endpoint-url",
        envvar="PROVISIONER_ENDPOINT_URL",
        help="Send every AWS call to this endpoint (an emulator such as moto).",
    ),
]

BackendOpt = Annotated[
    str | None,
    typer.Option(
        "--backend",
        help="State backend URL (s3://, file://, ...). Default: PULUMI_BACKEND_URL, "
        "else local files under .provisioner/state.",
    ),
]

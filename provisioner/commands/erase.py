"""`provisioner erase`: remove one data subject's messages from a stack's queues (GDPR Art. 17)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from provisioner.commands._options import (
    EndpointUrlOpt,
    EnvironmentsDirOpt,
    EnvOpt,
    ProfilesDirOpt,
    ProfilesOpt,
    RegionOpt,
    TableOrJson,
)

SubjectOpt = Annotated[
    str,
    typer.Option(
        "--subject",
        help="Id of the data subject; only its HMAC reference is ever shown or stored.",
        show_default=False,
    ),
]
QueueOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--queue",
        help="Queue URL to erase from (repeatable). Default: queues tagged with the stack.",
        show_default=False,
    ),
]
DryRunOpt = Annotated[
    bool, typer.Option("--dry-run", help="Count the subject's messages without deleting.")
]
SubjectKeyFileOpt = Annotated[
    Path | None,
    typer.Option("--subject-key-file", help="File holding the producers' subject HMAC key."),
]
SubjectKeyEnvOpt = Annotated[
    str,
    typer.Option(
        "--subject-key-env", help="Environment variable holding the producers' subject HMAC key."
    ),
]
WaitSecondsOpt = Annotated[
    int,
    typer.Option(
        "--wait-seconds",
        min=0,
        max=20,
        help="Long-poll wait that ends a pass on an empty receive (0 only for emulators).",
    ),
]
OutputOpt = Annotated[TableOrJson, typer.Option("--output", "-o", help="Output format.")]
AuditReportFileOpt = Annotated[
    Path | None,
    typer.Option("--report-file", help="Also write the audit record (JSON) to this file."),
]


def erase(
    *,
    subject: SubjectOpt,
    profile: ProfilesOpt,
    env: EnvOpt,
    queue: QueueOpt = None,
    dry_run: DryRunOpt = False,
    region: RegionOpt = None,
    endpoint_url: EndpointUrlOpt = None,
    output: OutputOpt = TableOrJson.table,
    report_file: AuditReportFileOpt = None,
    subject_key_file: SubjectKeyFileOpt = None,
    subject_key_env: SubjectKeyEnvOpt = "PROVISIONER_SUBJECT_KEY",
    profiles_dir: ProfilesDirOpt = None,
    environments_dir: EnvironmentsDirOpt = None,
    wait_seconds: WaitSecondsOpt = 1,
) -> None:
    """Delete one data subject's messages from the stack's queues and their DLQs, never purging.

    Other messages are made visible again at once; passes repeat until one finds none. An audit
    record (who, when, subject hash, counts) goes to --report-file and the stack's audit log group.
    """
    from provisioner.messaging.erasure_service import EraseRequest, run_erase, unfinished_queues
    from provisioner.render import emit, table, to_json

    outcome = run_erase(
        EraseRequest(
            subject_id=subject,
            profile_names=tuple(profile),
            environment=env,
            queue_urls=tuple(queue or ()),
            dry_run=dry_run,
            region=region,
            endpoint_url=endpoint_url,
            subject_key_file=subject_key_file,
            subject_key_env=subject_key_env,
            profiles_dir=profiles_dir,
            environments_dir=environments_dir,
            wait_seconds=wait_seconds,
        )
    )
    record = outcome.record
    if report_file is not None:
        emit_file(report_file, to_json(record))
    if output is TableOrJson.json:
        emit(to_json({**record, "audit_log_group": outcome.audit_log_group}))
        _fail_if_unfinished(unfinished_queues(outcome))
        return
    rows = [
        (q["queue_url"], q["inspected"], q["matched"], q["deleted"], q["passes"])
        for q in record["queues"]
    ]
    verb = "found (dry run)" if dry_run else "deleted"
    title = f"{record['stack']}: subject {record['subject_hash'][:23]}... {verb}"
    lines = [table(("queue", "inspected", "matched", "deleted", "passes"), rows, title=title)]
    lines.append(
        f"audit record: log group {outcome.audit_log_group}"
        if outcome.audit_log_group
        else "audit record: no audit log group in this stack"
        + ("" if report_file else "; pass --report-file to keep it")
    )
    emit("\n".join(lines))
    _fail_if_unfinished(unfinished_queues(outcome))


def _fail_if_unfinished(queues: list[str]) -> None:
    from provisioner.errors import OperationError

    if queues:
        raise OperationError(
            f"subject messages still arriving after the last pass in: {', '.join(queues)}",
            hint="stop the producers for this subject, then run erase again",
        )


def emit_file(path: Path, text: str) -> None:
    from provisioner.errors import BadInputError

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n", encoding="utf-8")
    except OSError as error:
        raise BadInputError(f"--report-file {path}: cannot write: {error.strerror}") from None


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.command("erase")(erase)

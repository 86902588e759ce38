"""`provisioner erase` end to end: key, target, clients, queues, erasure, audit record."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from provisioner.errors import BadInputError, OperationError
from provisioner.messaging.errors import TransportFailed
from provisioner.messaging.subjects import SubjectKey

DEFAULT_KEY_ENV = "PROVISIONER_SUBJECT_KEY"


@dataclass(frozen=True)
class EraseRequest:
    subject_id: str = field(repr=False)
    profile_names: tuple[str, ...]
    environment: str
    queue_urls: tuple[str, ...] = ()
    dry_run: bool = False
    region: str | None = None
    endpoint_url: str | None = None
    subject_key_file: Path | None = None
    subject_key_env: str = DEFAULT_KEY_ENV
    profiles_dir: Path | None = None
    environments_dir: Path | None = None
    wait_seconds: int = 1


@dataclass(frozen=True)
class EraseOutcome:
    record: dict[str, Any]
    audit_log_group: str | None
    audit_log_stream: str | None


def load_subject_key(key_file: Path | None, key_env: str) -> SubjectKey:
    if key_file is not None:
        try:
            text = key_file.read_text(encoding="utf-8")
        except OSError as error:
            raise BadInputError(
                f"--subject-key-file {key_file}: cannot read: {error.strerror}"
            ) from None
        source = f"--subject-key-file {key_file}"
    else:
        text = os.environ.get(key_env, "")
        if not text.strip():
            raise BadInputError(
                f"no subject key: environment variable {key_env} is not set",
                hint="set it, or pass --subject-key-file PATH (the producers' HMAC key)",
            )
        source = f"environment variable {key_env}"
    try:
        return SubjectKey.from_text(text)
    except ValueError as error:
        raise BadInputError(f"{source}: {error}", hint="use a 32-byte key, hex-encoded") from None


def run_erase(request: EraseRequest) -> EraseOutcome:
    if not request.subject_id.strip():
        raise BadInputError("--subject: empty subject id")
    key = load_subject_key(request.subject_key_file, request.subject_key_env)
    subject_ref = key.reference_text(request.subject_id)

    from provisioner.profiles import resolve_target

    target = resolve_target(
        list(request.profile_names),
        request.environment,
        request.region,
        profiles_dir=request.profiles_dir,
        environments_dir=request.environments_dir,
    )
    try:
        return _erase(request, target.stack_name, target.region, subject_ref)
    except TransportFailed as error:
        where = request.endpoint_url or f"AWS in {target.region}"
        raise OperationError(
            f"erasure stopped: {error}",
            hint=f"check credentials and that {where} is reachable; rerun to finish",
        ) from None


def _erase(request: EraseRequest, stack_name: str, region: str, subject_ref: str) -> EraseOutcome:
    import boto3
    from botocore.config import Config

    from provisioner.messaging.audit import erasure_record, find_audit_log_group, write_to_log_group
    from provisioner.messaging.erasure import (
        ErasureSettings,
        discover_queues,
        erase_subject,
        with_dead_letter_queues,
    )
    from provisioner.messaging.transport import aws_call

    session = boto3.Session(region_name=region)
    config = Config(retries={"mode": "standard"}, max_pool_connections=16)

    def client(service: str) -> Any:
        return session.client(service, endpoint_url=request.endpoint_url, config=config)  # type: ignore[call-overload]

    sqs, logs, sts = client("sqs"), client("logs"), client("sts")
    who = aws_call("STS", "GetCallerIdentity", sts.get_caller_identity)["Arn"]
    queues = list(request.queue_urls) or discover_queues(sqs, stack_name)
    if not queues:
        raise OperationError(
            f"no queues tagged provisioner:stack={stack_name} found",
            hint="deploy the stack first, or name queues with --queue URL",
        )
    queues = with_dead_letter_queues(sqs, queues)
    settings = ErasureSettings(dry_run=request.dry_run, wait_seconds=request.wait_seconds)
    results = erase_subject(sqs, queues, subject_ref, settings)
    record = erasure_record(
        stack_name=stack_name,
        who=who,
        subject_ref=subject_ref,
        results=results,
        dry_run=request.dry_run,
    )
    group = find_audit_log_group(logs, stack_name)
    stream = write_to_log_group(logs, group, record) if group is not None else None
    return EraseOutcome(record=record, audit_log_group=group, audit_log_stream=stream)


def unfinished_queues(outcome: EraseOutcome) -> list[str]:
    """Queues where every pass still found the subject (more arriving than erased)."""
    return [q["queue_url"] for q in outcome.record["queues"] if not q["complete"]]

"""The live inventory: every service collector run once, side by side, against one session.

A collector that fails (access denied, throttled beyond its retries, an unexpected answer)
leaves a `CollectionError` on each kind it fills, so controls over those kinds report `error`.
An endpoint that cannot be reached at all is not a per-kind problem: it raises OperationError
(exit 3), before collection when the first call fails, or after it when the endpoint went away.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from types import ModuleType
from typing import TYPE_CHECKING, Any

from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
)

from provisioner.errors import OperationError
from provisioner.inventory.collectors import COLLECTORS
from provisioner.inventory.collectors._base import (
    CollectorContext,
    EndpointUnreachableError,
    Scope,
    error_code,
)
from provisioner.inventory.models import KIND_FIELDS, AnyResource, CollectionError, Inventory, Kind

if TYPE_CHECKING:
    import boto3

log = logging.getLogger(__name__)

# Collectors run side by side, each spreading its own resources over a pool; more collectors at
# once than this only contend for the GIL (building a client is pure CPU) and ran slower
# (benchmarks/bench_verify.py).
COLLECTOR_WORKERS = 3

PROBE_CONFIG = Config(retries={"mode": "standard", "max_attempts": 2}, connect_timeout=5)


def _endpoint_name(endpoint_url: str | None, region: str) -> str:
    return endpoint_url or f"the AWS endpoints of {region}"


def caller_account(session: boto3.Session, region: str, endpoint_url: str | None) -> str:
    """The account the credentials act in; OperationError when AWS is out of reach."""
    endpoint = _endpoint_name(endpoint_url, region)
    try:
        sts = session.client(
            "sts", region_name=region, endpoint_url=endpoint_url, config=PROBE_CONFIG
        )
        return str(sts.get_caller_identity()["Account"])
    except (EndpointConnectionError, ConnectTimeoutError) as error:
        raise OperationError(
            f"could not reach {endpoint}: {error}",
            hint="check --endpoint-url, the network, or that the emulator is running",
        ) from None
    except NoCredentialsError:
        raise OperationError(
            "no AWS credentials found",
            hint="set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY",
        ) from None
    except ClientError as error:
        raise OperationError(
            f"AWS refused the credentials at {endpoint}: {error_code(error)}",
            hint="check the credentials and their account",
        ) from None


def _run(module: ModuleType, ctx: CollectorContext) -> Mapping[Kind, tuple[AnyResource, ...]]:
    collected: Mapping[Kind, tuple[AnyResource, ...]] = module.collect(ctx)
    return collected


def _failure_message(service: str, error: BaseException) -> str:
    if isinstance(error, ClientError):
        message = error.response.get("Error", {}).get("Message", "")
        return f"{service}: {error_code(error)}: {message}".rstrip(": ")
    if isinstance(error, BotoCoreError):
        return f"{service}: {error}"
    return f"{service}: unexpected {type(error).__name__}: {error}"


def collect_live(
    session: boto3.Session,
    region: str,
    stack_name: str,
    *,
    endpoint_url: str | None = None,
    output_arns: Iterable[str] | None = None,
    services: Iterable[str] | None = None,
) -> Inventory:
    """Read the stack `stack_name` (plus the account-level trails and Config) from AWS.

    `output_arns` (the stack's outputs) narrow each service they name; otherwise resources are
    found by the `provisioner:stack` tag. `services` limits collection to some collectors.
    """
    account = caller_account(session, region, endpoint_url)
    scope = Scope(stack_name, frozenset(output_arns) if output_arns is not None else None)
    ctx = CollectorContext(
        session=session, region=region, account=account, scope=scope, endpoint_url=endpoint_url
    )
    selected = {name: COLLECTORS[name] for name in services or COLLECTORS}
    results: dict[Kind, tuple[AnyResource, ...]] = {}
    errors: dict[Kind, CollectionError] = {}
    with ThreadPoolExecutor(max_workers=min(COLLECTOR_WORKERS, len(selected)) or 1) as pool:
        futures = {name: pool.submit(_run, module, ctx) for name, module in selected.items()}
        for name, future in futures.items():
            kinds: tuple[Kind, ...] = selected[name].KINDS
            try:
                results.update(future.result())
            except Exception as error:  # any failure makes the kinds unjudgeable, never "pass"
                if isinstance(error, EndpointUnreachableError):
                    continue  # reported once below
                log.debug("collector %s failed", name, exc_info=True)
                message = _failure_message(name, error)
                errors.update({kind: CollectionError(kind=kind, message=message) for kind in kinds})
    if ctx.guard.cause is not None:
        raise OperationError(
            f"lost {_endpoint_name(endpoint_url, region)} while reading the stack: "
            f"{ctx.guard.cause}",
            hint="check --endpoint-url, the network, or that the emulator is running",
        )
    fields: dict[str, Any] = {KIND_FIELDS[kind]: resources for kind, resources in results.items()}
    return Inventory(
        source="live",
        account=account,
        region=region,
        stack=stack_name,
        errors=errors,
        **fields,
    )

"""`provisioner doctor`: is this machine ready to deploy? One line per check, each with a fix."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from provisioner.engine.settings import EngineSettings
from provisioner.engine.workspace import aws_plugin_version, pinned_cli_version
from provisioner.errors import ProvisionerError

if TYPE_CHECKING:
    from pulumi import automation as auto


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""

    def to_document(self) -> dict[str, Any]:
        return {"check": self.name, "ok": self.ok, "detail": self.detail, "fix": self.fix}


def run_checks(
    settings: EngineSettings,
    *,
    command_factory: Callable[[], auto.PulumiCommand],
) -> list[Check]:
    command: auto.PulumiCommand | None = None
    try:
        command = command_factory()
        cli = Check("pulumi cli", True, f"version {command.version}")
    except ProvisionerError as error:
        cli = Check("pulumi cli", False, error.message, error.hint or "")
    checks = [cli, _plugin(command, settings), _credentials(settings), _backend(settings, command)]
    checks.append(_secrets(settings))
    if settings.endpoint_url is not None:
        checks.append(_emulator(settings.endpoint_url))
    checks.append(_policy_runtime())
    return checks


def _plugin(command: auto.PulumiCommand | None, settings: EngineSettings) -> Check:
    wanted = aws_plugin_version().lstrip("v")
    fix = f"pulumi plugin install resource aws {wanted} (done automatically before a deploy)"
    if command is None:
        return Check("aws plugin", False, "unknown: the Pulumi CLI is missing", fix)
    try:
        listing = command.run(["plugin", "ls", "--json"], str(Path.cwd()), settings.workspace_env())
        plugins = json.loads(listing.stdout or "[]")
    except Exception as error:
        return Check("aws plugin", False, f"could not list plugins: {_first_line(error)}", fix)
    versions = [p.get("version") for p in plugins if p.get("name") == "aws"]
    if wanted in versions:
        return Check("aws plugin", True, f"aws {wanted} installed")
    found = ", ".join(str(v) for v in versions) or "none"
    return Check("aws plugin", False, f"aws {wanted} not installed (found: {found})", fix)


def _credentials(settings: EngineSettings) -> Check:
    import boto3
    import botocore.exceptions

    fix = "aws configure (or AWS_PROFILE / an instance role), or use --sandbox"
    try:
        client = boto3.Session().client(
            "sts", endpoint_url=settings.endpoint_url, region_name=_region()
        )
        identity = client.get_caller_identity()
    except botocore.exceptions.NoCredentialsError:
        return Check("aws credentials", False, "no AWS credentials found", fix)
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as error:
        return Check("aws credentials", False, f"sts get-caller-identity: {error}", fix)
    return Check("aws credentials", True, f"account {identity.get('Account')}")


def _region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


def _backend(settings: EngineSettings, command: auto.PulumiCommand | None) -> Check:
    url = settings.backend_url
    if settings.state_dir is not None:
        directory = settings.state_dir
        try:
            directory.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=directory, prefix=".doctor-"):
                pass
        except OSError as error:
            return Check(
                "backend", False, f"{url}: not writable ({error.strerror})", "pass --backend URL"
            )
        return Check("backend", True, f"{url} (local files)")
    if url.startswith("s3://"):
        import boto3
        import botocore.exceptions

        bucket = url.removeprefix("s3://").split("/", 1)[0].split("?", 1)[0]
        try:
            boto3.Session().client("s3", endpoint_url=settings.endpoint_url).head_bucket(
                Bucket=bucket
            )
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as error:
            return Check("backend", False, f"{url}: {error}", "check the bucket and its access")
        return Check("backend", True, f"{url} (bucket reachable)")
    fix = "check the URL and your login for it (pulumi login)"
    if command is None:
        return Check("backend", False, f"{url}: needs the Pulumi CLI to check", fix)
    try:
        command.run(["whoami"], str(Path.cwd()), settings.workspace_env())
    except Exception as error:
        return Check("backend", False, f"{url}: {_first_line(error)}", fix)
    return Check("backend", True, f"{url} (logged in)")


def _secrets(settings: EngineSettings) -> Check:
    if settings.secrets_provider is not None:
        return Check("secrets provider", True, settings.secrets_provider.split("?", 1)[0])
    if settings.has_passphrase:
        names = ", ".join(sorted(settings.passphrase_env))
        return Check("secrets provider", True, f"passphrase from {names}")
    return Check(
        "secrets provider",
        False,
        "passphrase provider, but PULUMI_CONFIG_PASSPHRASE(_FILE) is not set",
        "export PULUMI_CONFIG_PASSPHRASE, or pass --secrets-provider awskms://alias/<name>",
    )


def _emulator(url: str) -> Check:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=3):
            pass
    except urllib.error.HTTPError:
        pass  # it answered, even if not 200 on "/"
    except (urllib.error.URLError, OSError, ValueError) as error:
        return Check(
            "emulator",
            False,
            f"{url}: not reachable ({_first_line(error)})",
            "start it: provisioner sandbox start",
        )
    return Check("emulator", True, f"{url} answers")


def _policy_runtime() -> Check:
    import importlib.util

    from provisioner.policy import pack_dir

    directory = pack_dir()
    if directory is None:
        return Check("policy pack", False, "policy_pack/ not found", "set PROVISIONER_POLICY_PACK")
    if importlib.util.find_spec("pulumi_policy") is None:
        return Check(
            "policy pack",
            False,
            "pulumi-policy is not installed",
            f"pip install --no-deps -r {directory / 'requirements.txt'}",
        )
    return Check("policy pack", True, str(directory))


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


def install_cli() -> str:
    """Install the pinned Pulumi CLI with `PulumiCommand.install`; returns where it went."""
    from pulumi import automation as auto
    from semver import VersionInfo

    from provisioner.engine.errors import INSTALL_PAGE
    from provisioner.engine.workspace import pinned_cli_root
    from provisioner.errors import OperationError

    version = pinned_cli_version()
    root = pinned_cli_root()
    try:
        command = auto.PulumiCommand.install(root=str(root), version=VersionInfo.parse(version))
    except Exception as error:  # offline: URLError; script failures: CalledProcessError
        raise OperationError(
            f"could not install Pulumi CLI {version}: {_first_line(error)}",
            hint=f"check the network (it downloads https://get.pulumi.com/install.sh), or "
            f"install it by hand: {INSTALL_PAGE}",
        ) from None
    return f"Pulumi CLI {command.version} at {root / 'bin' / 'pulumi'}"

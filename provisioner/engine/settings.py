"""Where state lives and how secrets are encrypted: resolved once from flags and the environment.

The passphrase itself never leaves this process except through the environment of the `pulumi`
subprocess (the workspace's `env_vars`), never on a command line and never in output.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from provisioner.errors import BadInputError

DEFAULT_WORK_DIR = Path(".provisioner")
PASSPHRASE_VARS = ("PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE")
BACKEND_SCHEMES = ("file://", "s3://", "gs://", "azblob://", "https://", "http://")
SECRETS_SCHEMES = ("awskms://", "gcpkms://", "azurekeyvault://", "hashivault://")


@dataclass(frozen=True)
class EngineSettings:
    """Backend, secrets provider and working directory for one command run."""

    work_dir: Path
    backend_url: str
    secrets_provider: str | None  # None: passphrase
    endpoint_url: str | None = None
    passphrase_env: Mapping[str, str] = field(default_factory=dict, repr=False)
    extra_env: Mapping[str, str] = field(default_factory=dict)

    @property
    def uses_passphrase(self) -> bool:
        return self.secrets_provider is None

    @property
    def has_passphrase(self) -> bool:
        return bool(self.passphrase_env)

    @property
    def state_dir(self) -> Path | None:
        """The directory of a local file backend, or None for remote backends."""
        if self.backend_url == "file://~":  # Pulumi's shorthand for ~/.pulumi
            return Path.home() / ".pulumi"
        if self.backend_url.startswith("file://"):
            return Path(self.backend_url.removeprefix("file://")).expanduser()
        return None

    def workspace_env(self) -> dict[str, str]:
        """Environment every `pulumi` call gets; the only route secrets take to the CLI."""
        env = {"PULUMI_BACKEND_URL": self.backend_url, "PULUMI_SKIP_UPDATE_CHECK": "true"}
        env.update(self.extra_env)
        env.update(self.passphrase_env)
        return env

    def secret_values(self) -> tuple[str, ...]:
        """Values that must never be printed (used to redact engine text before display)."""
        value = self.passphrase_env.get("PULUMI_CONFIG_PASSPHRASE")
        return (value,) if value else ()


def resolve_settings(
    *,
    backend: str | None = None,
    secrets_provider: str | None = None,
    endpoint_url: str | None = None,
    work_dir: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> EngineSettings:
    """Flags first, then the standard Pulumi variables, then the local defaults."""
    env = os.environ if environ is None else environ
    directory = (work_dir or Path(env.get("PROVISIONER_WORK_DIR") or DEFAULT_WORK_DIR)).resolve()
    url = backend or env.get("PULUMI_BACKEND_URL") or (directory / "state").as_uri()
    if not url.startswith(BACKEND_SCHEMES):
        flag = "--backend" if backend else "PULUMI_BACKEND_URL"
        raise BadInputError(
            f"{flag} {url!r}: not a Pulumi backend URL",
            hint="use file:///abs/path, s3://bucket/prefix, gs://, azblob:// or https://api.pulumi.com",
        )
    if url.startswith("file://") and not url.startswith("file:///") and url != "file://~":
        url = Path(url.removeprefix("file://")).resolve().as_uri()
    provider = secrets_provider or None
    if provider == "passphrase":
        provider = None
    if provider is not None and not provider.startswith(SECRETS_SCHEMES):
        raise BadInputError(
            f"--secrets-provider {provider!r}: not a secrets provider URL",
            hint="use passphrase (default) or awskms://alias/<name>?region=<region>",
        )
    passphrase_env = {name: env[name] for name in PASSPHRASE_VARS if env.get(name)}
    return EngineSettings(
        work_dir=directory,
        backend_url=url,
        secrets_provider=provider,
        endpoint_url=endpoint_url,
        passphrase_env=passphrase_env,
    )

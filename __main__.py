"""Entry point for the plain `pulumi` CLI (see Pulumi.yaml): reads the stack config, runs the
same program as `provisioner up`."""

from __future__ import annotations

import json
from pathlib import Path

import pulumi

from provisioner.errors import ProvisionerError
from provisioner.profiles import resolve_target
from provisioner.program import make_program

CHECKOUT = Path(__file__).resolve().parent


def profile_names(raw: str) -> list[str]:
    """`pci`, `gdpr,pci`, `gdpr+pci` or a JSON list."""
    text = raw.strip()
    if text.startswith("["):
        names = json.loads(text)
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise pulumi.RunError("provisioner:profiles: expected a list of profile names")
        return names
    return [name.strip() for name in text.replace("+", ",").split(",") if name.strip()]


def main() -> None:
    config = pulumi.Config("provisioner")
    try:
        target = resolve_target(
            profile_names(config.require("profiles")),
            config.require("environment"),
            config.get("region"),
            environments_dir=CHECKOUT / "environments",
        )
    except ProvisionerError as error:
        hint = f" ({error.hint})" if error.hint else ""
        raise pulumi.RunError(f"{error.message}{hint}") from None
    make_program(target, endpoint_url=config.get("endpointUrl"))()


main()

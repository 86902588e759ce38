"""Build the Pulumi CLI handle, the workspace and the stack for one target.

An inline program (`project_name` "provisioner") runs in a stable per-project `work_dir`
(`.provisioner/` by default): the workspace writes its own `Pulumi.yaml` and `Pulumi.<stack>.yaml`
there, never over the repository's `Pulumi.yaml`, and the stack file keeps the secrets provider
and encrypted key between runs (pulumi.md 1.5).
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from provisioner.engine.errors import cli_missing, cli_too_old, passphrase_missing
from provisioner.engine.settings import EngineSettings
from provisioner.errors import BadInputError

if TYPE_CHECKING:
    from pulumi import automation as auto

    from provisioner.profiles import StackTarget

PROJECT_NAME = "provisioner"
Program = Callable[[], None]


def aws_plugin_version() -> str:
    """The pulumi-aws provider plugin matching the installed `pulumi_aws` SDK, e.g. `v7.51.1`."""
    return "v" + metadata.version("pulumi_aws")


def pinned_cli_version() -> str:
    """The Pulumi CLI version we install and prefer: the SDK's own version."""
    return metadata.version("pulumi")


def pinned_cli_root() -> Path:
    """Where `PulumiCommand.install` puts the pinned CLI (its default root)."""
    return Path.home() / ".pulumi" / "versions" / pinned_cli_version()


def pulumi_command() -> auto.PulumiCommand:
    """The CLI: the pinned copy from `install-cli` when present, else `pulumi` on PATH."""
    from pulumi import automation as auto

    root = pinned_cli_root()
    try:
        if (root / "bin" / "pulumi").is_file():
            return auto.PulumiCommand(root=str(root))
        return auto.PulumiCommand()
    except FileNotFoundError:
        raise cli_missing() from None
    except auto.errors.InvalidVersionError as error:
        raise cli_too_old(str(error)) from None
    except (subprocess.CalledProcessError, PermissionError) as error:
        raise cli_too_old(f"`pulumi version` failed: {error}") from None


def stack_config(target: StackTarget) -> dict[str, auto.ConfigValue]:
    """Non-secret stack config from the resolved target (set with `path=True`)."""
    from pulumi import automation as auto

    values = {
        "aws:region": target.region,
        "provisioner:environment": target.environment.name,
        "provisioner:region": target.region,
        # Any resource or invoke that forgets our explicit provider fails instead of using
        # ambient credentials (pulumi.md 1.6).
        "pulumi:disable-default-providers[0]": "*",
    }
    for index, name in enumerate(target.profile_names):
        values[f"provisioner:profiles[{index}]"] = name
    return {key: auto.ConfigValue(value=value, secret=False) for key, value in values.items()}


def open_workspace(
    settings: EngineSettings,
    *,
    program: Program | None = None,
    command: auto.PulumiCommand | None = None,
) -> auto.LocalWorkspace:
    """A workspace on the stable work dir, with the backend and secrets in its environment."""
    from pulumi import automation as auto

    settings.work_dir.mkdir(parents=True, exist_ok=True)
    if settings.state_dir is not None:
        settings.state_dir.mkdir(parents=True, exist_ok=True)
    options = auto.LocalWorkspaceOptions(
        work_dir=str(settings.work_dir),
        program=program,
        env_vars=settings.workspace_env(),
        secrets_provider=settings.secrets_provider,
        project_settings=auto.ProjectSettings(
            name=PROJECT_NAME, runtime="python", main=str(settings.work_dir)
        ),
        pulumi_command=command if command is not None else pulumi_command(),
    )
    return auto.LocalWorkspace(**vars(options))


def existing_stacks(workspace: auto.LocalWorkspace) -> list[str]:
    """Stack names of this project on the backend (DIY backends may qualify them)."""
    return sorted(summary.name.split("/")[-1] for summary in workspace.list_stacks())


@dataclass
class StackSession:
    """A selected (or new) stack and the workspace it lives in."""

    stack: auto.Stack
    workspace: auto.LocalWorkspace
    settings: EngineSettings
    created: bool

    @property
    def name(self) -> str:
        return self.stack.name


def open_stack(
    stack_name: str,
    settings: EngineSettings,
    *,
    program: Program | None = None,
    command: auto.PulumiCommand | None = None,
    create: bool = False,
) -> StackSession:
    """Select the stack, or create it when `create`; an unknown stack is exit 2 otherwise."""
    from pulumi import automation as auto

    workspace = open_workspace(settings, program=program, command=command)
    stacks = existing_stacks(workspace)
    if stack_name in stacks:
        return StackSession(auto.Stack.select(stack_name, workspace), workspace, settings, False)
    if not create:
        raise BadInputError(
            f"stack {stack_name} does not exist on {settings.backend_url}",
            hint=f"existing stacks: {', '.join(stacks) or '(none)'}; "
            "create it with `provisioner up`",
        )
    if settings.uses_passphrase and not settings.has_passphrase:
        raise passphrase_missing(stack_name)
    return StackSession(auto.Stack.create(stack_name, workspace), workspace, settings, True)


def prepare_stack(session: StackSession, target: StackTarget) -> None:
    """Config from the target and the pinned aws plugin, before the first operation."""
    session.stack.set_all_config(stack_config(target), path=True)
    session.workspace.install_plugin("aws", aws_plugin_version())

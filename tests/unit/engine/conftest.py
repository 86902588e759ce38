from __future__ import annotations

from pathlib import Path

import pytest

from provisioner.engine.settings import EngineSettings, resolve_settings
from provisioner.profiles import StackTarget, resolve_target

REPO = Path(__file__).resolve().parents[3]
PASSPHRASE = "correct horse battery staple"


@pytest.fixture
def target() -> StackTarget:
    return resolve_target(["pci"], "dev", environments_dir=REPO / "environments")


@pytest.fixture
def settings(tmp_path: Path) -> EngineSettings:
    return resolve_settings(
        work_dir=tmp_path / ".provisioner", environ={"PULUMI_CONFIG_PASSPHRASE": PASSPHRASE}
    )

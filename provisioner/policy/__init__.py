"""The deploy-time gate: a CrossGuard policy pack over the controls catalog.

`policies.py` holds the validate logic and imports `pulumi_policy` only when the pack itself is
built (in `policy_pack/__main__.py`), so the rest of the application never needs it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

PACK_NAME = "provisioner-controls"
# JSON: profiles, environment, region, profiles_dir, environments_dir of the judged target.
TARGET_ENV = "PROVISIONER_POLICY_TARGET"
PACK_DIR_ENV = "PROVISIONER_POLICY_PACK"


def pack_dir() -> Path | None:
    """`policy_pack/` of the checkout, the installed copy, or `PROVISIONER_POLICY_PACK`."""
    override = os.environ.get(PACK_DIR_ENV)
    candidates = [Path(override)] if override else []
    candidates.append(Path(__file__).resolve().parents[2] / "policy_pack")
    candidates.append(Path(sys.prefix) / "share" / "provisioner" / "policy_pack")
    for candidate in candidates:
        if (candidate / "PulumiPolicy.yaml").is_file():
            return candidate.resolve()
    return None

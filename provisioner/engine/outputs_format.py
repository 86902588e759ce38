"""Stack outputs as `export NAME=value` lines a CI step can `eval` or append to $GITHUB_ENV."""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Mapping
from typing import Any

_NOT_NAME = re.compile(r"[^A-Za-z0-9_]")


def env_name(output: str) -> str:
    """`queueUrl` / `queue-url` -> `QUEUE_URL`."""
    snake = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", output)
    name = _NOT_NAME.sub("_", snake).upper()
    return name if not name[:1].isdigit() else f"_{name}"


def as_env_lines(values: Mapping[str, Any]) -> str:
    lines = []
    for name, value in sorted(values.items()):
        text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
        lines.append(f"export {env_name(name)}={shlex.quote(text)}")
    return "\n".join(lines)

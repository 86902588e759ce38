"""Reading the YAML files users hand us: every failure is one line naming the file and the line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from provisioner.errors import BadInputError

# libyaml's loader when PyYAML was built with it: the same documents and errors, parsed in C.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(path: Path, *, flag: str | None = None) -> Any:
    """The document in `path` (None for an empty file). `flag` names the option that gave it."""
    shown = f"{flag} {path}" if flag else str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise BadInputError(f"{shown}: cannot read: {error.strerror}") from None
    except UnicodeDecodeError:
        raise BadInputError(f"{path}: not UTF-8 text") from None
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or "invalid YAML"
        raise BadInputError(f"{path}:{where}: invalid YAML: {problem}") from None
    except (ValueError, RecursionError) as error:
        raise BadInputError(f"{path}: invalid YAML: {error}") from None

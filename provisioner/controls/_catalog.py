"""Loading the catalog's data: prose (`catalog.yaml`) and framework mappings (`frameworks/`).

Both are validated with pydantic on load; referential integrity (every mapped id exists, every
control has prose) is checked when the registry is built, so a dangling id fails at import and
in the catalog tests, never silently at report time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from provisioner.controls._types import Control, Definition, FrameworkMapping
from provisioner.findings import FRAMEWORKS

DATA_DIR = Path(__file__).resolve().parent
CATALOG_FILE = DATA_DIR / "catalog.yaml"
FRAMEWORKS_DIR = DATA_DIR / "frameworks"

Provenance = Literal["prowler", "conformance-pack", "cdk-nag", "own"]


class CatalogError(Exception):
    """The shipped catalog data is inconsistent (a bug in the package, caught by the tests)."""


class Prose(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    title: Annotated[str, Field(min_length=1)]
    description: Annotated[str, Field(min_length=1)]
    remediation: Annotated[str, Field(min_length=1)]


class Requirement(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = ""
    controls: Mapping[str, Provenance | Annotated[list[Provenance], Field(min_length=1)]]


class FrameworkDocument(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    framework: str
    title: Annotated[str, Field(min_length=1)]
    requirements: Mapping[str, Requirement]
    unmapped: Mapping[str, Annotated[str, Field(min_length=1)]] = {}


# The C loader (when PyYAML was built with libyaml) keeps catalog loading off CLI start-up time.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read(path: Path) -> object:
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_Loader)


def load_prose(path: Path = CATALOG_FILE) -> dict[str, Prose]:
    raw = _read(path)
    if not isinstance(raw, dict):
        raise CatalogError(f"{path}: expected a mapping of control id to prose")
    try:
        return {str(cid): Prose.model_validate(entry) for cid, entry in raw.items()}
    except ValidationError as error:
        raise CatalogError(f"{path}: {error}") from None


def load_frameworks(directory: Path = FRAMEWORKS_DIR) -> dict[str, FrameworkDocument]:
    documents: dict[str, FrameworkDocument] = {}
    for name in FRAMEWORKS:
        path = directory / f"{name}.yaml"
        try:
            document = FrameworkDocument.model_validate(_read(path))
        except ValidationError as error:
            raise CatalogError(f"{path}: {error}") from None
        if document.framework != path.stem:
            raise CatalogError(f"{path}: framework '{document.framework}' != file name")
        documents[document.framework] = document
    return documents


def build_controls(
    definitions: Sequence[Definition],
    prose: Mapping[str, Prose],
    frameworks: Mapping[str, FrameworkDocument],
) -> tuple[Control, ...]:
    """Join definitions with their prose and mappings; refuse any dangling or missing id."""
    ids = [d.id for d in definitions]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise CatalogError(f"duplicate control ids: {duplicates}")
    known = set(ids)
    problems = [f"catalog.yaml: no prose for {i}" for i in ids if i not in prose]
    problems += [f"catalog.yaml: {i} is not a control" for i in prose if i not in known]
    mappings: dict[str, list[FrameworkMapping]] = {i: [] for i in ids}
    unmapped: dict[str, dict[str, str]] = {i: {} for i in ids}
    for name, document in frameworks.items():
        for requirement_id, requirement in document.requirements.items():
            for control_id, provenance in requirement.controls.items():
                if control_id not in known:
                    problems.append(f"frameworks/{name}.yaml: {requirement_id}: {control_id}?")
                    continue
                tags = (provenance,) if isinstance(provenance, str) else tuple(provenance)
                mappings[control_id].append(FrameworkMapping(name, requirement_id, tags))
        for control_id, reason in document.unmapped.items():
            if control_id not in known:
                problems.append(f"frameworks/{name}.yaml: unmapped: {control_id}?")
            elif any(m.framework == name for m in mappings[control_id]):
                problems.append(f"frameworks/{name}.yaml: {control_id} is mapped and unmapped")
            else:
                unmapped[control_id][name] = reason
    if problems:
        raise CatalogError("; ".join(problems))
    return tuple(
        Control(
            id=d.id,
            title=prose[d.id].title,
            description=prose[d.id].description.strip(),
            remediation=prose[d.id].remediation.strip(),
            kind=d.kind,
            severity=d.severity,
            parameters=d.parameters,
            reads=d.reads,
            check=d.check,
            mappings=tuple(mappings[d.id]),
            unmapped=unmapped[d.id],
        )
        for d in definitions
    )

"""`controls list`: which controls a profile or framework applies, as data and as Markdown."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from provisioner.controls import CONTROLS, controls_for, controls_for_framework
from provisioner.controls._types import Control
from provisioner.errors import BadInputError
from provisioner.findings import FRAMEWORKS
from provisioner.profiles import ProfileCatalog, merge_profiles


def select_controls(
    profile_names: Sequence[str], framework: str | None, profiles_dir: Path | None = None
) -> list[Control]:
    """All controls or a profile's (several merged), optionally only those mapped to a framework."""
    if framework is not None and framework not in FRAMEWORKS:
        raise BadInputError(
            f"--framework {framework!r}: unknown framework",
            hint=f"known frameworks: {', '.join(FRAMEWORKS)}",
        )
    selected = list(CONTROLS)
    if profile_names:
        catalog = ProfileCatalog(user_dir=profiles_dir)
        profiles = [catalog.load(name) for name in dict.fromkeys(profile_names)]
        selected = controls_for(merge_profiles(profiles))
    if framework is not None:
        selected = controls_for_framework(framework, selected)
    return selected


def requirement_text(control: Control, framework: str) -> str:
    """`3.5.1 (prowler), 10.3.2 (own)`, or why the control is not mapped."""
    mapped = [
        f"{m.requirement} ({'+'.join(m.provenance)})"
        for m in control.mappings
        if m.framework == framework
    ]
    if mapped:
        return ", ".join(mapped)
    return f"not mapped: {control.unmapped.get(framework, '')}".rstrip(": ")


def listing_document(
    controls: Sequence[Control], profile_names: Sequence[str], framework: str | None
) -> dict[str, Any]:
    return {
        "profiles": list(profile_names),
        "framework": framework,
        "count": len(controls),
        "controls": [c.to_document() for c in controls],
    }


def table_rows(controls: Sequence[Control], framework: str | None) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for control in controls:
        if framework is not None:
            mapped = requirement_text(control, framework)
        else:
            mapped = ", ".join(name for name in FRAMEWORKS if control.frameworks[name])
        rows.append((control.id, control.severity.value, control.kind_name, control.title, mapped))
    return rows


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(
    controls: Sequence[Control], profile_names: Sequence[str], framework: str | None
) -> str:
    scope = " + ".join(profile_names) if profile_names else "all profiles"
    heading = f"# Controls: {scope}" + (f", {framework}" if framework else "")
    columns = ["Control", "Severity", "Kind", "Title"]
    columns += [framework] if framework else list(FRAMEWORKS)
    lines = [
        heading,
        "",
        f"{len(controls)} controls. Provenance of each mapping in parentheses: prowler, "
        "cdk-nag, conformance-pack or own.",
        "",
        "| " + " | ".join(columns) + " |",
        "|" + "---|" * len(columns),
    ]
    for control in controls:
        frameworks = [framework] if framework else list(FRAMEWORKS)
        cells = [
            f"`{control.id}`",
            control.severity.value,
            control.kind_name,
            control.title,
            *(requirement_text(control, name) for name in frameworks),
        ]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    lines += ["", "## Descriptions", ""]
    for control in controls:
        lines += [
            f"### {control.id}: {control.title}",
            "",
            control.description,
            "",
            f"Remediation: {control.remediation}",
            "",
        ]
    return "\n".join(lines).rstrip("\n") + "\n"

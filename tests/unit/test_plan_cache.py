"""The plan cache: same target, code and SDKs give the same plan without running the program."""

from __future__ import annotations

from pathlib import Path

import pytest

import provisioner.program
from provisioner.planning import plan_cache_key, run_plan
from provisioner.profiles import StackTarget, resolve_target

REPO = Path(__file__).resolve().parents[2]


def target(profile: str = "pci", env: str = "dev", region: str | None = None) -> StackTarget:
    return resolve_target([profile], env, region, environments_dir=REPO / "environments")


def test_second_plan_is_read_back_without_running_the_program(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = run_plan(target(), cache_dir=tmp_path)
    assert len(list(tmp_path.glob("plan-*.json"))) == 1

    def must_not_run(*args: object, **kwargs: object) -> None:
        raise AssertionError("the cached plan should have been used")

    monkeypatch.setattr(provisioner.program, "make_program", must_not_run)
    second = run_plan(target(), cache_dir=tmp_path)
    assert second == first


def test_key_follows_everything_the_plan_depends_on(tmp_path: Path) -> None:
    base = plan_cache_key(target())
    assert plan_cache_key(target()) == base
    assert plan_cache_key(target("hipaa")) != base
    assert plan_cache_key(target(env="prod")) != base
    assert plan_cache_key(target(region="us-west-2")) != base


def test_unreadable_cache_is_ignored_and_replaced(tmp_path: Path) -> None:
    broken = tmp_path / f"plan-{plan_cache_key(target())}.json"
    broken.write_text("{not json", encoding="utf-8")
    plan = run_plan(target(), cache_dir=tmp_path)
    assert plan.stack == "pci.dev" and plan.resources
    assert run_plan(target(), cache_dir=tmp_path) == plan


def test_key_changes_when_the_program_code_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import provisioner.planning as planning

    source = tmp_path / "component.py"
    source.write_text("VERSION = 1\n", encoding="utf-8")
    monkeypatch.setattr(planning, "_program_sources", lambda: [source])
    before = plan_cache_key(target())
    source.write_text("VERSION = 2\n", encoding="utf-8")
    assert plan_cache_key(target()) != before

"""Whole-process CLI timings: `provisioner --help` against a bare Typer app, and `plan` per profile.

Usage: python benchmarks/bench_cli.py [--runs N] [--profile P ...]

Each command runs as a fresh process (what a user or CI pipeline pays), once to warm the
bytecode cache (and the plan cache) and then N times; the median wall-clock time is reported.
`plan --no-cache` is measured too: that is the cost of the first plan after a code change.
The bare Typer app is measured in the same run so the `--help` ratio is fair on a busy machine.
Prints a table, then one JSON line for machines.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PROFILES = ("baseline", "pci", "hipaa", "gdpr", "fedramp")
HELP_RATIO_TARGET = 1.5
PLAN_TARGET_S = 1.0
PLAN_AIM_S = 0.5

BARE_TYPER_APP = '''
import typer

app = typer.Typer()


@app.command()
def hello(name: str = "world") -> None:
    """Say hello."""
    typer.echo(f"hello {name}")


@app.command()
def bye() -> None:
    """Say bye."""


app()
'''


def provisioner_command() -> list[str]:
    script = Path(sys.executable).parent / "provisioner"
    return [str(script)] if script.exists() else [sys.executable, "-m", "provisioner"]


def median_seconds(command: Sequence[str], runs: int, ok_codes: tuple[int, ...] = (0,)) -> float:
    def once() -> float:
        start = time.perf_counter()
        done = subprocess.run(command, cwd=REPO, capture_output=True, check=False)
        elapsed = time.perf_counter() - start
        if done.returncode not in ok_codes:
            stderr = done.stderr.decode(errors="replace").strip()
            raise SystemExit(f"{' '.join(command)} exited {done.returncode}: {stderr}")
        return elapsed

    once()  # warm the bytecode cache
    return statistics.median(once() for _ in range(runs))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per command (median)")
    parser.add_argument(
        "--profile", action="append", dest="profiles", help="profile to plan (repeatable)"
    )
    parser.add_argument(
        "--uncached",
        action="append",
        help="profile to also plan with --no-cache (repeatable; default: pci)",
    )
    options = parser.parse_args(argv)
    profiles = options.profiles or list(PROFILES)
    if str(REPO) not in sys.path:  # run as a script, only benchmarks/ is on the path
        sys.path.insert(0, str(REPO))
    from benchmarks._bytecode import compile_project

    compile_project()
    cli = provisioner_command()

    with tempfile.TemporaryDirectory() as scratch:
        bare = Path(scratch) / "bare_typer.py"
        bare.write_text(BARE_TYPER_APP, encoding="utf-8")
        bare_s = median_seconds([sys.executable, str(bare), "--help"], options.runs)
    help_s = median_seconds([*cli, "--help"], options.runs)

    def plan_command(profile: str, *extra: str) -> list[str]:
        return [*cli, "plan", "--profile", profile, "--env", "dev", "--output", "json", *extra]

    # Exit 1 is a finished plan whose compliance gate has findings.
    plan_s = {
        profile: median_seconds(plan_command(profile), options.runs, ok_codes=(0, 1))
        for profile in profiles
    }
    # The program itself, every time (what the first plan after a code change costs).
    uncached_s = {
        profile: median_seconds(plan_command(profile, "--no-cache"), options.runs, (0, 1))
        for profile in (options.uncached or ["pci"])
    }

    ratio = help_s / bare_s
    rows = [
        ("bare typer --help", bare_s, ""),
        ("provisioner --help", help_s, f"{ratio:.2f}x bare (target <= {HELP_RATIO_TARGET}x)"),
        *(
            (
                f"provisioner plan --profile {p} --env dev --output json",
                s,
                f"target < {PLAN_TARGET_S} s, aim < {PLAN_AIM_S} s",
            )
            for p, s in plan_s.items()
        ),
        *(
            (
                f"provisioner plan --profile {p} --env dev --output json --no-cache",
                s,
                "runs the Pulumi program every time",
            )
            for p, s in uncached_s.items()
        ),
    ]
    width = max(len(name) for name, _, _ in rows)
    print(f"{'command':<{width}}  median s  note   ({options.runs} runs each)")
    for name, seconds, note in rows:
        print(f"{name:<{width}}  {seconds:8.3f}  {note}")
    print(
        json.dumps(
            {
                "runs": options.runs,
                "bare_typer_help_s": round(bare_s, 4),
                "provisioner_help_s": round(help_s, 4),
                "help_ratio": round(ratio, 3),
                "help_within_target": ratio <= HELP_RATIO_TARGET,
                "plan_s": {p: round(s, 4) for p, s in plan_s.items()},
                "plan_uncached_s": {p: round(s, 4) for p, s in uncached_s.items()},
                "plan_pci_within_target": plan_s.get("pci", 0.0) < PLAN_TARGET_S,
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

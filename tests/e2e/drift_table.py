"""Print the drift table: control -> drift -> detected, each drift on its own fresh deployment.

    .venv/bin/python -m tests.e2e.drift_table [--profile fedramp]

Every drift gets a reset moto server, a simulated deploy of the profile's stack, the drift,
and a verify. "detected" means the drift's control fails on the drifted resource; "isolated"
means nothing else fails (besides the overlaps the catalog defines, listed in `also`).
"""

from __future__ import annotations

import argparse
import logging
import os
import time

from tests.e2e.conftest import DeployedStack, failing, target_for
from tests.e2e.drifts import DRIFTS
from tests.support.moto_server import running_moto_server
from tests.support.simulated_deploy import simulated_deploy


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="fedramp")
    args = parser.parse_args()
    logging.disable(logging.CRITICAL)
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    rows: list[tuple[str, str, str, str]] = []
    started = time.perf_counter()
    with running_moto_server() as server:
        for drift in DRIFTS:
            server.reset()
            target = target_for([args.profile])
            stack = DeployedStack(target, server, simulated_deploy(target, server.url))
            resource = drift.apply(stack)
            found = failing(stack.verify())
            scope = f"account:123456789012/{target.region}"
            wanted = {(drift.control, resource), *((o, scope) for o in drift.also)}
            detected = "yes" if (drift.control, resource) in found else "NO"
            extra = sorted(found - wanted)
            isolated = "yes" if not extra else "NO: " + ", ".join(c for c, _ in extra)
            if drift.also:
                isolated += f" (also {', '.join(drift.also)}, by definition)"
            rows.append((drift.control, drift.change, detected, isolated))
    width = max(len(r[0]) for r in rows)
    change_width = max(len(r[1]) for r in rows)
    print(f"| {'control':<{width}} | {'drift':<{change_width}} | detected | isolated |")
    print(f"|{'-' * (width + 2)}|{'-' * (change_width + 2)}|----------|----------|")
    for control, change, detected, isolated in rows:
        print(f"| {control:<{width}} | {change:<{change_width}} | {detected:<8} | {isolated} |")
    misses = sum(1 for r in rows if r[2] != "yes" or r[3].startswith("NO"))
    print(
        f"\n{len(rows)} drifts, {misses} not detected or not isolated, "
        f"{time.perf_counter() - started:.0f} s"
    )
    return 1 if misses else 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Benchmarks measure the steady state: the project's bytecode already written.

`pip install` compiles a package's modules, and Python writes their bytecode on a first run;
a machine with PYTHONDONTWRITEBYTECODE set (this sandbox has it) would instead make every
measured process compile the project from source again.
"""

from __future__ import annotations

import compileall
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("provisioner", "components")


def compile_project() -> None:
    for package in PACKAGES:
        compileall.compile_dir(ROOT / package, quiet=1)

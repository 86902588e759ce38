"""A local AWS emulator for trying stacks without an account: a moto server on 127.0.0.1.

`provisioner sandbox start` runs `python -m moto.server` in the background (extra `sandbox`) and
records its pid and port under `.provisioner/sandbox/`; `--sandbox` on the other commands reads
them to point the AWS provider and boto3 at it.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from provisioner.errors import OperationError

HOST = "127.0.0.1"
START_TIMEOUT_SECONDS = 20.0


@dataclass(frozen=True)
class SandboxState:
    running: bool
    pid: int | None
    port: int | None
    directory: Path

    @property
    def url(self) -> str | None:
        return f"http://{HOST}:{self.port}" if self.port is not None else None

    def to_document(self) -> dict[str, object]:
        return {"running": self.running, "pid": self.pid, "port": self.port, "url": self.url}


def sandbox_dir(work_dir: Path) -> Path:
    return work_dir / "sandbox"


def _read_int(path: Path) -> int | None:
    try:
        return int(path.read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        return None


def _is_our_server(pid: int) -> bool:
    """The pid is alive and is a moto server (a recycled pid must never be signalled)."""
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    cmdline = Path(f"/proc/{pid}/cmdline")
    if cmdline.exists():
        with contextlib.suppress(OSError):
            return b"moto.server" in cmdline.read_bytes()
    return True


def answers(url: str, timeout: float = 1.0) -> bool:
    """True when a moto server answers at `url`."""
    try:
        with urllib.request.urlopen(f"{url}/moto-api/data.json", timeout=timeout) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def status(work_dir: Path) -> SandboxState:
    directory = sandbox_dir(work_dir)
    pid = _read_int(directory / "pid")
    port = _read_int(directory / "port")
    running = pid is not None and port is not None and _is_our_server(pid)
    return SandboxState(running=running, pid=pid, port=port, directory=directory)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def start(work_dir: Path, port: int | None = None) -> SandboxState:
    """Start the server in the background (idempotent) and wait until it answers."""
    current = status(work_dir)
    if current.running:
        return current
    if importlib.util.find_spec("moto") is None:
        raise OperationError(
            "the sandbox needs moto, which is not installed",
            hint="pip install 'provisioner[sandbox]'",
        )
    directory = sandbox_dir(work_dir)
    directory.mkdir(parents=True, exist_ok=True)
    chosen = port or _free_port()
    with (directory / "server.log").open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", HOST, "-p", str(chosen)],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    url = f"http://{HOST}:{chosen}"
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        if answers(url, timeout=0.5):
            (directory / "pid").write_text(f"{process.pid}\n", encoding="utf-8")
            (directory / "port").write_text(f"{chosen}\n", encoding="utf-8")
            return SandboxState(True, process.pid, chosen, directory)
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        process.kill()
    process.wait(timeout=5)
    raise OperationError(
        f"the sandbox did not start on {url}",
        hint=f"see {directory / 'server.log'}; is port {chosen} free?",
    )


def stop(work_dir: Path) -> SandboxState:
    """Stop the server if it runs, and forget its pid and port."""
    current = status(work_dir)
    if current.running and current.pid is not None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(current.pid, signal.SIGTERM)
        if not _wait_gone(current.pid, 5.0):
            with contextlib.suppress(ProcessLookupError):
                os.kill(current.pid, signal.SIGKILL)
            _wait_gone(current.pid, 2.0)
    for name in ("pid", "port"):
        (current.directory / name).unlink(missing_ok=True)
    return SandboxState(False, None, None, current.directory)


def _wait_gone(pid: int, seconds: float) -> bool:
    """Wait until the server has exited, reaping it when it is our own child."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            reaped, _ = os.waitpid(pid, os.WNOHANG)
            if reaped == pid:
                return True
        except ChildProcessError:  # started by another process: its parent (or init) reaps it
            if _state(pid) in ("Z", "X", None):
                return True
        time.sleep(0.05)
    return False


def _state(pid: int) -> str | None:
    """The process state letter from /proc (R, S, Z, ...), or None when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text(encoding="utf-8").splitlines():
            if line.startswith("State:"):
                return line.split()[1]
    except OSError:
        return None
    return None


def endpoint(work_dir: Path) -> str:
    """The running sandbox's URL, or exit 3 with a hint to start it."""
    current = status(work_dir)
    if not current.running or current.url is None or not answers(current.url):
        raise OperationError(
            "--sandbox: the sandbox is not running",
            hint="start it with `provisioner sandbox start`",
        )
    return current.url

"""A real moto server on a loopback port, talked to over HTTP: the AWS of these tests."""

from __future__ import annotations

import socket
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any, cast

ACCOUNT_ID = "123456789012"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class MotoServer:
    """Handle on a running server: its URL, a reset, and boto3 clients bound to it."""

    url: str
    _server: Any

    def reset(self) -> None:
        request = urllib.request.Request(f"{self.url}/moto-api/reset", method="POST")
        with urllib.request.urlopen(request, timeout=10):
            pass

    def client(self, service: str, region: str = "us-east-1") -> Any:
        import boto3

        return cast(Any, boto3).client(
            service,
            region_name=region,
            endpoint_url=self.url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def stop(self) -> None:
        self._server.stop()


@contextmanager
def running_moto_server() -> Iterator[MotoServer]:
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    handle = MotoServer(url=f"http://127.0.0.1:{port}", _server=server)
    try:
        yield handle
    finally:
        with suppress(Exception):  # already stopped by a fault-injection test
            server.stop()

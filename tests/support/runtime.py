"""What every live-endpoint fixture shares: the skip-or-fail rule and free loopback ports."""

from __future__ import annotations

import os
import signal
import socket
import sys

import pytest

LOOPBACK = "127.0.0.1"


def require(available: bool, message: str, *, ci: bool | None = None) -> None:
    """Skip a test whose runtime (broker, emulator, moto) is missing — except in CI (``CI=true``), where a
    missing runtime must fail the run loudly instead of hiding a regression behind a skip."""
    if available:
        return
    if ci if ci is not None else os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def free_ports(count: int) -> list[int]:
    """Ports free on 127.0.0.1 right now (held open together so they are distinct)."""
    socks: list[socket.socket] = []
    try:
        for _ in range(count):
            s = socket.socket()
            s.bind((LOOPBACK, 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def stop_cleanly_on_sigterm() -> None:
    """Turn SIGTERM (a CI or ``timeout`` kill) into SystemExit, so ``with Cluster(...)`` blocks and fixture
    teardowns still stop the brokers they started instead of leaving them running on the machine."""
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(128 + signal.SIGTERM))

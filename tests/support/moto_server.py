"""A real moto server for the AWS integration tests (registered in ``tests/conftest.py``).

``moto_server`` (session) starts the ``moto_server`` console script from ``moto[server]`` on a
free 127.0.0.1 port and stops it, by its own PID, at the end. ``aws_endpoint`` (per test)
resets moto's state first, so every test starts from an empty account. Without moto the tests
skip locally but FAIL under ``CI=true`` (``.ci/install-aws.sh`` installs it there).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator

import pytest

from support.runtime import require

START_TIMEOUT = 15.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _up(endpoint: str) -> bool:
    try:
        with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1):
            return True
    except OSError:
        return False


def reset(endpoint: str) -> None:
    """Forget every resource (moto's own reset API)."""
    request = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=5):
        pass


MISSING = "moto_server is not installed (pip install 'moto[server]'; see .ci/install-aws.sh)"


def require_moto(binary: str | None, *, ci: bool) -> str:
    """The console script's path; without it skip, except in CI, where it must fail the run loudly."""
    require(binary is not None, MISSING, ci=ci)
    assert binary is not None
    return binary


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """The endpoint URL of a moto server running for the whole session."""
    binary = require_moto(shutil.which("moto_server"), ci=os.environ.get("CI") == "true")
    port = _free_port()
    endpoint = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([binary, "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _up(endpoint):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"moto_server did not start on {endpoint} (exit code {proc.poll()})")
            time.sleep(0.1)
        yield endpoint
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def aws_endpoint(moto_server: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A moto endpoint with no resources, and dummy credentials so no real account is ever used."""
    reset(moto_server)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return moto_server

"""Google's own Pub/Sub emulator for the GCP integration tests (registered in ``tests/conftest.py``).

``pubsub_emulator`` (session) starts the emulator shipped by the Debian package
``google-cloud-cli-pubsub-emulator`` on a free 127.0.0.1 port, waits until it answers a gRPC call,
and at the end stops it and its JVM: the launcher is a shell script that forks ``java``, so it runs
in its own process group and the group (ours alone) is signalled. ``pubsub_project`` gives each test
its own project id, which is how the emulator isolates state, so tests never see each other's topics.
Without the emulator the tests skip locally but FAIL under ``CI=true``.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.runtime import require

EMULATOR = Path("/usr/lib/google-cloud-sdk/platform/pubsub-emulator/bin/cloud-pubsub-emulator")
START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _answers(endpoint: str) -> bool:
    """True once the emulator serves gRPC (the port opens a moment before it does)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        import grpc
        from google.api_core import exceptions as gexc
        from google.cloud import pubsub_v1
        from google.pubsub_v1.services.publisher.transports import PublisherGrpcTransport
    channel = grpc.insecure_channel(endpoint)
    try:
        client = pubsub_v1.PublisherClient(transport=PublisherGrpcTransport(channel=channel))
        list(client.list_topics(project="projects/queuekit-probe", timeout=1))
        return True
    except gexc.GoogleAPICallError:
        return False
    finally:
        channel.close()


def _stop(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=STOP_TIMEOUT)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def require_emulator(binary: Path, *, ci: bool) -> None:
    """Skip without the emulator, except in CI, where a missing emulator must fail the run loudly."""
    require(binary.exists(), f"the Pub/Sub emulator is not installed ({binary}; Debian package "
                             "google-cloud-cli-pubsub-emulator, see .ci/install-gcp.sh)", ci=ci)


@pytest.fixture(scope="session")
def pubsub_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``HOST:PORT`` of a Pub/Sub emulator running for the whole session."""
    require_emulator(EMULATOR, ci=os.environ.get("CI") == "true")
    port = _free_port()
    endpoint = f"127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("pubsub-emulator") / "emulator.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([str(EMULATOR), "--host=127.0.0.1", f"--port={port}"],
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _answers(endpoint):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the Pub/Sub emulator did not start on {endpoint} (exit code {proc.poll()}); "
                            f"log: {log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.2)
        yield endpoint
    finally:
        _stop(proc)


@pytest.fixture
def pubsub_project() -> str:
    """A fresh project id: the emulator keeps each project's topics apart."""
    return f"qk-{uuid.uuid4().hex[:10]}"

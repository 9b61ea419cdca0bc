"""What the user must fix about the Pub/Sub endpoint is one line and exit 2, never a hang or a traceback.

No emulator needed: these are the cases where there is none (a URL instead of HOST:PORT, nothing
listening, no application-default credentials) or where Google refuses a create call.
"""

from __future__ import annotations

import socket
import time
import warnings
from pathlib import Path
from typing import Any

import pytest
from factories import to_yaml
from pubsub_factory import PUBSUB_BASE

from queuekit.cli import main
from queuekit.local import pubsub as local_pubsub
from queuekit.local.pubsub_endpoint import CONNECT_TIMEOUT, PubSubError

with warnings.catch_warnings():
    warnings.simplefilter("ignore", FutureWarning)
    from google.api_core import exceptions as gexc


@pytest.fixture
def spec_file(tmp_path: Path) -> Path:
    path = tmp_path / "pubsub.yaml"
    path.write_bytes(to_yaml(PUBSUB_BASE))
    return path


def closed_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("command", [["local", "up"], ["verify"]])
def test_an_address_that_is_not_host_port_is_one_line(spec_file: Path, command: list[str],
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*command, str(spec_file), "--pubsub-emulator", "http://127.0.0.1:8085"]) == 2
    out = capsys.readouterr()
    assert (out.out, out.err) == ("", f"queuekit {' '.join(command)}: [pubsub] --pubsub-emulator must be HOST:PORT "
                                      "such as 127.0.0.1:8085 (what PUBSUB_EMULATOR_HOST holds); got "
                                      "'http://127.0.0.1:8085'\n")


def test_nothing_listening_fails_fast_with_the_command_to_start_the_emulator(
        spec_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    address = f"127.0.0.1:{closed_port()}"
    started = time.monotonic()
    assert main(["local", "up", str(spec_file), "--pubsub-emulator", address]) == 2
    assert time.monotonic() - started < CONNECT_TIMEOUT + 5
    assert capsys.readouterr().err == (
        f"queuekit local up: [pubsub] no Pub/Sub emulator answers at {address} (waited 5s); start one with "
        f"'gcloud beta emulators pubsub start --host-port={address}'\n")


def test_no_application_default_credentials(spec_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "adc.json"
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(missing))
    assert main(["verify", str(spec_file), "--backend", "pubsub"]) == 2
    assert capsys.readouterr().err == (
        f"queuekit verify: [pubsub] no Google application-default credentials (File {missing} was not found.); "
        "run 'gcloud auth application-default login' or pass --pubsub-emulator HOST:PORT\n")


def test_a_create_google_refuses_names_the_resource() -> None:
    def refuse(request: dict[str, Any], timeout: float) -> None:
        raise gexc.PermissionDenied("User not authorized to perform this action.")

    with pytest.raises(PubSubError) as refused:
        local_pubsub._create(refuse, {"name": "projects/p/topics/report-jobs"})
    assert str(refused.value) == ("creating projects/p/topics/report-jobs: "
                                  "User not authorized to perform this action.")


def test_an_existing_resource_is_not_an_error() -> None:
    def exists(request: dict[str, Any], timeout: float) -> None:
        raise gexc.AlreadyExists("Topic already exists")

    assert local_pubsub._create(exists, {"name": "projects/p/topics/report-jobs"}) is False

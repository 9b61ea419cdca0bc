"""``queuekit render rabbitmq``, ``local up --rabbitmq`` and ``verify --rabbitmq`` through the CLI entry point.

The engine modules have their own tests; these pin what a user sees: the exact document, exit
codes, one-line errors (never "internal error") and the re-run that changes nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from rabbitmq_factory import rabbit_dict, rabbit_spec
from support.rabbitmq_cluster import RabbitCluster

from queuekit.cli import main
from queuekit.topology.rabbitmq import definitions


def _write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "rabbit.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_render_prints_exactly_the_definitions_document(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, rabbit_dict())
    assert main(["render", "rabbitmq", str(path), "--broker", "jobs"]) == 0
    out = capsys.readouterr().out
    assert json.loads(out) == definitions(rabbit_spec(), "jobs")
    assert out == json.dumps(definitions(rabbit_spec(), "jobs"), indent=2) + "\n"  # users' hashes are "", no salt


def test_render_out_writes_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, target = _write(tmp_path, rabbit_dict()), tmp_path / "definitions.json"
    assert main(["render", "rabbitmq", str(path), "--broker", "jobs", "--out", str(target)]) == 0
    assert capsys.readouterr().out == f"wrote {target}\n"
    assert json.loads(target.read_text()) == definitions(rabbit_spec(), "jobs")


def test_render_of_a_kafka_name_as_rabbitmq_names_the_choices(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, rabbit_dict())
    assert main(["render", "rabbitmq", str(path), "--broker", "events"]) == 2
    assert capsys.readouterr().err == f"queuekit render: {path}: no rabbitmq broker named 'events' (have: jobs)\n"


@pytest.mark.parametrize(("command", "prog"), [(["local", "up"], "local up"), (["verify"], "verify")])
def test_a_bad_rabbitmq_url_is_one_line_and_exit_2(command: list[str], prog: str, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, rabbit_dict())
    assert main([*command, str(path), "--rabbitmq", "amqp://guest:guest@127.0.0.1:5672"]) == 2
    assert capsys.readouterr().err == (
        f"queuekit {prog}: [rabbitmq] --rabbitmq must be the management URL, e.g. "
        "http://admin:PASSWORD@127.0.0.1:15672 (got scheme 'amqp')\n")


@pytest.mark.parametrize(("command", "prog"), [(["local", "up"], "local up"), (["verify"], "verify")])
def test_nothing_listening_exits_2(command: list[str], prog: str, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, rabbit_dict())
    assert main([*command, str(path), "--rabbitmq", "http://admin:pw@127.0.0.1:1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"queuekit {prog}: [rabbitmq] cannot reach the RabbitMQ management API at "
                          "http://127.0.0.1:1: ")
    assert "internal error" not in err and "Traceback" not in err


@pytest.mark.broker
def test_up_twice_then_verify_then_a_type_change_is_refused(
        rabbitmq_node: RabbitCluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("QUEUEKIT_STATE_DIR", str(tmp_path / "state"))
    d = rabbit_dict("cli-e2e")
    path = _write(tmp_path, d)
    url = rabbitmq_node.endpoint()
    assert main(["local", "up", str(path), "--rabbitmq", url]) == 0
    first = capsys.readouterr().out.splitlines()
    assert first[0].endswith("broker 'jobs', vhost 'cli-e2e' created")
    assert sum(1 for line in first if line.startswith("[rabbitmq] queue ") and line.endswith(": created")) == 8

    assert main(["local", "up", str(path), "--rabbitmq", url]) == 0
    second = capsys.readouterr().out.splitlines()
    assert second[0].endswith("broker 'jobs', vhost 'cli-e2e' exists")
    changed = [line for line in second if line.startswith(("[rabbitmq] queue ", "[rabbitmq] user "))
               and not line.endswith(": exists")]
    assert changed == []

    assert main(["verify", str(path), "--rabbitmq", url, "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["ok"], len(report["checks"])) == (True, 19)

    d["queues"][1]["queue_type"] = "quorum"
    path = _write(tmp_path, d)
    assert main(["local", "up", str(path), "--rabbitmq", url]) == 2
    err = capsys.readouterr().err
    assert err == ("queuekit local up: [rabbitmq] cannot change a RabbitMQ queue's type in place; delete these "
                   "queues first (their messages are lost) or keep their type in the spec: queue 'thumbnails' "
                   "exists as classic, the spec wants quorum; queue 'thumbnails-dlq' exists as classic, the spec "
                   "wants quorum\n")  # a generated DLQ has its queue's type

"""The ``queuekit`` CLI: validate, plan and render exit codes and output; the installed console script."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from factories import spec_dict

from queuekit.cli import main


def _write(tmp_path: Path, data: object, name: str = "stack.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def _bad_spec() -> dict[str, object]:
    d = spec_dict()
    d["queues"][0]["visibility_timeout"] = "13h"  # type: ignore[index]
    d["queues"][1]["colour"] = "blue"  # type: ignore[index]
    return d


def test_validate_ok_prints_a_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, spec_dict())
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr().out
    assert out == f"{path}: ok (4 queues, 2 topics, 2 brokers; backends: sqs, pubsub, rabbitmq, kafka)\n"


def test_validate_reports_every_error_of_every_file_and_exits_2(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    good = _write(tmp_path, spec_dict(), "good.yaml")
    bad = _write(tmp_path, _bad_spec(), "bad.yaml")
    assert main(["validate", str(good), str(bad)]) == 2
    captured = capsys.readouterr()
    assert captured.out == f"{good}: ok (4 queues, 2 topics, 2 brokers; backends: sqs, pubsub, rabbitmq, kafka)\n"
    errors = captured.err.splitlines()
    assert len(errors) == 2
    assert errors[0].startswith(f"{bad}:") and "queues[0].visibility_timeout" in errors[0]
    assert errors[1].startswith(f"{bad}:") and "queues[1].colour" in errors[1]
    assert "Traceback" not in captured.err


def test_validate_json_lists_errors_with_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = _write(tmp_path, _bad_spec())
    assert main(["validate", "--format", "json", str(bad)]) == 2
    files = json.loads(capsys.readouterr().out)["files"]
    assert [f["ok"] for f in files] == [False]
    assert sorted(e["path"] for e in files[0]["errors"]) == ["queues[0].visibility_timeout", "queues[1].colour"]
    assert all(isinstance(e["line"], int) and e["line"] > 1 for e in files[0]["errors"])


@pytest.mark.parametrize("engine", ["fast", "mocks"])
def test_plan_json_lists_resources_with_parents(engine: str, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, spec_dict())
    assert main(["plan", str(path), "--format", "json", "--engine", engine]) == 0
    resources = json.loads(capsys.readouterr().out)["resources"]
    types = {r["type"] for r in resources}
    assert {"queuekit:aws:Queue", "aws:sqs/queue:Queue", "gcp:pubsub/topic:Topic", "queuekit:rabbitmq:Cluster",
            "queuekit:kafka:Cluster"} <= types
    queues = {r["inputs"]["name"] for r in resources if r["type"] == "aws:sqs/queue:Queue"}
    assert "image-resize" in queues and "image-resize-dlq" in queues


def test_plan_text_ends_with_a_count(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, spec_dict())
    assert main(["plan", str(path), "--engine", "fast"]) == 0
    out = capsys.readouterr().out
    assert out.rstrip().endswith("would be created (stack prod, project shop).")
    assert "+ aws:sqs/queue:Queue  " in out


def test_plan_of_an_invalid_spec_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", str(_write(tmp_path, _bad_spec()))]) == 2
    assert "queues[0].visibility_timeout" in capsys.readouterr().err


@pytest.mark.parametrize("engine,broker,key", [("rabbitmq", "jobs", "queues"), ("kafka", "events", "topics")])
def test_render_prints_the_broker_document(engine: str, broker: str, key: str, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, spec_dict())
    assert main(["render", engine, str(path), "--broker", broker]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document[key]


def test_render_of_an_unknown_broker_names_the_choices(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, spec_dict())
    assert main(["render", "kafka", str(path), "--broker", "jobs"]) == 2
    assert capsys.readouterr().err == \
        f"queuekit render: {path}: no kafka broker named 'jobs' (have: events)\n"


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["plan"])
    assert exc.value.code == 2
    assert "the following arguments are required: SPEC" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["validate", "plan", "cost", "check", "local", "verify", "render"])
def test_every_subcommand_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.startswith("usage: queuekit " + command)


def test_installed_console_script_validates_the_example() -> None:
    exe = shutil.which("queuekit")
    assert exe, "the queuekit console script is not installed: pip install -e ."
    root = Path(__file__).resolve().parents[3]
    res = subprocess.run([exe, "validate", "stacks/example.yaml"], cwd=root, capture_output=True, text=True,
                         timeout=60)
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("stacks/example.yaml: ok (")

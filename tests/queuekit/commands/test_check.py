"""``queuekit check``: exit codes, and the json / sarif / junit / text outputs."""

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from factories import changed, spec_dict, to_yaml

from queuekit.cli import main


def _write(tmp_path: Path, d: dict, name: str = "spec.yaml") -> str:
    path = tmp_path / name
    path.write_bytes(to_yaml(d))
    return str(path)


def _write_config(tmp_path: Path, text: str) -> str:
    path = tmp_path / "policy.yaml"
    path.write_text(text)
    return str(path)


def _check(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["check", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def _line_of(path: str, text: str) -> int:
    return next(i for i, line in enumerate(Path(path).read_text().splitlines(), 1) if text in line)


def test_secure_spec_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _check(capsys, _write(tmp_path, spec_dict()), "--format", "json")
    assert code == 0
    assert json.loads(out) == {"violations": [], "failing": 0}


def test_mandatory_violation_exits_1_with_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _check(capsys, _write(tmp_path, changed("queues.0.dead_letter", "none")), "--format", "json")
    assert code == 1
    assert json.loads(out)["violations"] == [{
        "rule": "dead-letter-present", "id": "QK901", "severity": "high", "enforcement": "mandatory",
        "resource": "urn:pulumi:prod::shop::queuekit:aws:Queue$aws:sqs/queue:Queue::sqs-image-resize.queue",
        "message": "SQS queue 'image-resize' has no redrivePolicy: a poison message is retried until retention "
                   "expires and then lost",
    }]


def test_advisory_exits_0_unless_hard_fail_on(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = _write(tmp_path, changed("topics.0.encryption", "none"))
    config = tmp_path / "policy.yaml"
    config.write_text("sqs-encryption-at-rest: disabled\n")
    assert _check(capsys, spec, "--config", str(config))[0] == 0
    assert _check(capsys, spec, "--config", str(config), "--hard-fail-on", "medium")[0] == 1
    assert _check(capsys, spec, "--config", str(config), "--hard-fail-on", "high")[0] == 0


def test_invalid_inputs_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = _write(tmp_path, spec_dict())
    bad = _write(tmp_path, changed("queues.0.retention", "100d"), "bad.yaml")
    config = tmp_path / "policy.yaml"
    config.write_text("no-such-rule: advisory\n")
    assert _check(capsys, bad)[0] == 2
    assert _check(capsys, good, "--base", bad)[0] == 2
    code, _, err = _check(capsys, good, "--config", str(config))
    assert code == 2
    assert err == (f"{config}:1:1: error: no-such-rule: no such rule "
                   "(known: see `python -m policies.catalogue`)\n")
    assert _check(capsys, good, "--config", str(tmp_path / "missing.yaml"))[0] == 2


def test_sarif_points_at_the_offending_queue(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    spec = _write(tmp_path, changed("queues.1.dead_letter", "none"))
    code, out, _ = _check(capsys, "spec.yaml", "--format", "sarif")
    assert code == 1
    sarif = json.loads(out)
    assert sarif["version"] == "2.1.0"
    assert sarif["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    run = sarif["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert run["tool"]["driver"]["name"] == "queuekit"
    [result] = run["results"]
    assert result["ruleId"] == "QK901" and rules[result["ruleIndex"]]["id"] == "QK901"
    assert result["level"] == "error"
    assert rules[result["ruleIndex"]]["properties"]["security-severity"] == "7.5"
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "spec.yaml"
    assert location["region"]["startLine"] == _line_of(spec, "name: report-jobs")


def test_junit_has_one_case_per_rule(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _check(capsys, _write(tmp_path, changed("queues.0.encryption", "none")), "--format", "junit")
    assert code == 1
    root = ET.fromstring(out.split("\n", 1)[1])
    suite = root.find("testsuite")
    assert suite is not None
    assert suite.get("failures") == "1" and suite.get("tests") == str(len(suite.findall("testcase")))
    [failed] = [c for c in suite.findall("testcase") if c.find("failure") is not None]
    assert failed.get("name") == "sqs-encryption-at-rest"
    assert failed.find("failure").get("message") == (  # type: ignore[union-attr]
        "2 violation(s) of SQS queues are encrypted at rest (SSE-SQS or KMS)")


def test_text_names_file_line_and_rule(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    spec = _write(tmp_path, changed("queues.0.producers", ["*"]))
    code, out, _ = _check(capsys, "spec.yaml")
    line = _line_of(spec, "name: image-resize")
    assert code == 1
    assert out.splitlines() == [
        f"spec.yaml:{line}:3: FAIL QK103 aws-no-wildcard-access [critical, mandatory]: SQS QueuePolicy "
        "'sqs-image-resize.policy' statement AllowProducers allows any principal ('*') without a source condition",
        "1 violation(s), 1 failing the check",
    ]


@pytest.mark.parametrize(("path", "base_value", "head_value", "queue"), [
    ("queues.0.fifo", False, True, "image-resize"),
    ("queues.2.queue_type", "quorum", "classic", "email-send"),
    ("queues.3.partitions", 12, 6, "clickstream"),
])
def test_base_spec_flags_replacement_at_the_queue(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch, path: str, base_value: object,
                                                  head_value: object, queue: str) -> None:
    monkeypatch.chdir(tmp_path)
    _write(tmp_path, changed(path, base_value), "base.yaml")
    head = _write(tmp_path, changed(path, head_value))
    code, out, _ = _check(capsys, "spec.yaml", "--base", "base.yaml", "--format", "sarif",
                          "--config", _write_config(tmp_path, "rabbitmq-quorum-queues: disabled\n"))
    assert code == 1
    [result] = json.loads(out)["runs"][0]["results"]
    assert result["ruleId"] == "QK908" and result["level"] == "error"
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == _line_of(head, f"name: {queue}")


def test_dev_stack_reports_advisory_and_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The shipped policy-config.yaml makes every rule advisory for `environment: dev`, mandatory in prod."""
    dev = changed("queues.0.encryption", "none")
    dev["environment"] = "dev"
    code, out, _ = _check(capsys, _write(tmp_path, dev), "--format", "json")
    assert code == 0
    assert [(v["id"], v["enforcement"]) for v in json.loads(out)["violations"]] == [("QK101", "advisory")] * 2
    assert _check(capsys, _write(tmp_path, changed("queues.0.encryption", "none")), "--format", "json")[0] == 1


def test_catalogue_flag_prints_markdown(capsys: pytest.CaptureFixture[str]) -> None:
    from policies.catalogue import markdown

    assert _check(capsys, "--catalogue") == (0, markdown(), "")

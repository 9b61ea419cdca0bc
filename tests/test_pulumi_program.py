"""``__main__.py``, the program ``pulumi up`` runs: which spec it builds, what it exports, how it fails.

The Pulumi CLI passes stack config in ``PULUMI_CONFIG`` and runs the program from the project
directory; the tests do the same under Pulumi's mocks (no CLI here).
"""

from __future__ import annotations

import json
import runpy
from pathlib import Path
from typing import Any

import pulumi
import pytest

from components.mocks import QueuekitMocks

ROOT = Path(__file__).resolve().parents[1]
FANOUT = "tests/components/specs/sqs-fanout.yaml"


def run_program(stack: str, config: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Run ``__main__.py`` as ``pulumi up`` would for ``stack``; the exported outputs, resolved."""
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("PULUMI_CONFIG", json.dumps(config))
    exported: dict[str, Any] = {}
    monkeypatch.setattr(pulumi, "export", lambda key, value: exported.__setitem__(key, value))
    pulumi.runtime.set_mocks(QueuekitMocks(), project="queuekit", stack=stack, preview=False)
    resolved: dict[str, Any] = {}

    @pulumi.runtime.test
    def program() -> pulumi.Output[Any]:
        runpy.run_path(str(ROOT / "__main__.py"), run_name="__main__")
        keys = sorted(exported)
        return pulumi.Output.all(*[pulumi.Output.from_input(exported[k]) for k in keys]).apply(
            lambda values: resolved.update(zip(keys, values, strict=True)))

    program()
    return resolved


def test_the_spec_comes_from_the_queuekit_spec_config_key(monkeypatch: pytest.MonkeyPatch) -> None:
    outputs = run_program("dev", {"queuekit:spec": FANOUT}, monkeypatch)
    assert sorted(outputs) == sorted([
        *[f"{q}.{k}" for q in ("image-resize", "payments", "exports", "orders-billing", "orders-shipping")
          for k in ("url", "arn", "alarm_names", "dlq_name")],
        "parking.url", "parking.arn", "parking.alarm_names", "orders.topic_arn"])
    assert outputs["payments.url"] == "https://sqs.us-east-1.amazonaws.com/123456789012/payments.fifo"
    assert outputs["exports.arn"] == "arn:aws:sqs:eu-west-1:123456789012:exports"
    assert outputs["exports.dlq_name"] == "parking"
    assert outputs["parking.alarm_names"] == ["shop-prod-parking-oldest-message-age", "shop-prod-parking-backlog"]


def test_without_config_the_spec_is_stacks_slash_stack_name(monkeypatch: pytest.MonkeyPatch) -> None:
    outputs = run_program("example", {}, monkeypatch)
    assert outputs["image-resize.url"] == "https://sqs.us-east-1.amazonaws.com/123456789012/image-resize"
    assert outputs["orders.topic_arn"] == "arn:aws:sns:us-east-1:123456789012:orders"
    assert "exports.url" not in outputs


def test_an_invalid_spec_stops_the_program_with_located_errors(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nproject: shop\nenvironment: prod\nqueues:\n"
                   "  - {name: jobs, backend: sqs, visibility_timeout: 99999s}\n")
    with pytest.raises(SystemExit) as stopped:
        run_program("dev", {"queuekit:spec": str(bad)}, monkeypatch)
    assert stopped.value.code == 2
    # Under the mocks pulumi.log.error goes to Python logging; under the CLI, to its error stream.
    assert [r.getMessage() for r in caplog.records if r.levelname == "ERROR"] == [
        f"{bad}:5:5: error: queues[0]: no region is set: set region here or defaults.aws_region",
        f"{bad}:5:52: error: queues[0].visibility_timeout: visibility_timeout 99999s is out of range for sqs: "
        "must be 0s to 12h"]

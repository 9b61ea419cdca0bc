"""The blueprint framework: the fast plan and the mocks plan agree, refs resolve to real formats."""

from __future__ import annotations

import json
import sys
import types
from dataclasses import dataclass
from typing import Any

import pytest
from factories import load, spec_dict

from components import program
from components.blueprint import Blueprint, Concat, JsonDoc, QueuekitComponent, Secret
from components.plan import fast_plan, is_secret, mock_plan


@dataclass(frozen=True)
class _Args:
    name: str
    region: str
    alarm_topic: Any


class _Queue(QueuekitComponent):
    TOKEN = "queuekit:test:Queue"

    @staticmethod
    def build(name: str, args: _Args) -> Blueprint:
        bp = Blueprint()
        dlq = bp.add("aws:sqs/queue:Queue", f"{name}-dlq", name=f"{args.name}-dlq", region=args.region,
                     message_retention_seconds=1209600, tags={"team_x": "a"})
        q = bp.add("aws:sqs/queue:Queue", f"{name}-queue", name=args.name, region=args.region,
                   redrive_policy=JsonDoc({"deadLetterTargetArn": dlq.arn, "maxReceiveCount": 5}))
        bp.add("aws:cloudwatch/metricAlarm:MetricAlarm", f"{name}-alarm", name=Concat((args.name, "-dlq-depth")),
               region=args.region, comparison_operator="GreaterThanOrEqualToThreshold", evaluation_periods=1,
               threshold=1, alarm_actions=[args.alarm_topic], dimensions={"QueueName": dlq.name})
        bp.add("aws:ssm/parameter:Parameter", f"{name}-secret", name=f"/{args.name}/token", type="SecureString",
               value=Secret("s3cr3t"))
        bp.outputs = {"arn": q.arn, "url": q.url}
        return bp


def _add_to_stack(spec: Any, bp: Blueprint) -> None:
    topic = bp.add("aws:sns/topic:Topic", "alarms-oncall", name="alarms-oncall", region="us-east-1")
    for queue in spec.queues_on("sqs"):
        handle = bp.add_component(_Queue, queue.name, _Args(queue.name, queue.region, topic.arn))
        bp.outputs[f"{queue.name}.url"] = handle.url


@pytest.fixture
def fake_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    module = types.ModuleType("tests_fake_sqs")
    module.add_to_stack = _add_to_stack  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tests_fake_sqs", module)
    monkeypatch.setattr(program, "BACKEND_MODULES", {"sqs": "tests_fake_sqs"})


def test_fast_plan_equals_mock_plan(fake_backend: None) -> None:
    spec = load(spec_dict())
    assert fast_plan(spec) == mock_plan(spec)


def test_refs_resolve_to_provider_formats(fake_backend: None) -> None:
    items = {i.name: i for i in fast_plan(load(spec_dict()))}
    redrive = json.loads(items["image-resize-queue"].inputs["redrivePolicy"])
    assert redrive == {"deadLetterTargetArn": "arn:aws:sqs:us-east-1:123456789012:image-resize-dlq",
                       "maxReceiveCount": 5}
    alarm = items["image-resize-alarm"].inputs
    assert alarm["alarmActions"] == ["arn:aws:sns:us-east-1:123456789012:alarms-oncall"]
    assert alarm["dimensions"] == {"QueueName": "image-resize-dlq"}  # dict keys of plain maps are kept
    assert alarm["name"] == "image-resize-dlq-depth"
    assert items["image-resize-dlq"].inputs["messageRetentionSeconds"] == 1209600.0  # ints arrive as floats
    assert items["image-resize-dlq"].parent == items["image-resize"].urn
    assert items["image-resize"].parent == "urn:pulumi:prod::shop::pulumi:pulumi:Stack::shop-prod"


def test_secret_values_are_marked_secret_in_both_plans(fake_backend: None) -> None:
    for plan in (mock_plan, fast_plan):
        value = {i.name: i for i in plan(load(spec_dict()))}["image-resize-secret"].inputs["value"]
        assert is_secret(value) and value["value"] == "s3cr3t"
        assert not is_secret({"value": "s3cr3t"})

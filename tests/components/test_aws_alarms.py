"""CloudWatch alarms on SQS queues and the SNS topics they notify: exact metrics and actions."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from aws_factory import ACCOUNT, SQS_BASE, TAGS, inputs, of_type, plan
from factories import changed

from components.aws_alarms import RUNBOOK_ANCHORS, RUNBOOK_URL

ROOT = Path(__file__).resolve().parents[2]
ENGINES = ["mock", "fast"]
Q = "sqs-image-resize"
ALARM_TOPIC = f"arn:aws:sns:us-east-1:{ACCOUNT}:shop-prod-alarms-oncall"


def queue_only(**fields: object) -> dict:
    d = changed("topics", [], SQS_BASE)
    d["queues"][0].update(fields)
    return d


def common(region: str = "us-east-1", actions: list[str] | None = None) -> dict[str, object]:
    actions = [ALARM_TOPIC] if actions is None else actions
    return {"namespace": "AWS/SQS", "statistic": "Maximum", "comparisonOperator": "GreaterThanOrEqualToThreshold",
            "treatMissingData": "notBreaching", "alarmActions": actions, "okActions": actions,
            "region": region, "tags": TAGS, "period": 60.0}


@pytest.mark.parametrize("engine", ENGINES)
def test_three_alarms_with_exact_metrics(engine: str) -> None:
    items = plan(queue_only(alarms={"dlq_messages": 2, "oldest_message_age": "30m", "backlog": 500}), engine)
    assert inputs(items, f"{Q}.alarm.dlq-messages") == {
        **common(), "name": "shop-prod-image-resize-dlq-messages",
        "alarmDescription": "image-resize-dlq holds at least 2 dead-lettered message(s) from image-resize. "
                            "Runbook: docs/runbooks/sqs.md#dead-lettered-messages",
        "metricName": "ApproximateNumberOfMessagesVisible", "dimensions": {"QueueName": "image-resize-dlq"},
        "threshold": 2.0, "evaluationPeriods": 1.0, "datapointsToAlarm": 1.0}
    assert inputs(items, f"{Q}.alarm.oldest-message-age") == {
        **common(), "name": "shop-prod-image-resize-oldest-message-age",
        "alarmDescription": "the oldest message in image-resize is at least 1800s old. "
                            "Runbook: docs/runbooks/sqs.md#oldest-message-too-old",
        "metricName": "ApproximateAgeOfOldestMessage", "dimensions": {"QueueName": "image-resize"},
        "threshold": 1800.0, "evaluationPeriods": 1.0, "datapointsToAlarm": 1.0}
    assert inputs(items, f"{Q}.alarm.backlog") == {
        **common(), "name": "shop-prod-image-resize-backlog",
        "alarmDescription": "image-resize has had at least 500 visible messages for 5 minutes. "
                            "Runbook: docs/runbooks/sqs.md#backlog-too-deep",
        "metricName": "ApproximateNumberOfMessagesVisible", "dimensions": {"QueueName": "image-resize"},
        "threshold": 500.0, "evaluationPeriods": 5.0, "datapointsToAlarm": 5.0}


def test_defaults_from_the_loader() -> None:
    items = plan(queue_only())
    thresholds = {n.rsplit(".", 1)[1]: i.inputs["threshold"] for n, i in items.items() if ".alarm." in n}
    assert thresholds == {"dlq-messages": 1.0, "oldest-message-age": 900.0, "backlog": 10000.0}


def test_an_alarm_can_be_turned_off() -> None:
    items = plan(queue_only(alarms={"backlog": "off"}))
    assert sorted(n for n in items if n.startswith(f"{Q}.alarm.")) == [
        f"{Q}.alarm.dlq-messages", f"{Q}.alarm.oldest-message-age"]


def test_all_alarms_off_create_no_alarm_topic() -> None:
    items = plan(queue_only(alarms="off"))
    assert of_type(items, "aws:cloudwatch/metricAlarm:MetricAlarm") == []
    assert of_type(items, "aws:sns/topic:Topic") == []


@pytest.mark.parametrize("engine", ENGINES)
def test_email_target_gets_a_topic_and_subscription(engine: str) -> None:
    items = plan(queue_only(), engine)
    assert inputs(items, "aws-alarm-topic.oncall.us-east-1") == {
        "name": "shop-prod-alarms-oncall", "region": "us-east-1", "tags": TAGS}
    assert inputs(items, "aws-alarm-topic.oncall.us-east-1.email") == {
        "topic": ALARM_TOPIC, "protocol": "email", "endpoint": "oncall@example.com", "region": "us-east-1"}


def test_existing_sns_topic_target_is_used_as_is() -> None:
    given = f"arn:aws:sns:us-east-1:{ACCOUNT}:pagerduty"
    d = changed("notify", {"oncall": {"sns_topic_arn": given}}, queue_only())
    items = plan(d)
    assert of_type(items, "aws:sns/topic:Topic") == []
    assert inputs(items, f"{Q}.alarm.backlog")["alarmActions"] == [given]
    assert inputs(items, f"{Q}.alarm.backlog")["okActions"] == [given]


def test_one_alarm_topic_per_target_per_region() -> None:
    d = queue_only()
    d["queues"].append({"name": "eu-jobs", "backend": "sqs", "region": "eu-west-1"})
    d["notify"]["team"] = {"email": "team@example.com"}
    d["queues"][1]["alarms"] = {"notify": ["oncall", "team"]}
    items = plan(d)
    assert sorted(i.name for i in of_type(items, "aws:sns/topic:Topic")) == [
        "aws-alarm-topic.oncall.eu-west-1", "aws-alarm-topic.oncall.us-east-1", "aws-alarm-topic.team.eu-west-1"]
    assert inputs(items, "sqs-eu-jobs.alarm.backlog")["alarmActions"] == [
        f"arn:aws:sns:eu-west-1:{ACCOUNT}:shop-prod-alarms-oncall",
        f"arn:aws:sns:eu-west-1:{ACCOUNT}:shop-prod-alarms-team"]
    assert inputs(items, "sqs-eu-jobs.alarm.backlog")["region"] == "eu-west-1"


def test_no_notify_target_means_no_actions() -> None:
    d = changed("defaults.alarms", {}, queue_only())
    items = plan(d)
    got = inputs(items, f"{Q}.alarm.backlog")
    assert "alarmActions" not in got and "okActions" not in got
    assert of_type(items, "aws:sns/topic:Topic") == []


def test_fifo_queue_alarm_dimensions_use_the_fifo_names() -> None:
    items = plan(queue_only(fifo=True))
    assert inputs(items, f"{Q}.alarm.dlq-messages")["dimensions"] == {"QueueName": "image-resize-dlq.fifo"}
    assert inputs(items, f"{Q}.alarm.backlog")["dimensions"] == {"QueueName": "image-resize.fifo"}


def github_anchors(markdown: str) -> set[str]:
    """The anchors GitHub gives a file's headings: lower case, punctuation dropped, spaces to hyphens."""
    headings = re.findall(r"^#{1,6} +(.+?) *$", markdown, flags=re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-") for h in headings}


def test_every_alarm_links_to_a_runbook_section_that_exists() -> None:
    runbook = ROOT / RUNBOOK_URL
    assert runbook.is_file(), runbook
    anchors = github_anchors(runbook.read_text())
    assert set(RUNBOOK_ANCHORS.values()) <= anchors, sorted(anchors)


def test_github_anchors() -> None:
    assert github_anchors("# SQS alarms runbook\ntext\n## Backlog too deep\n### A `code`, (note)\n") == {
        "sqs-alarms-runbook", "backlog-too-deep", "a-code-note"}

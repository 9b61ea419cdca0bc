"""Cloud Monitoring alert policies for Pub/Sub: exact filters, thresholds and channels."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from factories import changed
from pubsub_factory import LABELS, PROJECT, of_type, plan, queue_only, topic_only

from components.gcp_alerts import RUNBOOK_URL, subscription_filter

ROOT = Path(__file__).resolve().parents[2]

ENGINES = ["mock", "fast"]
ALERT = "gcp:monitoring/alertPolicy:AlertPolicy"
CHANNEL = "gcp:monitoring/notificationChannel:NotificationChannel"
ONCALL = f"projects/{PROJECT}/notificationChannels/pubsub-notify-oncall"
AGG = [{"alignmentPeriod": "60s", "perSeriesAligner": "ALIGN_MAX"}]


def threshold(items: dict[str, Any], name: str) -> dict[str, Any]:
    return items[name].inputs["conditions"][0]["conditionThreshold"]


def test_filter_names_the_exact_subscription() -> None:
    assert subscription_filter("report-jobs", "num_undelivered_messages") == (
        'resource.type = "pubsub_subscription" AND resource.labels.subscription_id = "report-jobs" '
        'AND metric.type = "pubsub.googleapis.com/subscription/num_undelivered_messages"')


@pytest.mark.parametrize("engine", ENGINES)
def test_three_policies_per_subscription_with_exact_conditions(engine: str) -> None:
    items = plan(queue_only(), engine)
    assert sorted(of_type(items, ALERT)) == [
        "pubsub-report-jobs-backlog", "pubsub-report-jobs-dlq-messages", "pubsub-report-jobs-oldest-age"]
    assert threshold(items, "pubsub-report-jobs-oldest-age") == {
        "filter": subscription_filter("report-jobs", "oldest_unacked_message_age"),
        "comparison": "COMPARISON_GT", "thresholdValue": 899.0, "duration": "300s", "aggregations": AGG}
    assert threshold(items, "pubsub-report-jobs-backlog") == {
        "filter": subscription_filter("report-jobs", "num_undelivered_messages"),
        "comparison": "COMPARISON_GT", "thresholdValue": 9999.0, "duration": "300s", "aggregations": AGG}
    assert threshold(items, "pubsub-report-jobs-dlq-messages") == {
        "filter": subscription_filter("report-jobs-dlq", "num_undelivered_messages"),
        "comparison": "COMPARISON_GT", "thresholdValue": 0.0, "duration": "0s", "aggregations": AGG}


@pytest.mark.parametrize("engine", ENGINES)
def test_policy_fields_channels_runbook_and_labels(engine: str) -> None:
    items = plan(queue_only(), engine)
    policy = items["pubsub-report-jobs-dlq-messages"].inputs
    assert {k: v for k, v in policy.items() if k not in ("conditions", "documentation")} == {
        "displayName": "report-jobs: messages on the dead-letter subscription >= 1", "combiner": "OR",
        "notificationChannels": [ONCALL], "severity": "ERROR", "project": PROJECT, "userLabels": LABELS}
    assert policy["documentation"]["mimeType"] == "text/markdown"
    assert policy["documentation"]["content"].endswith("Runbook: docs/runbooks/pubsub.md#dead-lettered-messages")


@pytest.mark.parametrize("engine", ENGINES)
def test_email_target_becomes_one_notification_channel(engine: str) -> None:
    items = plan(queue_only(), engine)
    assert [i.inputs for i in of_type(items, CHANNEL).values()] == [{
        "type": "email", "displayName": "queuekit shop oncall", "labels": {"email_address": "oncall@example.com"},
        "project": PROJECT, "userLabels": {"managed-by": "queuekit", "queuekit-project": "shop"}}]


def test_channel_shared_by_all_subscriptions() -> None:
    from pubsub_factory import PUBSUB_BASE

    items = plan(PUBSUB_BASE)
    assert len(of_type(items, CHANNEL)) == 1
    assert {tuple(i.inputs["notificationChannels"]) for i in of_type(items, ALERT).values()} == {(ONCALL,)}


def test_gcp_channel_target_is_used_as_given() -> None:
    given = f"projects/{PROJECT}/notificationChannels/9876"
    d = changed("notify", {"oncall": {"gcp_channel": given}}, queue_only())
    items = plan(d)
    assert not of_type(items, CHANNEL)
    assert {tuple(i.inputs["notificationChannels"]) for i in of_type(items, ALERT).values()} == {(given,)}


@pytest.mark.parametrize(("alarms", "expected"), [
    ({"backlog": "off"}, ["pubsub-report-jobs-dlq-messages", "pubsub-report-jobs-oldest-age"]),
    ({"oldest_message_age": "off"}, ["pubsub-report-jobs-backlog", "pubsub-report-jobs-dlq-messages"]),
    ({"dlq_messages": "off"}, ["pubsub-report-jobs-backlog", "pubsub-report-jobs-oldest-age"]),
    ("off", []),
])
def test_alarms_turned_off(alarms: Any, expected: list[str]) -> None:
    assert sorted(of_type(plan(queue_only(alarms=alarms)), ALERT)) == expected


def test_thresholds_from_the_model() -> None:
    items = plan(queue_only(alarms={"oldest_message_age": "1h", "backlog": 500, "dlq_messages": 3}))
    assert threshold(items, "pubsub-report-jobs-oldest-age")["thresholdValue"] == 3599.0
    assert threshold(items, "pubsub-report-jobs-backlog")["thresholdValue"] == 499.0
    assert threshold(items, "pubsub-report-jobs-dlq-messages")["thresholdValue"] == 2.0


def test_no_dead_letter_no_dlq_alert() -> None:
    assert sorted(of_type(plan(queue_only(dead_letter="none")), ALERT)) == [
        "pubsub-report-jobs-backlog", "pubsub-report-jobs-oldest-age"]


def test_no_notify_means_no_channels() -> None:
    d = changed("defaults.alarms", {}, queue_only())
    items = plan(d)
    assert not of_type(items, CHANNEL)
    assert all("notificationChannels" not in i.inputs for i in of_type(items, ALERT).values())


def test_topic_subscription_alerts_use_the_subscription_id() -> None:
    items = plan(topic_only())
    assert threshold(items, "pubsub-order-events-billing-backlog")["filter"] == subscription_filter(
        "order-events-billing", "num_undelivered_messages")
    assert threshold(items, "pubsub-order-events-billing-dlq-messages")["filter"] == subscription_filter(
        "order-events-billing-dlq", "num_undelivered_messages")


def test_every_runbook_link_names_a_section_of_the_runbook_file() -> None:
    from pubsub_factory import PUBSUB_BASE

    links = {re.search(r"Runbook: (\S+)$", i.inputs["documentation"]["content"]).group(1)  # type: ignore[union-attr]
             for i in of_type(plan(PUBSUB_BASE), ALERT).values()}
    assert links == {f"{RUNBOOK_URL}#oldest-unacked-message-age", f"{RUNBOOK_URL}#backlog",
                     f"{RUNBOOK_URL}#dead-lettered-messages"}
    text = (ROOT / RUNBOOK_URL).read_text()
    # GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens
    headings = {re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-")
                for h in re.findall(r"^#{1,6} +(.+?) *$", text, flags=re.MULTILINE)}
    assert {link.split("#", 1)[1] for link in links} <= headings

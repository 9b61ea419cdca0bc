"""The vocabulary of issue 2 is a contract (checks outside the repo use these names): its example must load."""

from __future__ import annotations

from factories import changed, load, messages

# The example from the issue, verbatim apart from YAML-to-dict (gcp resources get their region explicitly:
# defaults.region names an AWS region there).
VOCABULARY = {
    "version": 1,
    "project": "shop",
    "defaults": {"region": "us-east-1", "tags": {"team": "payments", "cost-center": "cc-42"},
                 "alarms": {"notify": ["oncall"]}},
    "notify": {"oncall": {"email": "oncall@example.com"}},
    "brokers": {
        "events": {"engine": "kafka", "cloud": "aws", "nodes": 3, "instance_type": "auto", "disk": "500GiB"},
        "jobs": {"engine": "rabbitmq", "cloud": "gcp", "region": "us-central1", "nodes": 3, "instance_type": "auto",
                 "disk": "100GiB"},
    },
    "queues": [{
        "name": "image-resize", "backend": "sqs", "broker": None, "fifo": False, "visibility_timeout": "60s",
        "retention": "4d", "encryption": "managed", "dead_letter": {"max_receives": 5, "retention": "14d"},
        "alarms": {"dlq_messages": 1, "oldest_message_age": "15m", "backlog": 10000},
        "producers": ["arn:aws:iam::123456789012:role/api"], "consumers": ["arn:aws:iam::123456789012:role/worker"],
        "volume": {"messages_per_month": 26000000, "peak_messages_per_second": 200, "message_size": "2KiB",
                   "publish_batch": 1, "receive_batch": 10, "pollers": 2},
    }],
    "topics": [{
        "name": "orders", "backend": "pubsub", "region": "us-central1", "retention": "7d",
        "subscriptions": [{"name": "billing", "ack_deadline": "60s", "dead_letter": {"max_deliveries": 10}},
                          {"name": "audit", "push_endpoint": "https://audit.example.com/push"}],
        "producers": ["serviceAccount:api@shop.iam.gserviceaccount.com"],
        "volume": {"messages_per_second": 50, "message_size": "1KiB"},
    }],
    "budget": {"monthly_usd": 500},
}


def test_the_issue_vocabulary_loads_with_its_values() -> None:
    spec = load(VOCABULARY)
    queue = spec.queues[0]
    assert (queue.visibility_timeout, queue.retention, queue.dead_letter.max_deliveries) == (60, 4 * 86400, 5)
    billing, audit = spec.topics[0].subscriptions
    assert (billing.visibility_timeout, billing.dead_letter.max_deliveries) == (60, 10)
    assert audit.visibility_timeout == 30  # Pub/Sub's default ack deadline
    assert spec.budget is not None and spec.budget.monthly_usd == 500


def test_ack_deadline_and_visibility_timeout_together_is_an_error() -> None:
    d = changed("topics.0.subscriptions.0.visibility_timeout", "30s", VOCABULARY)
    assert messages(d) == {("topics[0].subscriptions[0].ack_deadline",
                            "give visibility_timeout or ack_deadline, not both (on Pub/Sub they mean the same)")}


def test_ack_deadline_has_the_pubsub_range() -> None:
    d = changed("topics.0.subscriptions.0.ack_deadline", "5s", VOCABULARY)
    assert messages(d) == {("topics[0].subscriptions[0].ack_deadline",
                            "ack deadline 5s is out of range for pubsub: must be 10s to 10m")}

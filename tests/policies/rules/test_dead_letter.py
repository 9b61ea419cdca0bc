"""QK901–QK903: dead-letter presence, attempts band, DLQ retention — SQS and Pub/Sub from resources,
brokers from the model."""

from typing import Any

from factories import changed, spec_dict

from tests.policies.harness import both, replace_inputs

PRESENT, BAND, RETENTION = "dead-letter-present", "dead-letter-attempts-band", "dlq-retention-covers-source"


def _short_target() -> dict[str, Any]:
    """image-resize dead-letters into a declared queue that keeps messages 1 day (source: 4 days)."""
    d = changed("queues.0.dead_letter", {"target": "image-resize-failed"})
    d["queues"].append({"name": "image-resize-failed", "backend": "sqs", "retention": "1d", "dead_letter": "none"})
    return d


def test_secure_defaults_pass_all_three() -> None:
    for rule in (PRESENT, BAND, RETENTION):
        assert both(spec_dict(), rule) == [], rule


def test_declared_target_queue_counts_as_dlq() -> None:
    assert both(_short_target(), PRESENT) == []


def test_sqs_queue_without_dlq_fails() -> None:
    assert both(changed("queues.0.dead_letter", "none"), PRESENT) == [
        "SQS queue 'image-resize' has no redrivePolicy: a poison message is retried until retention expires and "
        "then lost",
    ]


def test_pubsub_subscription_without_dlq_fails() -> None:
    assert both(changed("queues.1.dead_letter", "none"), PRESENT) == [
        "Pub/Sub subscription 'report-jobs' has no deadLetterPolicy: a poison message is redelivered until it "
        "expires",
    ]


def test_broker_queue_without_dlq_fails_from_the_model() -> None:
    assert both(changed("queues.2.dead_letter", "none"), PRESENT) == ["rabbitmq queue 'email-send' has dead_letter: none"]


def test_attempts_below_band_fail_and_config_widens_band() -> None:
    d = changed("queues.0.dead_letter", {"max_receives": 1})
    assert both(d, BAND) == ["SQS queue 'image-resize': 1 delivery attempts is outside the configured band 3–20"]
    assert both(d, BAND, {"minAttempts": 1}) == []


def test_pubsub_attempts_above_band_fail() -> None:
    assert both(changed("queues.1.dead_letter", {"max_deliveries": 50}), BAND) == [
        "Pub/Sub subscription 'report-jobs': 50 delivery attempts is outside the configured band 3–20",
    ]


def test_short_target_retention_fails() -> None:
    assert both(_short_target(), RETENTION) == [
        "SQS DLQ 'image-resize-failed' keeps messages 86400s, less than its source 'image-resize' (345600s): SQS "
        "keeps the original enqueue time, so dead-lettered messages expire early",
    ]


def test_pubsub_dlq_subscription_shorter_than_source_fails() -> None:
    mutate = replace_inputs("pubsub-report-jobs-dlq-subscription", messageRetentionDuration="3600s")
    assert both(spec_dict(), RETENTION, mutate=mutate) == [
        "Pub/Sub DLQ topic 'report-jobs-dlq' is read with retention 3600s, less than its source subscription "
        "'report-jobs' (604800s)",
    ]


def test_broker_attempts_outside_band_fail_from_the_model() -> None:
    assert both(changed("queues.2.dead_letter", {"max_deliveries": 1}), BAND) == [
        "rabbitmq queue 'email-send': 1 delivery attempts is outside the configured band 3–20"]
    assert both(changed("queues.3.dead_letter", {"max_deliveries": 50}), BAND) == [
        "kafka queue 'clickstream': 50 delivery attempts is outside the configured band 3–20"]

"""QK904 alarm-dlq-depth and QK905 alarm-age-or-backlog."""

from factories import changed, spec_dict

from tests.policies.harness import both, replace_inputs

DEPTH, AGE = "alarm-dlq-depth", "alarm-age-or-backlog"


def test_default_alarms_pass() -> None:
    assert both(spec_dict(), DEPTH) == []
    assert both(spec_dict(), AGE) == []


def test_sqs_dlq_alarm_off_fails() -> None:
    assert both(changed("queues.0.alarms", {"dlq_messages": "off"}), DEPTH) == [
        "SQS DLQ 'image-resize-dlq' has no routed alarm on ApproximateNumberOfMessagesVisible: failed messages "
        "pile up unnoticed",
    ]


def test_pubsub_dlq_alert_off_fails() -> None:
    assert both(changed("queues.1.alarms", {"dlq_messages": "off"}), DEPTH) == [
        "Pub/Sub subscription 'report-jobs' has no routed alert on dead-lettered messages "
        "(subscription/dead_letter_message_count, or the backlog of 'report-jobs-dlq')",
    ]


def test_alarm_without_actions_does_not_count() -> None:
    mutate = replace_inputs("sqs-image-resize.alarm.dlq-messages", alarmActions=[])
    assert both(spec_dict(), DEPTH, mutate=mutate) == [
        "SQS DLQ 'image-resize-dlq' has no routed alarm on ApproximateNumberOfMessagesVisible: failed messages "
        "pile up unnoticed",
    ]


def test_sqs_age_and_backlog_off_fails() -> None:
    assert both(changed("queues.0.alarms", {"oldest_message_age": "off", "backlog": "off"}), AGE) == [
        "SQS queue 'image-resize' has no routed alarm on ApproximateAgeOfOldestMessage or "
        "ApproximateNumberOfMessagesVisible: a stalled consumer goes unnoticed until messages expire",
    ]


def test_pubsub_age_and_backlog_off_fails() -> None:
    assert both(changed("queues.1.alarms", {"oldest_message_age": "off", "backlog": "off"}), AGE) == [
        "Pub/Sub subscription 'report-jobs' has no routed alert on oldest unacked message age or undelivered "
        "messages",
    ]

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


def test_broker_queue_alarms_off_fail_from_the_model() -> None:
    assert both(changed("queues.2.alarms", {"dlq_messages": "off"}), DEPTH) == [
        "rabbitmq queue 'email-send' has no DLQ-depth alarm with a notify target"]
    assert both(changed("queues.2.alarms", {"oldest_message_age": "off", "backlog": "off"}), AGE) == [
        "rabbitmq queue 'email-send' has no backlog or message age alarm with a notify target"]
    assert both(changed("queues.3.alarms", {"oldest_message_age": "off", "backlog": "off"}), AGE) == [
        "kafka queue 'clickstream' has no consumer lag alarm with a notify target"]


def test_alarms_without_a_notify_target_fail_on_every_backend() -> None:
    assert both(changed("defaults.alarms", {"notify": []}), DEPTH) == [
        "Pub/Sub subscription 'order-events-billing' has no routed alert on dead-lettered messages "
        "(subscription/dead_letter_message_count, or the backlog of 'order-events-billing-dlq')",
        "Pub/Sub subscription 'report-jobs' has no routed alert on dead-lettered messages "
        "(subscription/dead_letter_message_count, or the backlog of 'report-jobs-dlq')",
        "SQS DLQ 'image-resize-dlq' has no routed alarm on ApproximateNumberOfMessagesVisible: failed messages "
        "pile up unnoticed",
        "SQS DLQ 'orders-billing-dlq' has no routed alarm on ApproximateNumberOfMessagesVisible: failed messages "
        "pile up unnoticed",
        "SQS DLQ 'orders-shipping-dlq' has no routed alarm on ApproximateNumberOfMessagesVisible: failed messages "
        "pile up unnoticed",
        "kafka queue 'clickstream' has no DLQ-depth alarm with a notify target",
        "rabbitmq queue 'email-send' has no DLQ-depth alarm with a notify target",
    ]

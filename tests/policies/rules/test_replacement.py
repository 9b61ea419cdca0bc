"""QK908 no-forced-replacement: needs the base spec (`--base`; QUEUEKIT_BASE_SPEC in CrossGuard)."""

from factories import changed, spec_dict

from tests.policies.harness import model_only

RULE = "no-forced-replacement"


def test_no_base_or_unchanged_base_passes() -> None:
    assert model_only(changed("queues.0.fifo", True), RULE) == []
    assert model_only(spec_dict(), RULE, base=spec_dict()) == []


def test_in_place_change_passes() -> None:
    assert model_only(changed("queues.0.visibility_timeout", "90s"), RULE, base=spec_dict()) == []


def test_fifo_flip_fails() -> None:
    assert model_only(changed("queues.0.fifo", True), RULE, base=spec_dict()) == [
        "queue 'image-resize' changes fifo False → True: SQS/SNS replace the resource (new name, messages lost)",
    ]


def test_topic_fifo_flip_fails() -> None:
    assert model_only(changed("topics.0.fifo", True), RULE, base=spec_dict()) == [
        "topic 'orders' changes fifo False → True: SQS/SNS replace the resource (new name, messages lost)",
    ]


def test_rabbitmq_queue_type_change_fails() -> None:
    assert model_only(changed("queues.2.queue_type", "classic"), RULE, base=spec_dict()) == [
        "queue 'email-send' changes queue type quorum → classic: RabbitMQ cannot convert a queue in place; it must "
        "be deleted and re-declared",
    ]


def test_kafka_partitions_down_fails_and_up_passes() -> None:
    base = changed("queues.3.partitions", 12)
    assert model_only(changed("queues.3.partitions", 6), RULE, base=base) == [
        "queue 'clickstream' shrinks from 12 to 6 partitions: Kafka cannot remove partitions; the topic must be "
        "recreated (data and ordering lost)",
    ]
    assert model_only(changed("queues.3.partitions", 24), RULE, base=base) == []

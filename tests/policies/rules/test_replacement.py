"""QK908 no-forced-replacement: needs the base spec (`--base`; QUEUEKIT_BASE_SPEC in CrossGuard)."""

from factories import changed, spec_dict

from tests.policies.harness import both

RULE = "no-forced-replacement"


def test_no_base_or_unchanged_base_passes() -> None:
    assert both(changed("queues.0.fifo", True), RULE) == []
    assert both(spec_dict(), RULE, base=spec_dict()) == []


def test_in_place_change_passes() -> None:
    assert both(changed("queues.0.visibility_timeout", "90s"), RULE, base=spec_dict()) == []


def test_fifo_flip_fails() -> None:
    assert both(changed("queues.0.fifo", True), RULE, base=spec_dict()) == [
        "queue 'image-resize' changes fifo False → True: SQS/SNS replace the resource (new name, messages lost)",
    ]


def test_topic_fifo_flip_fails() -> None:
    assert both(changed("topics.0.fifo", True), RULE, base=spec_dict()) == [
        "topic 'orders' changes fifo False → True: SQS/SNS replace the resource (new name, messages lost)",
    ]

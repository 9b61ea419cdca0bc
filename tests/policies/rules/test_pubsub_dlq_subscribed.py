"""QK201 pubsub-dlq-topic-subscribed. queuekit always subscribes its DLQ topics; the failing case
removes that subscription from the plan, as a hand-deleted resource would."""

from factories import spec_dict

from tests.policies.harness import both, drop

RULE = "pubsub-dlq-topic-subscribed"


def test_generated_dlq_topics_are_subscribed() -> None:
    assert both(spec_dict(), RULE) == []


def test_dlq_topic_without_subscription_fails() -> None:
    assert both(spec_dict(), RULE, mutate=drop("pubsub-report-jobs-dlq-subscription")) == [
        "dead-letter topic 'report-jobs-dlq' (used by report-jobs) has no subscription: Pub/Sub drops messages "
        "published to a topic nobody subscribes to",
    ]

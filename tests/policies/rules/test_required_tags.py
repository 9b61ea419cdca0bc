"""QK906 required-tags: AWS tags and GCP labels."""

from factories import spec_dict

from tests.policies.harness import both

RULE = "required-tags"


def test_default_tags_reach_every_resource() -> None:
    assert both(spec_dict(), RULE) == []


def test_missing_tag_on_sqs_queues_fails() -> None:
    found = both(spec_dict(), RULE, {"tags": ["team", "owner"], "resourceTypes": ["aws:sqs/queue:Queue"]})
    assert found == [f"SQS Queue 'sqs-{q}' lacks required tags: owner"
                     for q in ("image-resize.dlq", "image-resize.queue", "orders-billing.dlq", "orders-billing.queue",
                               "orders-shipping.dlq", "orders-shipping.queue")]


def test_missing_label_on_pubsub_topics_fails() -> None:
    found = both(spec_dict(), RULE, {"tags": ["owner"], "resourceTypes": ["gcp:pubsub/topic:Topic"]})
    assert found == [f"Pub/Sub Topic 'pubsub-{t}' lacks required labels: owner"
                     for t in ("order-events-billing-dlq-topic", "order-events-topic", "report-jobs-dlq-topic",
                               "report-jobs-topic")]

"""KMS requests per AWS's documented formulas, reproducing AWS's own worked examples."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cost.estimate import estimate
from cost.lines import FREE_TIER, KMS_KEYS, KMS_REQUESTS
from queuekit.model import Encryption


def kms(reuse: int = 300) -> Encryption:
    return Encryption(mode="kms", kms_key="create", data_key_reuse=reuse)


def test_sqs_example_1_january_one_producer_one_consumer(only, sqs_queue) -> None:
    # https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html
    # Example 1: 2,678,400 / 300 * (2 * 1 + 1) = 26,784
    q = sqs_queue(encryption=kms(300), producers=("arn:aws:iam::123456789012:role/p",),
                  consumers=("arn:aws:iam::123456789012:role/c",))
    est = estimate(only(queues=[q]), hours_per_month=744)
    [requests] = est.component(KMS_REQUESTS)
    assert requests.quantity == 26_784
    [key] = est.component(KMS_KEYS)
    assert (key.quantity, key.monthly) == (1, 1.0)


def test_sqs_example_2_february_two_queues(only, sqs_queue) -> None:
    # Same page, Example 2: (2,419,200 / 86,400 * (2 * 3 + 1)) + (2,419,200 / 86,400 * (2 * 5 + 2)) = 532
    a = sqs_queue(name="a", encryption=kms(86_400), producers=("p1", "p2", "p3"), consumers=("c1",))
    b = sqs_queue(name="b", encryption=kms(86_400), producers=("p1", "p2", "p3", "p4", "p5"), consumers=("c1", "c2"))
    est = estimate(only(queues=[a, b]), hours_per_month=672)
    assert sum(x.quantity for x in est.component(KMS_REQUESTS)) == 532


def test_sns_example_1_january_one_publisher(base, only) -> None:
    # https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html
    # Example 1: 2,678,400 / 300 * (2 * 1) = 17,856
    topic = replace(base.topics_on("sqs")[0], encryption=kms(), subscriptions=(), producers=("publisher",))
    [requests] = estimate(only(topics=[topic]), hours_per_month=744).component(KMS_REQUESTS)
    assert requests.quantity == 17_856


def test_free_requests_are_credited_once(only, sqs_queue) -> None:
    q = sqs_queue(encryption=kms(300), producers=("p",), consumers=("c",))
    est = estimate(only(queues=[q]), hours_per_month=744)
    [free] = [x for x in est.component(FREE_TIER) if x.backend == "kms"]
    assert free.quantity == 20_000
    assert free.monthly == pytest.approx(-0.06)
    kms_total = sum(x.monthly for x in est.lines if x.component.startswith("KMS") or x.backend == "kms")
    assert kms_total == pytest.approx(1.0 + 6_784 * 0.03 / 10_000)


def test_an_existing_key_costs_requests_but_no_key_month(only, sqs_queue) -> None:
    existing = Encryption(mode="kms", kms_key="arn:aws:kms:us-east-1:123456789012:key/abc", data_key_reuse=300)
    est = estimate(only(queues=[sqs_queue(encryption=existing)]))
    assert est.component(KMS_KEYS) == []
    assert len(est.component(KMS_REQUESTS)) == 1

"""SQS and SNS request charges derived from the message flow.

Prices: https://aws.amazon.com/sqs/pricing/ and https://aws.amazon.com/sns/pricing/ (catalog).
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from cost.catalog import Catalog
from cost.context import Context
from cost.estimate import estimate
from cost.lines import FREE_TIER, SNS_PUBLISHES, SQS_REQUESTS
from cost.sqs import chunks, requests
from queuekit.model import Volume

KiB = 1024


@pytest.mark.parametrize(("size", "expected"), [(64 * KiB, 1), (64 * KiB + 1, 2), (1024 * KiB, 16), (1, 1)])
def test_every_started_64_kib_chunk_is_a_request(size: int, expected: int) -> None:
    assert chunks(size, 64 * KiB) == expected


@pytest.mark.parametrize(("size", "total"), [(64 * KiB, 3000), (64 * KiB + 1, 5000), (1024 * KiB, 33000)])
def test_sends_and_receives_are_chunked_deletes_are_not(prices: Catalog, size: int, total: int) -> None:
    r = requests(Volume(messages_per_month=1000, message_size=size, declared=True), Context(prices))
    assert r.deletes == 1000
    assert r.total == total


def test_batches_divide_requests_and_chunk_the_whole_batch(prices: Catalog) -> None:
    v = Volume(messages_per_month=26_000_000, message_size=2 * KiB, publish_batch=10, receive_batch=10, declared=True)
    r = requests(v, Context(prices))
    assert (r.sends, r.receives, r.deletes, r.empty_receives) == (2_600_000, 2_600_000, 2_600_000, 0)
    v = replace(v, message_size=10 * KiB)  # a batch of 10 × 10 KiB = 100 KiB: 2 chunks per call
    assert requests(v, Context(prices)).sends == 5_200_000


def test_idle_long_pollers_make_one_empty_receive_per_20_seconds(prices: Catalog, only, sqs_queue) -> None:
    q = sqs_queue(volume={"messages_per_month": 0, "pollers": 2}, alarms=replace(sqs_queue().alarms, dlq_messages=None,
                                                                                  oldest_message_age=None, backlog=None))
    est = estimate(only(queues=[q]))
    [line] = est.component(SQS_REQUESTS)
    assert line.quantity == 2 * 730 * 3600 / 20 == 262_800
    assert est.monthly_gross == pytest.approx(262_800 * 0.40 / 1e6)
    assert est.monthly_total == pytest.approx(0.0)  # inside the free million


def test_volume_tiers_apply_to_the_account_and_the_free_tier_once(only, sqs_queue) -> None:
    v = {"messages_per_month": 25e9, "message_size": 1024}
    a, b = sqs_queue(name="a", volume=v), sqs_queue(name="b", volume=v)
    est = estimate(only(queues=[a, b]))
    lines = est.component(SQS_REQUESTS)
    assert [x.quantity for x in lines] == [75e9, 75e9]
    # 150 B requests: 100 B at $0.40/M + 50 B at $0.30/M = $55,000, split evenly.
    assert [x.monthly for x in lines] == pytest.approx([27_500.0, 27_500.0])
    [free] = est.component(FREE_TIER)
    assert (free.quantity, free.monthly) == (1_000_000, pytest.approx(-0.40))


def test_fifo_is_priced_apart_and_shares_the_free_tier(only, sqs_queue) -> None:
    std = sqs_queue(name="std", volume={"messages_per_month": 100_000})
    fifo = sqs_queue(name="jobs.fifo", fifo=True, volume={"messages_per_month": 1_000_000})
    est = estimate(only(queues=[std, fifo]))
    assert [x.monthly for x in est.component(SQS_REQUESTS)] == pytest.approx([0.12, 1.50])
    [free] = est.component(FREE_TIER)
    # standard first: 300,000 × $0.40/M + 700,000 × $0.50/M
    assert free.quantity == 1_000_000
    assert free.monthly == pytest.approx(-(0.12 + 0.35))


def test_sns_fan_out_publishes_and_free_deliveries(base, only) -> None:
    orders = base.topics_on("sqs")[0]  # 10 msg/s of 1 KiB, two subscriptions
    est = estimate(only(topics=[orders]))
    [publishes] = est.component(SNS_PUBLISHES)
    assert publishes.quantity == 10 * 730 * 3600 == 26_280_000
    assert publishes.monthly == pytest.approx(13.14)
    subs = est.component(SQS_REQUESTS)
    assert [(x.resource, x.quantity) for x in subs] == [("orders-billing", 52_560_000), ("orders-shipping", 52_560_000)]
    assert [x.monthly for x in est.component(FREE_TIER)] == pytest.approx([-0.40, -0.50])


def test_large_sns_messages_publish_in_64_kib_chunks(base, only) -> None:
    orders = base.topics_on("sqs")[0]
    big = replace(orders, volume=Volume(messages_per_month=1000, message_size=256 * KiB, declared=True))
    [publishes] = estimate(only(topics=[big])).component(SNS_PUBLISHES)
    assert publishes.quantity == 4000


def test_undeclared_volume_costs_no_requests(only, sqs_queue) -> None:
    q = replace(sqs_queue(), volume=Volume())
    assert estimate(only(queues=[q])).component(SQS_REQUESTS) == []

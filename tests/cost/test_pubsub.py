"""Pub/Sub throughput and storage, reproducing https://cloud.google.com/pubsub/pricing."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cost.catalog import Catalog
from cost.context import TiB
from cost.estimate import estimate
from cost.lines import FREE_TIER, PUBSUB_DELIVERY, PUBSUB_PUBLISH, PUBSUB_STORAGE
from cost.pubsub import billable_bytes
from queuekit.model import Volume

MiB = 1024**2


def test_the_1000_byte_minimum_example() -> None:
    # https://cloud.google.com/pubsub/pricing (minimum billable volume): 100 publish requests each
    # containing one 500-byte message bill 1 KB/request x 100 requests = 100 KB; all 100 messages in a
    # single Publish request bill the actual 50 KB.
    assert billable_bytes(100, 500, 1, 1000) == 100_000
    assert billable_bytes(100, 500, 100, 1000) == 50_000


def test_batching_matters_through_the_estimate(base, only) -> None:
    q = base.queues_on("pubsub")[0]
    single = replace(q, volume=Volume(messages_per_month=100, message_size=500, declared=True))
    batched = replace(single, volume=replace(single.volume, publish_batch=100))
    [p1] = estimate(only(queues=[single])).component(PUBSUB_PUBLISH)
    [p100] = estimate(only(queues=[batched])).component(PUBSUB_PUBLISH)
    assert p1.quantity * TiB == pytest.approx(100_000)
    assert p100.quantity * TiB == pytest.approx(50_000)


def test_a_partial_last_batch_still_bills_the_minimum() -> None:
    assert billable_bytes(101, 500, 100, 1000) == 50_000 + 1000


# https://cloud.google.com/pubsub/pricing, "Pricing examples" table (Pub/Sub columns, messages stored for
# one day, 30-day month): data published/s, subscriptions, data published/mo (TiB), data received/mo (TiB),
# storage/mo (GiB), total Pub/Sub cost (USD, throughput). The table rounds TiB before pricing.
TABLE = [
    (1, 1, 2.5, 2.5, 84, 200),
    (1, 2, 2.5, 5, 84, 300),
    (10, 1, 25, 25, 844, 2_000),
    (10, 2, 25, 50, 844, 3_000),
    (100, 1, 247, 247, 8438, 19_760),
    (100, 2, 247, 494, 8438, 29_640),
]


@pytest.mark.parametrize(("mib_s", "subs", "published", "received", "storage", "total"), TABLE)
def test_pricing_page_table(base, only, prices: Catalog, mib_s: int, subs: int, published: float, received: float,
                            storage: int, total: int) -> None:
    topic = base.topics_on("pubsub")[0]
    sub = topic.subscriptions[0]
    topic = replace(topic, retention=86_400,
                    subscriptions=(sub, replace(sub, name="audit"))[:subs],
                    volume=Volume(messages_per_second=mib_s, message_size=MiB, declared=True))
    est = estimate(only(topics=[topic]), prices, hours_per_month=720)
    [pub] = est.component(PUBSUB_PUBLISH)
    digits = 1 if published < 10 else 0
    assert round(pub.quantity, digits) == published
    deliveries = est.component(PUBSUB_DELIVERY)
    assert len(deliveries) == subs
    assert all(round(d.quantity, digits) == published for d in deliveries)
    assert subs * published == received
    [stored] = est.component(PUBSUB_STORAGE)
    assert round(stored.quantity) == storage
    assert (published + received) * prices["pubsub.throughput"].unit_price == pytest.approx(total)


def test_push_subscriptions_deliver_one_message_per_request(base, only) -> None:
    topic = base.topics_on("pubsub")[0]
    sub = topic.subscriptions[0]
    push = replace(sub, pubsub=replace(sub.pubsub, push_endpoint="https://example.com/push"))
    topic = replace(topic, retention=None, subscriptions=(push,),
                    volume=Volume(messages_per_month=1000, message_size=100, publish_batch=10, receive_batch=10,
                                  declared=True))
    est = estimate(only(topics=[topic]))
    [pub] = est.component(PUBSUB_PUBLISH)
    [delivered] = est.component(PUBSUB_DELIVERY)
    assert pub.quantity * TiB == pytest.approx(100 * 1000)  # 100 requests of 10 × 100 B, each at the minimum
    assert delivered.quantity * TiB == pytest.approx(1000 * 1000)


def test_ten_gib_free_once_per_billing_account(base, only) -> None:
    q = base.queues_on("pubsub")[0]
    big = replace(q, volume=Volume(messages_per_month=1_000_000, message_size=MiB, declared=True))
    est = estimate(only(queues=[big, replace(big, name="other")]))
    [free] = est.component(FREE_TIER)
    assert free.quantity == pytest.approx(10 / 1024)
    assert free.monthly == pytest.approx(-0.390625)

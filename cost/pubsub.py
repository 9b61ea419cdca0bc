"""Pub/Sub throughput and storage charges.

Throughput is billed per TiB (2^40 bytes) for every publish request and, separately, for
every subscription's deliveries, with a minimum of 1,000 bytes per publish, pull or push
request — so 100 single publishes of 500 B bill 100 KB, one batch of 100 bills 50 KB
(https://cloud.google.com/pubsub/pricing). Publish requests carry ``publish_batch``
messages; pulls return ``receive_batch``; a push subscription delivers one message per
request. ``message_size`` is taken as the billable size of a message (the page adds the
attributes, a 20-byte timestamp and the message id).

A queue on Pub/Sub is a topic with one subscription. A topic with ``retention`` retains every
published message for that long, so its steady-state storage is published bytes/s ×
retention, billed per GiB-month; unacknowledged backlog is not billed. The first 10 GiB of
throughput per billing account is a credit line.
"""

from __future__ import annotations

import math

from cost.context import Context, GiB, TiB
from cost.lines import FREE_TIER, PUBSUB_DELIVERY, PUBSUB_PUBLISH, PUBSUB_STORAGE, CostLine, line, priced
from queuekit.model import Spec, Subscription, Volume

ACCOUNT = "gcp billing account"


def billable_bytes(messages: float, size: int, batch: int, minimum: int) -> float:
    """Bytes billed for ``messages`` of ``size`` bytes sent ``batch`` per request."""
    batch = max(batch, 1)
    full = math.floor(messages / batch)
    rest = messages - full * batch
    total = full * max(minimum, batch * size)
    if rest > 0:
        total += max(minimum, rest * size)
    return total


def _delivery_batch(volume: Volume, sub: Subscription | None) -> int:
    if sub is not None and sub.pubsub.push_endpoint:
        return 1
    return volume.receive_batch


def build(spec: Spec, ctx: Context) -> list[CostLine]:
    throughput = ctx.prices["pubsub.throughput"]
    minimum = int(ctx.prices.amount("pubsub.min_request_bytes"))
    lines: list[CostLine] = []

    def flow(resource: str, volume: Volume, deliveries: list[tuple[str, int]]) -> None:
        if not volume.declared:
            return
        m = ctx.messages(volume)
        published = billable_bytes(m, volume.message_size, volume.publish_batch, minimum)
        lines.append(line(resource, "pubsub", PUBSUB_PUBLISH, published / TiB, throughput, usage_based=True))
        for name, batch in deliveries:
            delivered = billable_bytes(m, volume.message_size, batch, minimum)
            lines.append(line(name, "pubsub", PUBSUB_DELIVERY, delivered / TiB, throughput, usage_based=True))

    for q in spec.queues_on("pubsub"):
        flow(q.name, q.volume, [(q.name, _delivery_batch(q.volume, None))])
    for t in spec.topics_on("pubsub"):
        subs = [(t.subscription_queue_name(s), _delivery_batch(t.volume, s)) for s in t.subscriptions]
        flow(t.name, t.volume, subs)
        if t.retention and t.volume.declared:
            retained = ctx.messages(t.volume) * t.volume.message_size / ctx.seconds * t.retention
            lines.append(line(t.name, "pubsub", PUBSUB_STORAGE, retained / GiB, ctx.prices["pubsub.storage"],
                              usage_based=True))
    total_tib = sum(x.quantity for x in lines if x.component in (PUBSUB_PUBLISH, PUBSUB_DELIVERY))
    free_tib = min(total_tib, ctx.prices.amount("pubsub.free_throughput") * GiB / TiB)
    if free_tib:
        lines.append(priced(ACCOUNT, "pubsub", FREE_TIER, free_tib, throughput.unit, -free_tib * throughput.unit_price,
                            ctx.prices["pubsub.free_throughput"].source, usage_based=True))
    return lines

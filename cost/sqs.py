"""SQS request charges, derived from the message flow the spec declares.

Per queue and month, with M messages of S bytes:

* sends      = ⌈M / publish_batch⌉ requests, each billed per started 64 KiB chunk of its
  payload (publish_batch × S bytes);
* receives   = ⌈M / receive_batch⌉ requests, chunked the same way (receive_batch × S);
* deletes    = ⌈M / receive_batch⌉ DeleteMessageBatch requests; they carry receipt handles,
  not bodies, so each is one chunk;
* empty receives: each of ``pollers`` long-polls for 20 s, so an idle poller makes one
  ReceiveMessage per 20 s; polls that returned messages are already counted, so
  empty = max(0, pollers × B / 20 − receives).

Queues without declared volume get no request lines. SNS fan-out subscription queues are
filled by SNS (a free delivery) and pay receives,
deletes and empty receives only. Dead-letter queues are assumed empty. The account's
standard and FIFO requests are priced on their volume tiers as a whole, and each queue gets
the resulting blended per-request price, so the lines add up to the account bill exactly.
The free tier (1 M requests) is a separate credit line, standard requests credited first.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from cost.context import Context, requests_for
from cost.lines import FREE_TIER, SQS_REQUESTS, CostLine, priced
from queuekit.model import Spec, Volume

ACCOUNT = "aws account"


@dataclass(frozen=True)
class Requests:
    sends: int
    receives: int
    deletes: int
    empty_receives: int

    @property
    def total(self) -> int:
        return self.sends + self.receives + self.deletes + self.empty_receives


def chunks(payload_bytes: int, chunk_bytes: int) -> int:
    """Billed requests for one API call carrying ``payload_bytes`` (every started chunk counts)."""
    return max(1, math.ceil(payload_bytes / chunk_bytes))


def requests(volume: Volume, ctx: Context, *, sends: bool = True) -> Requests:
    """Billed requests for one queue in one month (see the module docstring)."""
    chunk = int(ctx.prices.amount("sqs.chunk_bytes"))
    poll = ctx.prices.amount("sqs.long_poll_seconds")
    m = ctx.messages(volume)
    send_calls = requests_for(m, volume.publish_batch) if sends else 0
    receive_calls = requests_for(m, volume.receive_batch)
    empty = max(0, math.ceil(volume.pollers * ctx.seconds / poll) - receive_calls)
    return Requests(
        sends=send_calls * chunks(volume.publish_batch * volume.message_size, chunk),
        receives=receive_calls * chunks(volume.receive_batch * volume.message_size, chunk),
        deletes=receive_calls,
        empty_receives=empty,
    )


def flows(spec: Spec, ctx: Context) -> list[tuple[str, bool, Requests]]:
    """(resource, fifo, requests) for every SQS queue and SNS subscription queue."""
    out = [(q.name, q.fifo, requests(q.volume, ctx)) for q in spec.queues_on("sqs") if q.volume.declared]
    for topic in spec.topics_on("sqs"):
        for sub in topic.subscriptions if topic.volume.declared else ():
            out.append((topic.subscription_queue_name(sub), topic.fifo, requests(topic.volume, ctx, sends=False)))
    return out


def build(spec: Spec, ctx: Context) -> list[CostLine]:
    items = flows(spec, ctx)
    if not items:
        return []
    lines: list[CostLine] = []
    free_left = ctx.prices.amount("sqs.free_requests")
    credit, credited = 0.0, 0.0
    for fifo in (False, True):
        price = ctx.prices["sqs.fifo.requests" if fifo else "sqs.standard.requests"]
        group = [(name, r) for name, f, r in items if f == fifo]
        total = sum(r.total for _, r in group)
        if not group:
            continue
        blended = price.tiered_cost(total) / total if total else price.unit_price
        for name, r in group:
            lines.append(priced(name, "sqs", SQS_REQUESTS, r.total, price.unit, r.total * blended, price.source,
                                usage_based=True))
        take = min(free_left, total)
        first_tier = (price.tiers[0].usd if price.tiers else price.usd) / price.per
        credit += take * first_tier
        credited += take
        free_left -= take
    if credited:
        source = ctx.prices["sqs.free_requests"].source
        lines.append(priced(ACCOUNT, "sqs", FREE_TIER, credited, "requests", -credit, source, usage_based=True))
    return lines

"""SNS publish charges for fan-out topics on the SQS backend.

Publishes = ⌈M / publish_batch⌉ PublishBatch calls, each billed per started 64 KiB chunk of
its payload. Deliveries to SQS subscriptions are free. The first 1 M publishes a month are a
separate credit line, once per account.
"""

from __future__ import annotations

from cost.context import Context, requests_for
from cost.lines import FREE_TIER, SNS_PUBLISHES, CostLine, line, priced
from cost.sqs import ACCOUNT, chunks
from queuekit.model import Spec


def build(spec: Spec, ctx: Context) -> list[CostLine]:
    price = ctx.prices["sns.publishes"]
    chunk = int(ctx.prices.amount("sqs.chunk_bytes"))
    lines = []
    for topic in spec.topics_on("sqs"):
        v = topic.volume
        if not v.declared:
            continue
        publishes = requests_for(ctx.messages(v), v.publish_batch) * chunks(v.publish_batch * v.message_size, chunk)
        lines.append(line(topic.name, "sqs", SNS_PUBLISHES, publishes, price, usage_based=True))
    total = sum(x.quantity for x in lines)
    free = min(total, ctx.prices.amount("sns.free_publishes"))
    if free:
        lines.append(priced(ACCOUNT, "sns", FREE_TIER, free, price.unit, -free * price.unit_price,
                            ctx.prices["sns.free_publishes"].source, usage_based=True))
    return lines

"""AWS KMS charges for SQS queues and SNS topics encrypted with a customer key.

Requests follow AWS's documented formulas (B = seconds in the billing month, D = the data-key
reuse period, P/C = producing/consuming principals):

* SQS, per queue: R = B / D × (2P + C)
  (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html)
* SNS, per topic: R = B / D × 2P
  (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html)

SNS reuses a data key for up to 5 minutes, so D is 300 s for topics. A fan-out subscription
queue shares its topic's key; its one producer is the SNS service principal. A queue with no
declared producers or consumers still has at least one of each calling KMS. Each queue or
topic whose key is ``create`` gets its own key ($1 per key-month); an existing key is billed
wherever it was created. The 20,000 free requests are a credit line, once per account.
"""

from __future__ import annotations

from cost.context import Context
from cost.lines import FREE_TIER, KMS_KEYS, KMS_REQUESTS, CostLine, line, priced
from cost.sqs import ACCOUNT
from queuekit.model import Encryption, Spec

SNS_DATA_KEY_REUSE = 300


def sqs_requests(seconds: float, reuse: int, producers: int, consumers: int) -> float:
    """R = B / D × (2P + C)."""
    return seconds / reuse * (2 * producers + consumers)


def sns_requests(seconds: float, reuse: int, publishers: int) -> float:
    """R = B / D × 2P."""
    return seconds / reuse * (2 * publishers)


def build(spec: Spec, ctx: Context) -> list[CostLine]:
    req_price, key_price = ctx.prices["kms.requests"], ctx.prices["kms.key_month"]
    lines: list[CostLine] = []

    def add(resource: str, enc: Encryption, requests: float) -> None:
        lines.append(line(resource, "sqs", KMS_REQUESTS, requests, req_price, usage_based=True))
        if enc.creates_key:
            lines.append(line(resource, "sqs", KMS_KEYS, 1, key_price,
                              usage_based=False))

    for q in spec.queues_on("sqs"):
        if q.encryption.mode == "kms":
            r = sqs_requests(ctx.seconds, q.encryption.data_key_reuse, max(1, len(q.producers)),
                             max(1, len(q.consumers)))
            add(q.name, q.encryption, r)
    for t in spec.topics_on("sqs"):
        if t.encryption.mode != "kms":
            continue
        add(t.name, t.encryption, sns_requests(ctx.seconds, SNS_DATA_KEY_REUSE, max(1, len(t.producers))))
        for sub in t.subscriptions:
            r = sqs_requests(ctx.seconds, t.encryption.data_key_reuse, 1, max(1, len(sub.consumers)))
            lines.append(line(t.subscription_queue_name(sub), "sqs", KMS_REQUESTS, r, req_price, usage_based=True))
    total = sum(x.quantity for x in lines if x.component == KMS_REQUESTS)
    free = min(total, ctx.prices.amount("kms.free_requests"))
    if free:
        lines.append(priced(ACCOUNT, "kms", FREE_TIER, free, req_price.unit, -free * req_price.unit_price,
                            ctx.prices["kms.free_requests"].source, usage_based=True))
    return lines

"""QK901–QK903: every consumer-facing queue dead-letters, after a sane number of attempts, into
a DLQ that keeps messages at least as long as its source.

Decided from resources on SQS (``redrivePolicy``) and Pub/Sub (``deadLetterPolicy``), so
CrossGuard enforces them too; RabbitMQ and Kafka dead-lettering lives in the broker topology,
not in Pulumi resources, so those queues are checked from the model when the runner has it.
"""

from __future__ import annotations

from policies.graph import pubsub_graph, sqs_graph
from policies.inputs import (
    PS_SUB,
    PS_TOPIC,
    PUBSUB_DEFAULT_RETENTION,
    SQS_DEFAULT_RETENTION,
    SQS_QUEUE,
    SQS_REDRIVE_ALLOW,
    duration_seconds,
)
from policies.modelview import consumables, retention_of
from policies.rule import Config, Finding, Rule, StackContext

_TYPES = frozenset({SQS_QUEUE, SQS_REDRIVE_ALLOW, PS_TOPIC, PS_SUB})
_DOCS = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html"


def check_present(ctx: StackContext, config: Config) -> list[Finding]:
    out: list[Finding] = []
    sqs = sqs_graph(ctx)
    for name, queue in sqs.consumer_facing():
        if name not in sqs.redrives:
            out.append(Finding(f"SQS queue '{name}' has no redrivePolicy: a poison message is retried until "
                               "retention expires and then lost", queue.urn))
    ps = pubsub_graph(ctx)
    for name, sub in ps.consumer_facing():
        if name not in ps.redrives:
            out.append(Finding(f"Pub/Sub subscription '{name}' has no deadLetterPolicy: a poison message is "
                               "redelivered until it expires", sub.urn))
    if ctx.model is not None:
        for c in consumables(ctx.model):
            if c.dead_letter is None:
                out.append(Finding(f"{c.backend} queue '{c.physical}' has dead_letter: none", subject=c.subject))
    return out


def _band(count: float, config: Config) -> str | None:
    low, high = config["minAttempts"], config["maxAttempts"]
    if count < low or count > high:
        return f"{int(count)} delivery attempts is outside the configured band {low}–{high}"
    return None


def check_band(ctx: StackContext, config: Config) -> list[Finding]:
    out: list[Finding] = []
    for graph_redrives, what in ((sqs_graph(ctx).redrives, "SQS queue"), (pubsub_graph(ctx).redrives,
                                                                          "Pub/Sub subscription")):
        for name, rd in graph_redrives.items():
            problem = _band(rd.max_attempts, config) if rd.max_attempts is not None else \
                "the redrive policy has no maxReceiveCount"
            if problem:
                out.append(Finding(f"{what} '{name}': {problem}", rd.source.urn))
    if ctx.model is not None:
        for c in consumables(ctx.model):
            if c.dead_letter is not None and (problem := _band(c.dead_letter.max_deliveries, config)):
                out.append(Finding(f"{c.backend} queue '{c.physical}': {problem}", subject=c.subject))
    return out


def check_retention(ctx: StackContext, config: Config) -> list[Finding]:
    out: list[Finding] = []
    sqs = sqs_graph(ctx)
    for name, rd in sqs.redrives.items():
        dlq = sqs.queues.get(rd.target)
        if dlq is None:
            continue  # an external DLQ: nothing to compare against
        src = duration_seconds(rd.source.inputs.get("messageRetentionSeconds"), SQS_DEFAULT_RETENTION)
        kept = duration_seconds(dlq.inputs.get("messageRetentionSeconds"), SQS_DEFAULT_RETENTION)
        if kept < src:
            out.append(Finding(f"SQS DLQ '{rd.target}' keeps messages {kept}s, less than its source '{name}' "
                               f"({src}s): SQS keeps the original enqueue time, so dead-lettered messages "
                               "expire early", dlq.urn))
    ps = pubsub_graph(ctx)
    for name, rd in ps.redrives.items():
        dlq_subs = ps.subscriptions_of(rd.target)
        if not dlq_subs:
            continue  # QK201 reports a DLQ topic nobody reads
        src = duration_seconds(rd.source.inputs.get("messageRetentionDuration"), PUBSUB_DEFAULT_RETENTION)
        kept = max(duration_seconds(s.inputs.get("messageRetentionDuration"), PUBSUB_DEFAULT_RETENTION)
                   for s in dlq_subs)
        if kept < src:
            out.append(Finding(f"Pub/Sub DLQ topic '{rd.target}' is read with retention {kept}s, less than "
                               f"its source subscription '{name}' ({src}s)", dlq_subs[0].urn))
    if ctx.model is not None:
        for c in consumables(ctx.model):
            if c.dead_letter is None or c.retention is None:
                continue
            kept = retention_of(ctx.model, c.dead_letter.target) if c.dead_letter.target \
                else c.dead_letter.retention
            if kept is not None and kept < c.retention:
                out.append(Finding(f"{c.backend} DLQ of '{c.physical}' keeps messages {kept}s, less than the "
                                   f"queue's own retention ({c.retention}s)", subject=c.subject))
    return out


_BAND_SCHEMA = {
    "minAttempts": {"type": "number", "default": 3, "description": "Fewest delivery attempts before "
                                                                   "dead-lettering (transient errors need retries)."},
    "maxAttempts": {"type": "number", "default": 20, "description": "Most delivery attempts (a poison message "
                                                                    "should not block a consumer for long)."},
}

PRESENT = Rule(
    id="QK901", name="dead-letter-present",
    title="Every consumer-facing queue and subscription has a dead-letter target",
    rationale="Without a DLQ a message that always fails is retried until it expires: it blocks FIFO groups, "
              "burns consumer time and is then silently lost, leaving nothing to inspect or replay.",
    severity="high", enforcement="mandatory", anchors=(), url=_DOCS,
    remediation_steps="Remove `dead_letter: none` (queuekit creates `<name>-dlq` by default) or point "
                      "`dead_letter.target` at a declared queue.",
    resource_types=_TYPES, check_stack=check_present,
)
BAND = Rule(
    id="QK902", name="dead-letter-attempts-band",
    title="max_receives / max_deliveries lie within the configured band",
    rationale="One attempt dead-letters on a transient blip; hundreds keep a poison message cycling for hours. "
              "The band (default 3–20) keeps retries meaningful and failures visible.",
    severity="medium", enforcement="mandatory", anchors=(), url=_DOCS,
    remediation_steps="Set `dead_letter.max_receives` (or `max_deliveries` on Pub/Sub) within the band, or "
                      "change the band in policy-config.yaml.",
    config_schema=_BAND_SCHEMA, resource_types=_TYPES, check_stack=check_band,
)
RETENTION = Rule(
    id="QK903", name="dlq-retention-covers-source",
    title="A DLQ keeps messages at least as long as its source queue",
    rationale="On SQS a dead-lettered message keeps its original enqueue time; a DLQ with shorter retention "
              "deletes it before anyone looks. The same holds for Pub/Sub and broker DLQs.",
    severity="medium", enforcement="mandatory", anchors=(), url=_DOCS,
    remediation_steps="Raise `dead_letter.retention` to at least the queue's `retention` (SQS allows 14d).",
    resource_types=_TYPES, check_stack=check_retention,
)
RULES = (PRESENT, BAND, RETENTION)

"""QK904–QK905: alarms on DLQ depth and on age/backlog/lag, routed to someone.

SQS alarms are ``MetricAlarm``s whose ``QueueName`` dimension names the queue (directly or in a
metric query); Pub/Sub alarms are ``AlertPolicy`` conditions whose filter names the metric and,
optionally, a ``subscription_id`` (no id: the condition covers every subscription). An alarm
with no ``alarmActions`` / ``notificationChannels`` pages nobody and does not count. Broker
queues are monitored from the broker's own metrics, so they are checked from the model.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from policies.graph import pubsub_graph, sqs_graph
from policies.inputs import CW_ALARM, GCP_ALERT, PS_SUB, PS_TOPIC, SQS_QUEUE, SQS_REDRIVE_ALLOW, as_list
from policies.modelview import consumables
from policies.rule import Config, Finding, Rule, StackContext

_TYPES = frozenset({SQS_QUEUE, SQS_REDRIVE_ALLOW, CW_ALARM, PS_TOPIC, PS_SUB, GCP_ALERT})
DEPTH = "ApproximateNumberOfMessagesVisible"
AGE = "ApproximateAgeOfOldestMessage"
PS_BACKLOG = "subscription/num_undelivered_messages"
PS_AGE = "subscription/oldest_unacked_message_age"
PS_DEAD = "subscription/dead_letter_message_count"
_SUB_ID = re.compile(r"subscription_id\s*[=:]\s*(?:monitoring\.regex\.full_match\()?\"([^\"]+)\"")


def _cw_metrics(inputs: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(metricName, QueueName) pairs an alarm watches, plain or through metric math."""
    dims = inputs.get("dimensions") or {}
    if inputs.get("metricName"):
        yield str(inputs["metricName"]), str(dims.get("QueueName", ""))
    for q in as_list(inputs.get("metricQueries")):
        metric = q.get("metric") if isinstance(q, Mapping) else None
        if isinstance(metric, Mapping) and metric.get("metricName"):
            yield str(metric["metricName"]), str((metric.get("dimensions") or {}).get("QueueName", ""))


def sqs_alarms(ctx: StackContext) -> set[tuple[str, str]]:
    """(metric, queue) pairs covered by a routed CloudWatch alarm."""
    covered: set[tuple[str, str]] = set()
    for r in ctx.of_type(CW_ALARM):
        if not as_list(r.inputs.get("alarmActions")) or r.inputs.get("actionsEnabled") is False:
            continue
        covered.update(_cw_metrics(r.inputs))
    return covered


def pubsub_alerts(ctx: StackContext) -> set[tuple[str, str]]:
    """(metric suffix, subscription id or '*') pairs covered by a routed alert policy."""
    covered: set[tuple[str, str]] = set()
    for r in ctx.of_type(GCP_ALERT):
        if not as_list(r.inputs.get("notificationChannels")) or r.inputs.get("enabled") is False:
            continue
        for cond in as_list(r.inputs.get("conditions")):
            if not isinstance(cond, Mapping):
                continue
            text = " ".join(str((cond.get(k) or {}).get(f, "")) for k, f in (
                ("conditionThreshold", "filter"), ("conditionAbsent", "filter"),
                ("conditionMonitoringQueryLanguage", "query"), ("conditionPrometheusQueryLanguage", "query")))
            ids = _SUB_ID.findall(text) or ["*"]
            for metric in (PS_BACKLOG, PS_AGE, PS_DEAD):
                if metric in text:
                    covered.update((metric, i) for i in ids)
    return covered


def _ps_has(covered: set[tuple[str, str]], metrics: tuple[str, ...], sub: str) -> bool:
    return any((m, sub) in covered or (m, "*") in covered for m in metrics)


def check_dlq_depth(ctx: StackContext, config: Config) -> list[Finding]:
    out: list[Finding] = []
    sqs, covered = sqs_graph(ctx), sqs_alarms(ctx)
    for dlq in sorted(sqs.dlqs):
        if dlq in sqs.queues and (DEPTH, dlq) not in covered:
            out.append(Finding(f"SQS DLQ '{dlq}' has no routed alarm on {DEPTH}: failed messages pile up "
                               "unnoticed", sqs.queues[dlq].urn))
    ps, alerts = pubsub_graph(ctx), pubsub_alerts(ctx)
    for name, rd in ps.redrives.items():
        dlq_subs = [s for s, t in ps.topic_of.items() if t == rd.target]
        if _ps_has(alerts, (PS_DEAD,), name) or any(_ps_has(alerts, (PS_BACKLOG,), s) for s in dlq_subs):
            continue
        out.append(Finding(f"Pub/Sub subscription '{name}' has no routed alert on dead-lettered messages "
                           f"({PS_DEAD}, or the backlog of '{rd.target}')", rd.source.urn))
    if ctx.model is not None:
        for c in consumables(ctx.model):
            if c.dead_letter is not None and (c.alarms.dlq_messages is None or not c.alarms.notify):
                out.append(Finding(f"{c.backend} queue '{c.physical}' has no DLQ-depth alarm with a notify target",
                                   subject=c.subject))
    return out


def check_age_backlog(ctx: StackContext, config: Config) -> list[Finding]:
    out: list[Finding] = []
    sqs, covered = sqs_graph(ctx), sqs_alarms(ctx)
    for name, queue in sqs.consumer_facing():
        if (AGE, name) not in covered and (DEPTH, name) not in covered:
            out.append(Finding(f"SQS queue '{name}' has no routed alarm on {AGE} or {DEPTH}: a stalled consumer "
                               "goes unnoticed until messages expire", queue.urn))
    ps, alerts = pubsub_graph(ctx), pubsub_alerts(ctx)
    for name, sub in ps.consumer_facing():
        if not _ps_has(alerts, (PS_AGE, PS_BACKLOG), name):
            out.append(Finding(f"Pub/Sub subscription '{name}' has no routed alert on oldest unacked message age "
                               "or undelivered messages", sub.urn))
    if ctx.model is not None:
        for c in consumables(ctx.model):
            if (c.alarms.oldest_message_age is None and c.alarms.backlog is None) or not c.alarms.notify:
                lag = "consumer lag" if c.backend == "kafka" else "backlog or message age"
                out.append(Finding(f"{c.backend} queue '{c.physical}' has no {lag} alarm with a notify target",
                                   subject=c.subject))
    return out


DLQ_DEPTH = Rule(
    id="QK904", name="alarm-dlq-depth",
    title="Every dead-letter queue has an alarm on its depth, routed to a notify target",
    rationale="A DLQ is only useful if someone learns it is filling: without an alarm, failures accumulate "
              "until retention deletes them.",
    severity="high", enforcement="mandatory", anchors=(),
    url="https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/set-cloudwatch-alarms-for-"
        "metrics.html",
    remediation_steps="Keep `alarms.dlq_messages` set (default 1) and `alarms.notify` non-empty.",
    resource_types=_TYPES, check_stack=check_dlq_depth,
)
AGE_BACKLOG = Rule(
    id="QK905", name="alarm-age-or-backlog",
    title="Every consumer-facing queue alarms on oldest-message age, backlog or consumer lag",
    rationale="A dead or slow consumer shows first as growing age/backlog; catching it early is the difference "
              "between a delay and lost messages (retention) or an outage.",
    severity="high", enforcement="mandatory", anchors=(),
    url="https://cloud.google.com/pubsub/docs/monitoring",
    remediation_steps="Keep `alarms.oldest_message_age` or `alarms.backlog` set and `alarms.notify` non-empty.",
    resource_types=_TYPES, check_stack=check_age_backlog,
)
RULES = (DLQ_DEPTH, AGE_BACKLOG)

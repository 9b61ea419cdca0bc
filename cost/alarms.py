"""Alarm charges: CloudWatch per alarm metric, Cloud Monitoring per condition plus time series.

Each alarm threshold set in the spec (dlq_messages, oldest_message_age, backlog) is one alarm
on one metric (CloudWatch) or one condition (Cloud Monitoring). A Cloud Monitoring condition
that returns one time series per 30 s execution period returns B / 30 series a month, billed
per million. Queues on a broker are alarmed on the broker's cloud.
"""

from __future__ import annotations

from cost.context import Context
from cost.lines import CLOUDWATCH_ALARMS, MONITORING_CONDITIONS, MONITORING_TIME_SERIES, CostLine, line
from queuekit.model import Alarms, Spec


def count(alarms: Alarms) -> int:
    return sum(v is not None for v in (alarms.dlq_messages, alarms.oldest_message_age, alarms.backlog))


def _cloud(spec: Spec, backend: str, broker: str | None) -> str:
    if backend == "sqs":
        return "aws"
    if backend == "pubsub":
        return "gcp"
    return spec.brokers[broker].cloud if broker in spec.brokers else "aws"


def build(spec: Spec, ctx: Context) -> list[CostLine]:
    targets: list[tuple[str, str, str, int]] = []
    for q in spec.queues:
        targets.append((q.name, q.backend, _cloud(spec, q.backend, q.broker), count(q.alarms)))
    for t in spec.topics:
        cloud = _cloud(spec, t.backend, t.broker)
        for sub in t.subscriptions:
            targets.append((t.subscription_queue_name(sub), t.backend, cloud, count(sub.alarms)))
    lines = []
    periods = ctx.seconds / ctx.prices.amount("monitoring.execution_period_seconds")
    for resource, backend, cloud, n in targets:
        if not n:
            continue
        if cloud == "aws":
            lines.append(line(resource, backend, CLOUDWATCH_ALARMS, n, ctx.prices["cloudwatch.alarm_metric"],
                              usage_based=False))
        else:
            lines.append(line(resource, backend, MONITORING_CONDITIONS, n, ctx.prices["monitoring.alert_condition"],
                              usage_based=False))
            lines.append(line(resource, backend, MONITORING_TIME_SERIES, n * periods,
                              ctx.prices["monitoring.time_series"], usage_based=False))
    return lines

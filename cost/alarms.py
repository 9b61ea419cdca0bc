"""Alarm charges: CloudWatch per alarm metric, Cloud Monitoring per condition plus time series.

Each alarm threshold set in the spec (dlq_messages, oldest_message_age, backlog) is one alarm
on one metric (CloudWatch) or one condition (Cloud Monitoring). A Cloud Monitoring condition
that returns one time series per 30 s execution period returns B / 30 series a month, billed
per million. Queues on a self-hosted broker are alarmed by the broker's cluster component, so
their alarms are counted from that component's blueprint (``cost.brokers``), not from the spec here.
"""

from __future__ import annotations

from cost.context import Context
from cost.lines import CLOUDWATCH_ALARMS, MONITORING_CONDITIONS, MONITORING_TIME_SERIES, CostLine, line
from queuekit.model import CLOUD_OF_BACKEND, Alarms, Spec


def count(alarms: Alarms) -> int:
    return sum(v is not None for v in (alarms.dlq_messages, alarms.oldest_message_age, alarms.backlog))


def alarm_lines(resource: str, backend: str, cloud: str, n: int, ctx: Context) -> list[CostLine]:
    """``n`` CloudWatch alarms (AWS), or ``n`` alerting conditions and the series they return (GCP)."""
    if not n:
        return []
    if cloud == "aws":
        return [line(resource, backend, CLOUDWATCH_ALARMS, n, ctx.prices["cloudwatch.alarm_metric"],
                     usage_based=False)]
    periods = ctx.seconds / ctx.prices.amount("monitoring.execution_period_seconds")
    return [line(resource, backend, MONITORING_CONDITIONS, n, ctx.prices["monitoring.alert_condition"],
                 usage_based=False),
            line(resource, backend, MONITORING_TIME_SERIES, n * periods, ctx.prices["monitoring.time_series"],
                 usage_based=False)]


def build(spec: Spec, ctx: Context) -> list[CostLine]:
    """Alarms of the managed backends' queues and subscriptions (brokers: see ``cost.brokers``)."""
    lines: list[CostLine] = []
    for q in spec.queues:
        if q.backend in CLOUD_OF_BACKEND:
            lines += alarm_lines(q.name, q.backend, CLOUD_OF_BACKEND[q.backend], count(q.alarms), ctx)
    for t in spec.topics:
        cloud = CLOUD_OF_BACKEND.get(t.backend)
        for sub in t.subscriptions if cloud else ():
            lines += alarm_lines(t.subscription_queue_name(sub), t.backend, cloud, count(sub.alarms), ctx)
    return lines

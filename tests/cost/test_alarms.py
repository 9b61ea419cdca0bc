"""Alarms: CloudWatch per alarm metric; Cloud Monitoring per condition plus time series returned."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cost.estimate import estimate
from cost.lines import CLOUDWATCH_ALARMS, MONITORING_CONDITIONS, MONITORING_TIME_SERIES


def test_one_cloudwatch_alarm_per_threshold(only, sqs_queue) -> None:
    q = sqs_queue()
    assert (q.alarms.dlq_messages, q.alarms.oldest_message_age, q.alarms.backlog) != (None, None, None)
    [alarms] = estimate(only(queues=[q])).component(CLOUDWATCH_ALARMS)
    n = sum(v is not None for v in (q.alarms.dlq_messages, q.alarms.oldest_message_age, q.alarms.backlog))
    assert (alarms.quantity, alarms.monthly) == (n, pytest.approx(0.10 * n))
    off = replace(q, alarms=replace(q.alarms, backlog=None))
    [fewer] = estimate(only(queues=[off])).component(CLOUDWATCH_ALARMS)
    assert fewer.quantity == n - 1


def test_cloud_monitoring_condition_and_time_series(base, only) -> None:
    # https://cloud.google.com/monitoring/alerts/cost-control, Example 2 per condition: one time series
    # per 30-second period, 86,400 periods in a 30-day month, $0.35 per million, $1.50 per condition.
    q = base.queues_on("pubsub")[0]
    q = replace(q, alarms=replace(q.alarms, dlq_messages=5, oldest_message_age=None, backlog=None))
    est = estimate(only(queues=[q]), hours_per_month=720)
    [cond] = est.component(MONITORING_CONDITIONS)
    [series] = est.component(MONITORING_TIME_SERIES)
    assert cond.monthly == 1.50
    assert series.quantity == 86_400
    assert series.monthly == pytest.approx(86_400 * 0.35 / 1e6)


def test_broker_queues_alarm_on_their_brokers_cloud(base, only) -> None:
    kafka = estimate(only(queues=[base.queues_on("kafka")[0]], brokers=("events",)))
    rabbit = estimate(only(queues=[base.queues_on("rabbitmq")[0]], brokers=("jobs",)))
    assert kafka.component(CLOUDWATCH_ALARMS) and not kafka.component(MONITORING_CONDITIONS)
    assert rabbit.component(MONITORING_CONDITIONS) and not rabbit.component(CLOUDWATCH_ALARMS)


def test_cost_control_example_2_one_hundred_conditions(base, only) -> None:
    # https://cloud.google.com/monitoring/alerts/cost-control, Example 2: 100 conditions, each returning one
    # time series per 30-second period → 8.6 million series × $0.35/M = $3.02; 100 × $1.50 = $150.
    q = base.queues_on("pubsub")[0]
    q = replace(q, alarms=replace(q.alarms, dlq_messages=5, oldest_message_age=None, backlog=None))
    queues = [replace(q, name=f"q{i}") for i in range(100)]
    est = estimate(only(queues=queues), hours_per_month=720)
    assert sum(x.monthly for x in est.component(MONITORING_CONDITIONS)) == pytest.approx(150.0)
    series = sum(x.quantity for x in est.component(MONITORING_TIME_SERIES))
    assert series == 8_640_000
    assert round(sum(x.monthly for x in est.component(MONITORING_TIME_SERIES)), 2) == 3.02

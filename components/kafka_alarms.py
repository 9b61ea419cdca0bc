"""Alarms of a Kafka cluster (``components.kafka``), from the metrics its nodes push (``components.kafka_boot``).

Every node's pusher writes, each minute, into CloudWatch namespace ``queuekit/kafka`` / Cloud Monitoring
``custom.googleapis.com/queuekit/kafka/*`` with the dimension ``Cluster`` = the cluster's physical name:

=============================  ==========================================  ===============================
alarm (``<prefix>-…``)          condition                                    why this threshold
=============================  ==========================================  ===============================
``node-<i>-down``               EC2 ``StatusCheckFailed`` ≥ 1 for 2 min /    the VM is gone or unreachable
                                GCE uptime absent 5 min
``node-<i>-kafka-down``         ``BrokerUp`` < 1 for 3 min                   the JVM is down, or (brokers) it
                                                                             leads nothing / is fenced
``node-<i>-disk``               ``DiskUsedPercent`` ≥ 80 for 5 min           Kafka stops at a full disk; the
                                                                             sizing rule keeps steady state
                                                                             ≤ 70 % (``queuekit.sizing``)
``under-replicated-partitions`` ``UnderReplicatedPartitions`` ≥ 1, 5 min     a replica is missing for longer
                                                                             than a rolling restart takes
``offline-partitions``          ``OfflinePartitions`` ≥ 1, at once           a partition has no leader: its
                                                                             clients are failing now
``<group>-consumer-lag``        ``ConsumerLag`` ≥ the spec's ``backlog``     the queue's/subscription's
                                for 5 min                                    ``alarms.backlog`` (off: none)
``<dlq topic>-dlq-records``     ``DlqRecords`` ≥ the spec's ``dlq_messages`` consumers dead-lettered records
=============================  ==========================================  ===============================

**DLQ records** are measured honestly but differently from a queue's depth: a Kafka DLQ topic is a log,
so ``DlqRecords`` is what it *retains* (log-end − log-start offset, from the brokers' JMX). Reading the
records does not remove them; the alarm clears when they age out (``dead_letter.retention``) or an
operator deletes them after handling (``kafka-delete-records.sh``) — the same workflow as purging an SQS DLQ.

**Missing data**: ``*-down`` alarms treat it as *breaching* — the pusher reports every minute while a node
lives, so silence is the failure. All others treat it as *not breaching*: their metrics only stop when a
node is down, which the down alarms already page for; breaching would page the same outage five times.

Cloud Monitoring thresholds only compare with > / <, so "≥ N" on counts is "> N − 1" and "≥ 80 %" is
"> 79.9 %". Each node labels its series with ``node`` (Cloud Monitoring rejects two writers on one
series), and a cluster-wide condition fires when any node's series crosses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from components.blueprint import Blueprint, Handle
from components.kafka_boot import METRICS_NAMESPACE
from components.notify import aws_actions, gcp_channels

PERIOD = 60
DISK_PERCENT = 80
GCP_METRIC = "custom.googleapis.com/queuekit/kafka/"


@dataclass(frozen=True)
class Threshold:
    """A per-group lag or per-DLQ-topic alarm: ``subject`` reaches ``threshold``."""

    subject: str  # consumer group / DLQ topic
    threshold: int


@dataclass(frozen=True)
class AlarmArgs:
    broker: str
    cloud: str
    cluster: str  # physical name: the metrics' Cluster dimension
    hostnames: tuple[str, ...]  # every VM, controllers included
    lag: tuple[Threshold, ...]
    dlq: tuple[Threshold, ...]
    notify: tuple[tuple[str, str, str], ...]
    stack_prefix: str
    region: str
    project: str | None
    tags: dict[str, str]


def add_alarms(bp: Blueprint, name: str, a: AlarmArgs, instances: tuple[Handle, ...]) -> None:
    if a.cloud == "aws":
        _aws(bp, name, a, instances)
    else:
        _gcp(bp, name, a)


def _aws(bp: Blueprint, name: str, a: AlarmArgs, instances: tuple[Handle, ...]) -> None:
    actions = aws_actions(bp, name, a.notify, topic_prefix=f"{a.stack_prefix}-{a.broker}", region=a.region,
                          tags=a.tags) or None

    def alarm(key: str, description: str, metric: str, dims: dict[str, Any], threshold: float, minutes: int,
              *, statistic: str = "Maximum", comparison: str = "GreaterThanOrEqualToThreshold",
              missing: str = "notBreaching", namespace: str = METRICS_NAMESPACE) -> None:
        bp.add("aws:cloudwatch/metricAlarm:MetricAlarm", f"{name}.alarm.{key}",
               name=f"{a.stack_prefix}-{a.broker}-{key}", alarm_description=description,
               comparison_operator=comparison, namespace=namespace, metric_name=metric, dimensions=dims,
               statistic=statistic, period=PERIOD, evaluation_periods=minutes, datapoints_to_alarm=minutes,
               threshold=threshold, treat_missing_data=missing, alarm_actions=actions, ok_actions=actions,
               region=a.region, tags=a.tags)

    cluster = {"Cluster": a.cluster}
    for i, (host, inst) in enumerate(zip(a.hostnames, instances, strict=True)):
        alarm(f"node-{i}-down", f"{host}: EC2 status check failing (node down or unreachable)",
              "StatusCheckFailed", {"InstanceId": inst.id}, 1, 2, missing="breaching", namespace="AWS/EC2")
        alarm(f"node-{i}-kafka-down", f"{host}: Kafka not serving (BrokerUp < 1, or no report) for 3 minutes",
              "BrokerUp", {**cluster, "Node": host}, 1, 3, statistic="Minimum", comparison="LessThanThreshold",
              missing="breaching")
        alarm(f"node-{i}-disk", f"{host}: Kafka data disk at least {DISK_PERCENT}% full for 5 minutes",
              "DiskUsedPercent", {**cluster, "Node": host}, DISK_PERCENT, 5)
    alarm("under-replicated-partitions", "partitions missing an in-sync replica for 5 minutes",
          "UnderReplicatedPartitions", cluster, 1, 5)
    alarm("offline-partitions", "partitions without a leader: their producers and consumers fail",
          "OfflinePartitions", cluster, 1, 1)
    for t in a.lag:
        alarm(f"{t.subject}-consumer-lag", f"consumer group {t.subject} lags at least {t.threshold} records "
              "for 5 minutes", "ConsumerLag", {**cluster, "ConsumerGroup": t.subject}, t.threshold, 5)
    for t in a.dlq:
        alarm(f"{t.subject}-dlq-records", f"DLQ topic {t.subject} retains at least {t.threshold} dead-lettered "
              "records", "DlqRecords", {**cluster, "Topic": t.subject}, t.threshold, 1)


def _gcp(bp: Blueprint, name: str, a: AlarmArgs) -> None:
    channels = gcp_channels(bp, name, a.notify, display_prefix=f"queuekit {a.stack_prefix} {a.broker}",
                            project=a.project, labels=a.tags) or None

    def alert(key: str, title: str, *conditions: dict[str, Any]) -> None:
        bp.add("gcp:monitoring/alertPolicy:AlertPolicy", f"{name}.alert.{key}",
               display_name=f"{a.stack_prefix}-{a.broker}: {title}", combiner="OR",
               conditions=[{"display_name": title, **c} for c in conditions], notification_channels=channels,
               severity="ERROR", user_labels=a.tags, project=a.project)

    def metric(name_: str, **labels: str) -> str:
        where = "".join(f' AND metric.labels.{k} = "{v}"' for k, v in {"cluster": a.cluster, **labels}.items())
        return f'resource.type = "global" AND metric.type = "{GCP_METRIC}{name_}"' + where

    def above(filter_: str, threshold: float, minutes: int) -> dict[str, Any]:
        return {"condition_threshold": {
            "filter": filter_, "comparison": "COMPARISON_GT", "threshold_value": threshold,
            "duration": f"{60 * minutes if minutes > 1 else 0}s",
            "aggregations": [{"alignment_period": "60s", "per_series_aligner": "ALIGN_MAX"}]}}

    for i, host in enumerate(a.hostnames):
        alert(f"node-{i}-down", f"{host} down (no uptime for 5 minutes)", {"condition_absent": {
            "filter": f'resource.type = "gce_instance" AND metric.type = "compute.googleapis.com/instance/uptime" '
                      f'AND metric.labels.instance_name = "{a.cluster}-{i}"',
            "duration": "300s", "aggregations": [{"alignment_period": "60s", "per_series_aligner": "ALIGN_MAX"}]}})
        alert(f"node-{i}-kafka-down", f"{host} Kafka not serving for 3 minutes", {"condition_threshold": {
            "filter": metric("BrokerUp", node=host), "comparison": "COMPARISON_LT", "threshold_value": 1,
            "duration": "180s", "aggregations": [{"alignment_period": "60s", "per_series_aligner": "ALIGN_MIN"}]}},
              {"condition_absent": {"filter": metric("BrokerUp", node=host), "duration": "300s",
                                    "aggregations": [{"alignment_period": "60s", "per_series_aligner": "ALIGN_MAX"}]}})
        alert(f"node-{i}-disk", f"{host} Kafka disk >= {DISK_PERCENT}% full",
              above(metric("DiskUsedPercent", node=host), DISK_PERCENT - 0.1, 5))
    alert("under-replicated-partitions", "under-replicated partitions for 5 minutes",
          above(metric("UnderReplicatedPartitions"), 0, 5))
    alert("offline-partitions", "offline partitions", above(metric("OfflinePartitions"), 0, 1))
    for t in a.lag:
        alert(f"{t.subject}-consumer-lag", f"{t.subject} lags >= {t.threshold} records",
              above(metric("ConsumerLag", consumergroup=t.subject), t.threshold - 1, 5))
    for t in a.dlq:
        alert(f"{t.subject}-dlq-records", f"{t.subject} retains >= {t.threshold} dead-lettered records",
              above(metric("DlqRecords", topic=t.subject), t.threshold - 1, 1))

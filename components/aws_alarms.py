"""CloudWatch alarms for an SQS queue, and the SNS topics they notify.

Three alarms per queue (each off when its threshold is ``None``):

* DLQ depth — ``ApproximateNumberOfMessagesVisible`` of the DLQ ≥ threshold: a message failed
  ``max_receives`` times; someone must look at it before the DLQ's retention deletes it.
* Age of the oldest message ≥ threshold: consumers are stuck or too slow.
* Backlog — ``ApproximateNumberOfMessagesVisible`` of the queue ≥ threshold for 5 minutes.

``treat_missing_data = "notBreaching"`` on all three, deliberately: SQS stops publishing
metrics for a queue that has held no message and seen no API call for about six hours, and a
queue (or DLQ) that *holds* messages counts as active and keeps reporting. So a missing data
point means "empty and idle" — the healthy state; "breaching" would page every quiet night and
"missing" would leave an old ALARM state standing after the DLQ was drained.

Alarm and OK actions go to one SNS topic per notify target per region (CloudWatch can only
notify a topic in the alarm's own region): queuekit creates it with an email subscription, or
uses the ``sns_topic_arn`` the target names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from components.blueprint import Blueprint, Handle
from components.common import aws_tags
from queuekit.model import Alarms, Spec

# A path in the queuekit repository (like the Pub/Sub alerts' runbook): the anchors are its headings,
# and tests/components/test_aws_alarms.py fails when a heading is renamed without updating them.
RUNBOOK_URL = "docs/runbooks/sqs.md"
RUNBOOK_ANCHORS = {
    "dlq-messages": "dead-lettered-messages",
    "oldest-message-age": "oldest-message-too-old",
    "backlog": "backlog-too-deep",
}
ALARM_TOPIC_PREFIX = "aws-alarm-topic"


@dataclass(frozen=True)
class AlarmSpec:
    """What one alarm watches; ``kind`` is a key of ``RUNBOOK_ANCHORS``."""

    kind: str
    source: str  # the physical queue the alarm is about: its name is part of the alarm's name
    queue_name: str  # the physical queue whose metric is watched (the DLQ for dlq-messages)
    metric: str
    threshold: int
    period: int
    evaluation_periods: int
    what: str


def queue_alarms(queue_name: str, dlq_name: str | None, alarms_dlq: int | None, alarms_age: int | None,
                 alarms_backlog: int | None) -> list[AlarmSpec]:
    """The alarms a queue gets; physical names include ``.fifo``."""
    out: list[AlarmSpec] = []
    visible = "ApproximateNumberOfMessagesVisible"
    if dlq_name is not None and alarms_dlq is not None:
        out.append(AlarmSpec("dlq-messages", queue_name, dlq_name, visible, alarms_dlq, 60, 1,
                             f"{dlq_name} holds at least {alarms_dlq} dead-lettered message(s) from {queue_name}"))
    if alarms_age is not None:
        out.append(AlarmSpec("oldest-message-age", queue_name, queue_name, "ApproximateAgeOfOldestMessage",
                             alarms_age, 60, 1, f"the oldest message in {queue_name} is at least {alarms_age}s old"))
    if alarms_backlog is not None:
        # Five one-minute periods: a burst that consumers absorb within minutes is not a page.
        out.append(AlarmSpec("backlog", queue_name, queue_name, visible, alarms_backlog, 60, 5,
                             f"{queue_name} has had at least {alarms_backlog} visible messages for 5 minutes"))
    return out


def add_queue_alarms(bp: Blueprint, prefix: str, alarm_name_prefix: str, region: str, specs: list[AlarmSpec],
                     actions: list[Any], tags: dict[str, str]) -> list[Handle]:
    """Add one ``MetricAlarm`` per spec to ``bp`` (logical names ``<prefix>.alarm.<kind>``)."""
    handles = []
    for a in specs:
        handles.append(bp.add(
            "aws:cloudwatch/metricAlarm:MetricAlarm", f"{prefix}.alarm.{a.kind}",
            name=f"{alarm_name_prefix}-{a.source}-{a.kind}",
            alarm_description=f"{a.what}. Runbook: {RUNBOOK_URL}#{RUNBOOK_ANCHORS[a.kind]}",
            namespace="AWS/SQS", metric_name=a.metric, dimensions={"QueueName": a.queue_name},
            statistic="Maximum", period=a.period, evaluation_periods=a.evaluation_periods,
            datapoints_to_alarm=a.evaluation_periods, threshold=a.threshold,
            comparison_operator="GreaterThanOrEqualToThreshold",
            treat_missing_data="notBreaching",  # see the module docstring: missing = empty and idle
            alarm_actions=list(actions) or None, ok_actions=list(actions) or None,
            region=region, tags=tags,
        ))
    return handles


def add_alarm_topics(spec: Spec, bp: Blueprint, used: set[tuple[str, str]]) -> dict[tuple[str, str], Any]:
    """The alarm action ARN for each (notify target, region) in ``used``.

    Email targets get a topic ``<project>-<env>-alarms-<target>`` with an email subscription
    (AWS mails a confirmation link; nothing is delivered until someone clicks it). The topic is
    not KMS-encrypted on purpose: CloudWatch cannot publish to a topic encrypted with the AWS
    managed key, and alarm payloads hold metric names, not message data.
    """
    out: dict[tuple[str, str], Any] = {}
    for target_name, region in sorted(used):
        target = spec.notify[target_name]
        if target.kind == "sns_topic_arn":
            out[(target_name, region)] = target.value
            continue
        if target.kind != "email":
            continue  # a GCP channel cannot receive AWS alarms; the validator rejects it
        logical = f"{ALARM_TOPIC_PREFIX}.{target_name}.{region}"
        topic = bp.add("aws:sns/topic:Topic", logical, name=f"{spec.project}-{spec.environment}-alarms-{target_name}",
                       region=region, tags=aws_tags(spec, spec.tags))
        bp.add("aws:sns/topicSubscription:TopicSubscription", f"{logical}.email", topic=topic.arn,
               protocol="email", endpoint=target.value, region=region)
        out[(target_name, region)] = topic.arn
    return out


def notify_pairs(alarms: Alarms, region: str) -> set[tuple[str, str]]:
    return {(n, region) for n in alarms.notify} if alarms.enabled else set()

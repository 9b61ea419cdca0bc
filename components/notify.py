"""Where a self-hosted cluster's alarms go: the spec's notify targets, as AWS alarm actions / GCP channels.

Shared by the RabbitMQ and Kafka cluster components. Each cluster owns its notification resources
(logical names ``<cluster>.notify-<target>``) so the stack never depends on which other backends the
spec uses: on AWS an SNS topic with an email subscription per email target, or the target's own topic
ARN; on GCP an email notification channel, or the target's own channel.
"""

from __future__ import annotations

from typing import Any

from components.blueprint import Blueprint, Ref
from queuekit.model import Spec


def used_targets(spec: Spec, broker: str) -> tuple[tuple[str, str, str], ...]:
    """``(name, kind, value)`` of the notify targets named by the alarms of the broker's queues/subscriptions."""
    queues, topics = spec.on_broker(broker)
    used = {n for q in queues for n in q.alarms.notify} | {
        n for t in topics for s in t.subscriptions for n in s.alarms.notify}
    return tuple((n, spec.notify[n].kind, spec.notify[n].value) for n in spec.notify if n in used)


def aws_actions(bp: Blueprint, name: str, targets: tuple[tuple[str, str, str], ...], *, topic_prefix: str,
                region: str, tags: dict[str, str]) -> list[Any]:
    """Alarm actions: one SNS topic ``<topic_prefix>-alarms-<target>`` per email target, or the given ARN."""
    actions: list[Any] = []
    for target, kind, value in targets:
        if kind == "sns_topic_arn":
            actions.append(value)
        elif kind == "email":
            topic = bp.add("aws:sns/topic:Topic", f"{name}.notify-{target}",
                           name=f"{topic_prefix}-alarms-{target}"[:256], region=region, tags=tags)
            bp.add("aws:sns/topicSubscription:TopicSubscription", f"{name}.notify-{target}.email", topic=topic.arn,
                   protocol="email", endpoint=value, region=region)
            actions.append(topic.arn)
    return actions


def gcp_channels(bp: Blueprint, name: str, targets: tuple[tuple[str, str, str], ...], *, display_prefix: str,
                 project: str | None, labels: dict[str, str]) -> list[Any]:
    """Notification channels: one email channel per email target, or the given channel."""
    channels: list[Any] = []
    for target, kind, value in targets:
        if kind == "gcp_channel":
            channels.append(value)
        elif kind == "email":
            ch = bp.add("gcp:monitoring/notificationChannel:NotificationChannel", f"{name}.notify-{target}",
                        type="email", display_name=f"{display_prefix} {target}",
                        labels={"email_address": value}, project=project, user_labels=labels)
            channels.append(Ref(ch.name, "name"))
    return channels

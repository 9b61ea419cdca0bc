"""Cloud Monitoring alert policies for Pub/Sub subscriptions, and the channels they notify.

Three alerts per subscription, each one a separate policy so that a page names exactly what is
wrong: the oldest unacked message is too old (consumers stuck), too many undelivered messages
(backlog), and messages waiting on the dead-letter subscription (poison messages). Filters name
the exact subscription id, never a prefix, so one subscription's trouble never pages for another.

Cloud Monitoring threshold conditions only support ``COMPARISON_GT``/``COMPARISON_LT``. The spec's
thresholds mean "alert when the value *reaches* N" (``dlq_messages: 1`` must page on the first
poison message), so counts and ages compare ``> N - 1``: GT 1 would stay silent on one message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from components.blueprint import Blueprint, Handle, Ref
from components.common import gcp_label
from queuekit.model import Alarms, Spec

ALERT_TOKEN = "gcp:monitoring/alertPolicy:AlertPolicy"
CHANNEL_TOKEN = "gcp:monitoring/notificationChannel:NotificationChannel"
METRIC_PREFIX = "pubsub.googleapis.com/subscription/"
# The spec has no runbook URL yet; the path is relative to the queuekit repository (see the README).
RUNBOOK_URL = "docs/runbooks/pubsub.md"
# Pub/Sub metrics are sampled every 60 s; shorter windows only add noise.
ALIGNMENT_PERIOD = "60s"
SUSTAINED = "300s"  # backlog and age must persist 5 minutes: a burst that drains is not an incident


@dataclass(frozen=True)
class AlertArgs:
    """What to alert on for one subscription; ``channels`` are channel names or refs to them."""

    oldest_message_age: int | None
    backlog: int | None
    dlq_messages: int | None
    channels: tuple[Any, ...]


@dataclass(frozen=True)
class _Alert:
    key: str
    title: str
    metric: str
    threshold: int
    duration: str
    severity: str
    runbook_anchor: str
    first_step: str


def subscription_filter(subscription_id: str, metric: str) -> str:
    """A Monitoring filter on one subscription's metric, matched by exact id."""
    return (f'resource.type = "pubsub_subscription" AND resource.labels.subscription_id = "{subscription_id}" '
            f'AND metric.type = "{METRIC_PREFIX}{metric}"')


def notification_channels(spec: Spec, bp: Blueprint, names: set[str], project: str | None) -> dict[str, Any]:
    """Notify targets usable on GCP, by name: email → a created channel (ref), gcp_channel → as given.

    ``sns_topic_arn`` targets are AWS-only and are skipped here (the loader lets one ``notify`` list
    serve both clouds). Channels are created once per stack, in spec order, only if some Pub/Sub alert
    uses them.
    """
    out: dict[str, Any] = {}
    for name, target in spec.notify.items():
        if name not in names:
            continue
        if target.kind == "gcp_channel":
            out[name] = target.value
        elif target.kind == "email":
            handle = bp.add(CHANNEL_TOKEN, f"pubsub-notify-{name}", type="email",
                            display_name=f"queuekit {spec.project} {name}",
                            labels={"email_address": target.value}, project=project,
                            user_labels={"managed-by": "queuekit", "queuekit-project": gcp_label(spec.project)})
            out[name] = Ref(handle.name, "name")
    return out


def alert_args(alarms: Alarms, channels: dict[str, Any], *, has_dlq: bool) -> AlertArgs | None:
    """The alerts one subscription gets (None when every threshold is off)."""
    if not alarms.enabled:
        return None
    return AlertArgs(oldest_message_age=alarms.oldest_message_age, backlog=alarms.backlog,
                     dlq_messages=alarms.dlq_messages if has_dlq else None,
                     channels=tuple(channels[n] for n in alarms.notify if n in channels))


def add_alert_policies(bp: Blueprint, subscription_id: str, dlq_subscription_id: str | None, alerts: AlertArgs,
                       project: str | None, labels: dict[str, str]) -> list[Handle]:
    """One alert policy per enabled threshold of ``subscription_id`` (and its dead-letter subscription)."""
    wanted: list[tuple[str, _Alert]] = []
    if alerts.oldest_message_age is not None:
        wanted.append((subscription_id, _Alert(
            "oldest-age", "oldest unacked message age", "oldest_unacked_message_age", alerts.oldest_message_age,
            SUSTAINED, "WARNING", "oldest-unacked-message-age",
            "Consumers are not acking: check that they run, and their logs for errors or ack-deadline expiries.")))
    if alerts.backlog is not None:
        wanted.append((subscription_id, _Alert(
            "backlog", "undelivered messages", "num_undelivered_messages", alerts.backlog,
            SUSTAINED, "WARNING", "backlog",
            "Publishers outpace consumers: scale consumers out, or check that they are not stuck.")))
    if alerts.dlq_messages is not None and dlq_subscription_id is not None:
        wanted.append((dlq_subscription_id, _Alert(
            "dlq-messages", "messages on the dead-letter subscription", "num_undelivered_messages",
            alerts.dlq_messages, "0s", "ERROR", "dead-lettered-messages",
            "Messages failed max_deliveries times: pull one from the dead-letter subscription and read why.")))
    handles = []
    for target, alert in wanted:
        handles.append(bp.add(
            ALERT_TOKEN, f"pubsub-{subscription_id}-{alert.key}",
            display_name=f"{subscription_id}: {alert.title} >= {alert.threshold}",
            combiner="OR",
            conditions=[{
                "display_name": f"{target} {alert.metric} >= {alert.threshold}",
                "condition_threshold": {
                    "filter": subscription_filter(target, alert.metric),
                    "comparison": "COMPARISON_GT",
                    "threshold_value": alert.threshold - 1,
                    "duration": alert.duration,
                    "aggregations": [{"alignment_period": ALIGNMENT_PERIOD, "per_series_aligner": "ALIGN_MAX"}],
                },
            }],
            notification_channels=list(alerts.channels) or None,
            documentation={
                "mime_type": "text/markdown",
                "subject": f"queuekit: {subscription_id} {alert.title}",
                "content": (f"Pub/Sub subscription `{target}`: {alert.title} reached {alert.threshold}.\n\n"
                            f"{alert.first_step}\n\nRunbook: {RUNBOOK_URL}#{alert.runbook_anchor}"),
            },
            severity=alert.severity, project=project, user_labels=labels,
        ))
    return handles


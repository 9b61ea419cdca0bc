"""Who dead-letters into whom, recovered from resource inputs alone.

CrossGuard has no spec, only resources, so "is this queue a DLQ?" must be answered from
inputs: an SQS queue is a DLQ when another queue's ``redrivePolicy`` targets it or it has a
``RedriveAllowPolicy``; a Pub/Sub topic is a DLQ topic when a subscription's
``deadLetterPolicy`` names it. Names are matched on the provider-side name (last ARN/URL/path
segment), which both runners see the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from policies.inputs import (
    CW_ALARM,
    PS_SUB,
    PS_TOPIC,
    SQS_QUEUE,
    SQS_REDRIVE_ALLOW,
    as_list,
    json_doc,
    last_segment,
    physical_name,
)
from policies.rule import Resource, StackContext


@dataclass(frozen=True)
class Redrive:
    source: Resource
    target: str  # provider-side name of the DLQ (queue or topic)
    max_attempts: float | None


@dataclass(frozen=True)
class SqsGraph:
    queues: dict[str, Resource]  # physical name → queue
    redrives: dict[str, Redrive]  # source physical name → its redrive
    dlqs: frozenset[str]

    def consumer_facing(self) -> list[tuple[str, Resource]]:
        return [(n, r) for n, r in self.queues.items() if n not in self.dlqs]


@dataclass(frozen=True)
class PubSubGraph:
    topics: dict[str, Resource]
    subscriptions: dict[str, Resource]  # physical name → subscription
    topic_of: dict[str, str]  # subscription → topic name
    redrives: dict[str, Redrive]  # subscription → its dead-letter topic
    dlq_topics: frozenset[str]

    def consumer_facing(self) -> list[tuple[str, Resource]]:
        return [(n, r) for n, r in self.subscriptions.items() if self.topic_of[n] not in self.dlq_topics]

    def subscriptions_of(self, topic: str) -> list[Resource]:
        return [self.subscriptions[s] for s, t in self.topic_of.items() if t == topic]


def sqs_graph(ctx: StackContext) -> SqsGraph:
    return ctx.derived("sqs_graph", _sqs_graph)  # type: ignore[no-any-return]


def pubsub_graph(ctx: StackContext) -> PubSubGraph:
    return ctx.derived("pubsub_graph", _pubsub_graph)  # type: ignore[no-any-return]


def _sqs_graph(ctx: StackContext) -> SqsGraph:
    queues = {physical_name(r.name, r.inputs): r for r in ctx.of_type(SQS_QUEUE)}
    redrives: dict[str, Redrive] = {}
    for name, queue in queues.items():
        doc = json_doc(queue.inputs.get("redrivePolicy"))
        if isinstance(doc, Mapping) and doc.get("deadLetterTargetArn"):
            count = doc.get("maxReceiveCount")
            redrives[name] = Redrive(queue, last_segment(doc["deadLetterTargetArn"], ":"),
                                     float(count) if count is not None else None)
    allow = {last_segment(r.inputs.get("queueUrl"), "/") for r in ctx.of_type(SQS_REDRIVE_ALLOW)}
    return SqsGraph(queues, redrives, frozenset({r.target for r in redrives.values()} | allow))


def _pubsub_graph(ctx: StackContext) -> PubSubGraph:
    topics = {physical_name(r.name, r.inputs): r for r in ctx.of_type(PS_TOPIC)}
    subs = {physical_name(r.name, r.inputs): r for r in ctx.of_type(PS_SUB)}
    topic_of = {n: last_segment(r.inputs.get("topic"), "/") for n, r in subs.items()}
    redrives: dict[str, Redrive] = {}
    for name, sub in subs.items():
        policy = sub.inputs.get("deadLetterPolicy")
        if isinstance(policy, Mapping) and policy.get("deadLetterTopic"):
            count = policy.get("maxDeliveryAttempts")
            redrives[name] = Redrive(sub, last_segment(policy["deadLetterTopic"], "/"),
                                     float(count) if count is not None else 5.0)  # Pub/Sub's default is 5
    return PubSubGraph(topics, subs, topic_of, redrives, frozenset(r.target for r in redrives.values()))


def alarm_topics(ctx: StackContext) -> frozenset[str]:
    """SNS topics CloudWatch alarms publish to: they carry alarm text, not queue messages."""
    return frozenset(last_segment(arn, ":") for r in ctx.of_type(CW_ALARM)
                     for key in ("alarmActions", "okActions", "insufficientDataActions")
                     for arn in as_list(r.inputs.get(key)) if str(arn).startswith("arn:aws:sns:"))

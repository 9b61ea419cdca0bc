"""Every consumer-facing node of the model, queues and subscriptions alike.

Rules decided from the model (brokers have no per-queue Pulumi resources) treat a queue and a
topic's subscription the same way: both have a retention, a dead letter and alarms. ``subject``
is the name SARIF maps back to a line: ``queue`` or ``topic/subscription``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from queuekit.model import Alarms, DeadLetter, Source, Spec


@dataclass(frozen=True)
class Consumable:
    subject: str
    physical: str  # the queue / consumer-group name on the backend
    backend: str
    broker: str | None
    retention: int | None
    dead_letter: DeadLetter | None
    alarms: Alarms
    source: Source


def consumables(spec: Spec, backends: tuple[str, ...] = ("rabbitmq", "kafka")) -> Iterator[Consumable]:
    for q in spec.queues:
        if q.backend in backends:
            yield Consumable(q.name, q.name, q.backend, q.broker, q.retention, q.dead_letter, q.alarms, q.source)
    for t in spec.topics:
        if t.backend not in backends:
            continue
        for s in t.subscriptions:
            retention = s.retention if t.backend != "kafka" else t.retention
            yield Consumable(f"{t.name}/{s.name}", t.subscription_queue_name(s), t.backend, t.broker, retention,
                             s.dead_letter, s.alarms, s.source)


def retention_of(spec: Spec, queue_name: str) -> int | None:
    """A declared queue's retention (a dead-letter ``target`` keeps messages this long)."""
    return next((q.retention for q in spec.queues if q.name == queue_name), None)

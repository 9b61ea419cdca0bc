"""The Kafka topic/ACL plan of one broker: what ``render``, ``local up``, ``verify`` and the VMs apply.

One JSON-able document serves all of them, so what a developer applies to a local broker is exactly
what the cluster gets. Layout:

* every ``backend: kafka`` **queue** ``Q`` is a topic ``Q`` read by one consumer group ``Q``;
* every kafka **topic** ``T`` is a topic ``T``; each subscription ``S`` is a consumer group ``T-S``
  (every group reads every message — Kafka's fan-out);
* every consumer-facing queue / subscription gets a **DLQ topic** ``<name>.dlq`` (``T-S.dlq`` for
  subscriptions) unless ``dead_letter.target`` names a declared queue, or dead-lettering is off;
* durability: ``replication`` (default min(3, nodes)), ``min.insync.replicas`` = replication − 1 (at
  least 1) so that with ``acks=all`` an acknowledged write is on at least two brokers whenever
  replication ≥ 3, and ``unclean.leader.election.enable=false`` so an out-of-sync replica never
  becomes leader and silently truncates acknowledged messages;
* ``retention.ms`` from ``retention`` (DLQ topics: ``dead_letter.retention``), ``max.message.bytes``
  from ``max_message_size``. A DLQ topic accepts :data:`DLQ_HEADER_ALLOWANCE` more bytes than its
  source, so a message of the maximum size still fits once the dead-letter headers are added.
  DLQ topics have one partition: they carry failures, not traffic;
* **ACLs** (principals are SCRAM user names): producers get WRITE + DESCRIBE on their topic only;
  consumers get READ + DESCRIBE on their topic, READ on their group, and WRITE + DESCRIBE on their
  DLQ topic — nothing else. Idempotent producers need no cluster-level grant since Kafka 3.0 (KIP-679).

Kafka has no native dead-lettering, so the DLQ is a **consumer contract** (README "Kafka DLQ contract"):
a consumer in group G that fails a record ``max_deliveries`` times publishes it unchanged (same key,
value and headers) to G's DLQ topic, adding the headers of :data:`DLQ_HEADERS`, waits for the
acknowledgement, then commits the source offset. The plan lists ``max_deliveries`` per group.
"""

from __future__ import annotations

from typing import Any

from queuekit.limits import DEFAULTS
from queuekit.model import Queue, Spec, Subscription, Topic

DLQ_HEADER_ALLOWANCE = 16 * 1024
# Fan-out topics have no max_message_size in the spec (it is a queue field): they get the kafka default.
TOPIC_MAX_MESSAGE_BYTES: int = int(DEFAULTS["kafka"]["max_message_size"] or 1024 * 1024)
DLQ_HEADERS: tuple[str, ...] = (
    "queuekit.dlq.source.topic",
    "queuekit.dlq.source.partition",
    "queuekit.dlq.source.offset",
    "queuekit.dlq.group",
    "queuekit.dlq.deliveries",
    "queuekit.dlq.error",
)
PRODUCER_OPERATIONS: tuple[str, ...] = ("DESCRIBE", "WRITE")
CONSUMER_TOPIC_OPERATIONS: tuple[str, ...] = ("DESCRIBE", "READ")
CONSUMER_GROUP_OPERATIONS: tuple[str, ...] = ("READ",)
DLQ_WRITER_OPERATIONS: tuple[str, ...] = ("DESCRIBE", "WRITE")


def plan(spec: Spec, broker: str) -> dict[str, Any]:
    """The topics, consumer groups, users and ACLs of ``broker`` (a key of ``spec.brokers``)."""
    if broker not in spec.brokers or spec.brokers[broker].engine != "kafka":
        raise KeyError(f"no kafka broker named {broker!r}")
    queues, topics = spec.on_broker(broker)
    queues = tuple(q for q in queues if q.backend == "kafka")
    topics = tuple(t for t in topics if t.backend == "kafka")
    planned_topics: list[dict[str, Any]] = []
    groups: list[dict[str, Any]] = []
    acls: list[dict[str, str]] = []

    for q in queues:
        planned_topics.append(_topic(q.name, "queue", q.partitions, q.replication, q.min_insync_replicas,
                                     q.retention, q.max_message_size))
        acls += _grants(q.producers, "TOPIC", q.name, PRODUCER_OPERATIONS)
        dlq = _dlq(q, None, q.name)
        if dlq is not None:
            planned_topics.append(dlq)
        dlq_topic = q.dlq_name if q.dead_letter else None
        groups.append(_group(q.name, q.name, dlq_topic, q.dead_letter, q.consumers))
        acls += _consumer_grants(q.consumers, q.name, q.name, dlq_topic)

    for t in topics:
        planned_topics.append(_topic(t.name, "topic", t.partitions, t.replication, t.min_insync_replicas,
                                     t.retention, TOPIC_MAX_MESSAGE_BYTES))
        acls += _grants(t.producers, "TOPIC", t.name, PRODUCER_OPERATIONS)
        for sub in t.subscriptions:
            group = t.subscription_queue_name(sub)
            dlq_topic = t.subscription_dlq_name(sub) if sub.dead_letter else None
            dlq = _dlq(t, sub, group)
            if dlq is not None:
                planned_topics.append(dlq)
            groups.append(_group(group, t.name, dlq_topic, sub.dead_letter, sub.consumers))
            acls += _consumer_grants(sub.consumers, t.name, group, dlq_topic)

    users = sorted({a["principal"].removeprefix("User:") for a in acls})
    return {
        "broker": broker,
        "engine": "kafka",
        "nodes": spec.brokers[broker].nodes,
        "topics": planned_topics,
        "consumer_groups": groups,
        "users": users,
        "acls": _unique(acls),
        "dlq_contract": {
            "headers": list(DLQ_HEADERS),
            "rule": "after max_deliveries failed attempts a consumer publishes the record unchanged (key, value, "
                    "headers) plus these headers to its group's dlq topic, waits for the ack, then commits the offset",
        },
    }


def _topic(name: str, kind: str, partitions: int | None, replication: int | None, min_isr: int | None,
           retention: int | None, max_message_size: int, source: str | None = None) -> dict[str, Any]:
    if partitions is None or replication is None or min_isr is None:
        raise ValueError(f"{name}: the model has no resolved Kafka sizing (was the spec loaded by queuekit.spec?)")
    entry: dict[str, Any] = {
        "name": name,
        "kind": kind,
        "partitions": partitions,
        "replication": replication,
        "configs": {
            "min.insync.replicas": str(min_isr),
            "unclean.leader.election.enable": "false",
            "retention.ms": str(retention * 1000) if retention is not None else "-1",
            "max.message.bytes": str(max_message_size),
        },
    }
    if source is not None:
        entry["source"] = source
    return entry


def _dlq(owner: Queue | Topic, sub: Subscription | None, group: str) -> dict[str, Any] | None:
    """The generated DLQ topic of a queue / subscription (None: dead-lettering off or into a declared queue)."""
    dead_letter = owner.dead_letter if isinstance(owner, Queue) else sub.dead_letter if sub else None
    if dead_letter is None or dead_letter.target:
        return None
    name = owner.dlq_name if isinstance(owner, Queue) else owner.subscription_dlq_name(sub)  # type: ignore[arg-type]
    max_size = owner.max_message_size if isinstance(owner, Queue) else TOPIC_MAX_MESSAGE_BYTES
    return _topic(name, "dlq", 1, owner.replication, owner.min_insync_replicas, dead_letter.retention,
                  max_size + DLQ_HEADER_ALLOWANCE, source=group)


def _group(group: str, topic: str, dlq_topic: str | None, dead_letter: Any, consumers: tuple[str, ...]
           ) -> dict[str, Any]:
    return {
        "group": group,
        "topic": topic,
        "dlq_topic": dlq_topic,
        "max_deliveries": dead_letter.max_deliveries if dead_letter is not None else None,
        "consumers": list(consumers),
    }


def _grants(principals: tuple[str, ...], resource_type: str, resource: str, operations: tuple[str, ...]
            ) -> list[dict[str, str]]:
    return [
        {
            "principal": f"User:{p}",
            "resource_type": resource_type,
            "resource_name": resource,
            "pattern_type": "LITERAL",
            "operation": op,
            "permission": "ALLOW",
            "host": "*",
        }
        for p in principals
        for op in operations
    ]


def _consumer_grants(consumers: tuple[str, ...], topic: str, group: str, dlq_topic: str | None
                     ) -> list[dict[str, str]]:
    grants = _grants(consumers, "TOPIC", topic, CONSUMER_TOPIC_OPERATIONS)
    grants += _grants(consumers, "GROUP", group, CONSUMER_GROUP_OPERATIONS)
    if dlq_topic is not None:
        grants += _grants(consumers, "TOPIC", dlq_topic, DLQ_WRITER_OPERATIONS)
    return grants


def _unique(acls: list[dict[str, str]]) -> list[dict[str, str]]:
    """ACLs in plan order without duplicates (a principal may produce to and consume from one topic)."""
    seen: set[tuple[str, ...]] = set()
    out = []
    for acl in acls:
        key = tuple(acl.values())
        if key not in seen:
            seen.add(key)
            out.append(acl)
    return out

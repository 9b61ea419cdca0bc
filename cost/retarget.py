"""The same topology on another backend, or at another message rate: inputs of compare and chart.

Retargeting keeps every queue, topic, subscription, producer, consumer and volume and only
changes where they run. A self-hosted target reuses the spec's first broker of that engine, or
a 3-node AWS cluster sized by ``queuekit.sizing`` (disk: the retained bytes × copies per node,
at least 100 GiB; Kafka retains 7 days unless the queue says otherwise).
"""

from __future__ import annotations

import math
from dataclasses import replace

from queuekit import sizing
from queuekit.model import SECONDS_PER_HOUR, Broker, Queue, Source, Spec, Topic, Volume

GiB = 1024**3
MIN_DISK = 100 * GiB
KAFKA_DEFAULT_RETENTION = 7 * 86400
REGIONS = {"sqs": "us-east-1", "pubsub": "us-central1"}


def _flows(spec: Spec) -> list[tuple[Volume, int]]:
    return [(q.volume, 1) for q in spec.queues] + [(t.volume, max(1, len(t.subscriptions))) for t in spec.topics]


def load(spec: Spec, hours: float) -> sizing.Load:
    """Peak traffic through one cluster carrying the whole spec (publishes plus fan-out deliveries)."""
    msgs = sum(v.peak_per_second(hours) * (1 + readers) for v, readers in _flows(spec))
    data = sum(v.peak_per_second(hours) * v.message_size * (1 + readers) for v, readers in _flows(spec))
    return sizing.Load(msgs, data)


def synthetic_broker(spec: Spec, engine: str, hours: float) -> Broker:
    nodes, copies = 3, 3
    retained = 0.0
    if engine == "kafka":
        items: list[Queue | Topic] = [*spec.queues, *spec.topics]
        for item in items:
            v = item.volume
            retention = item.retention or KAFKA_DEFAULT_RETENTION
            retained += v.average_per_second(hours) * v.message_size * retention
    disk = max(MIN_DISK, math.ceil(retained * copies / nodes / GiB) * GiB)
    return Broker(
        name=f"{engine}-compare", engine=engine, cloud="aws", region="us-east-1", nodes=nodes,  # type: ignore[arg-type]
        instance_type=sizing.auto_instance_type(engine, "aws", load(spec, hours), nodes, copies),
        instance_type_auto=True, disk_bytes=disk, zones=(), allowed_cidrs=(), version=None, tls=True, tags={},
        source=Source("<compare>", 0, 0),
    )


def _broker_for(spec: Spec, engine: str, hours: float) -> Broker:
    for broker in spec.brokers.values():
        if broker.engine == engine:
            if broker.instance_type_auto:
                copies = 3 if broker.nodes >= 3 else broker.nodes
                kind = sizing.auto_instance_type(engine, broker.cloud, load(spec, hours), broker.nodes, copies)
                return replace(broker, instance_type=kind)
            return broker
    return synthetic_broker(spec, engine, hours)


def retarget(spec: Spec, backend: str, hours: float = 730.0) -> Spec:
    """``spec`` with every queue and topic moved to ``backend``."""
    broker = _broker_for(spec, backend, hours) if backend in ("rabbitmq", "kafka") else None
    name = broker.name if broker else None
    replication = min(3, broker.nodes) if broker and backend == "kafka" else None
    region = REGIONS.get(backend)

    def partitions(v: Volume, consumers: int) -> int | None:
        if backend != "kafka":
            return None
        return sizing.kafka_partitions(v.peak_per_second(hours) * v.message_size, consumers)

    queues = tuple(replace(
        q, backend=backend, broker=name, region=region, fifo=q.fifo and backend == "sqs",
        high_throughput_fifo=q.high_throughput_fifo and backend == "sqs",
        partitions=partitions(q.volume, len(q.consumers)), replication=replication,
        min_insync_replicas=max(1, replication - 1) if replication else None,
    ) for q in spec.queues)
    topics = tuple(replace(
        t, backend=backend, broker=name, region=region, fifo=t.fifo and backend == "sqs",
        partitions=partitions(t.volume, max((len(s.consumers) for s in t.subscriptions), default=1)),
        replication=replication, min_insync_replicas=max(1, replication - 1) if replication else None,
    ) for t in spec.topics)
    brokers = {broker.name: broker} if broker else {}
    return replace(spec, queues=queues, topics=topics, brokers=brokers)  # type: ignore[arg-type]


def total_rate(spec: Spec, hours: float) -> float:
    """Average published messages per second over the whole spec."""
    return sum(v.average_per_second(hours) for v, _ in _flows(spec))


def scaled(spec: Spec, rate: float, hours: float = 730.0) -> Spec:
    """``spec`` with its published traffic scaled to ``rate`` messages/s, keeping each item's share.

    Items without declared volume share equally when nothing is declared. Peaks keep their ratio
    to the average.
    """
    flows = [*spec.queues, *spec.topics]
    current = total_rate(spec, hours)
    seconds = hours * SECONDS_PER_HOUR

    def volume(v: Volume) -> Volume:
        share = v.average_per_second(hours) / current if current else 1 / max(len(flows), 1)
        avg = rate * share
        peak = None
        if v.peak_messages_per_second is not None and v.average_per_second(hours):
            peak = v.peak_messages_per_second * avg / v.average_per_second(hours)
        return replace(v, messages_per_month=avg * seconds, messages_per_second=None, peak_messages_per_second=peak,
                       declared=True)

    return replace(spec, queues=tuple(replace(q, volume=volume(q.volume)) for q in spec.queues),
                   topics=tuple(replace(t, volume=volume(t.volume)) for t in spec.topics))

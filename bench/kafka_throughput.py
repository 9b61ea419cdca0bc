"""Benchmark: produce/consume throughput of a queuekit-generated Kafka topic next to a raw single-partition topic.

Both run in the same process against the same broker(s) with the same client settings, so the ratio isolates
what the generated topic layout (sized partitions, replication, min.insync.replicas) costs or gains. The
generated topic comes from a spec queue declaring ``peak_messages_per_second`` (default 100,000 msg/s — the
seed article's claim for Kafka) × ``message_size``, applied with ``queuekit.local.kafka.up``; the baseline is
a bare ``bench-raw`` topic with one partition and replication 1.

The producer is what the durability defaults expect of applications: ``acks=all`` and idempotence, batched
(``linger.ms=5``). Consumers read from the earliest offset with a fresh group until they saw every record.

    python bench/kafka_throughput.py [--messages 200000] [--size 200] [--nodes 1|3] [--peak 100000] [--rounds 2]

Starts its own brokers from ``.cache/kafka/libs`` (``bash .ci/kafka-jars.sh``). Not run by the tests.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from confluent_kafka import Consumer, Producer  # noqa: E402
from confluent_kafka.admin import AdminClient, NewTopic  # noqa: E402
from support.kafka_cluster import KafkaCluster  # noqa: E402
from support.runtime import stop_cleanly_on_sigterm  # noqa: E402

from queuekit.local import kafka as local_kafka  # noqa: E402
from queuekit.spec import load_bytes  # noqa: E402

PRODUCER = {"acks": "all", "enable.idempotence": True, "linger.ms": 5, "batch.size": 262144,
            "queue.buffering.max.messages": 500000, "compression.type": "none"}


def spec_yaml(nodes: int, peak: int, size: int) -> bytes:
    return f"""
version: 1
project: bench
environment: dev
brokers:
  bench: {{engine: kafka, cloud: aws, region: us-east-1, nodes: {nodes}, disk: 100GiB,
           allowed_cidrs: [10.0.0.0/16]}}
queues:
  - name: bench-generated
    backend: kafka
    broker: bench
    producers: [bench-producer]
    consumers: [bench-consumer]
    volume: {{messages_per_second: {peak // 10}, peak_messages_per_second: {peak}, message_size: {size}B}}
""".encode()


def produce(config: dict[str, Any], topic: str, messages: int, size: int) -> float:
    """Records per second from the first produce() until the last acknowledgement."""
    producer = Producer({**config, **PRODUCER})
    payload = os.urandom(size)
    errors: list[str] = []

    def report(err: Any, _msg: Any) -> None:
        if err is not None:
            errors.append(str(err))

    start = time.perf_counter()
    for i in range(messages):
        while True:
            try:
                producer.produce(topic, payload, key=str(i % 1024).encode(), on_delivery=report)
                break
            except BufferError:
                producer.poll(0.01)
        if i % 1000 == 0:
            producer.poll(0)
    if producer.flush(120) != 0 or errors:
        raise RuntimeError(f"{topic}: {len(errors)} failed deliveries, e.g. {errors[:1]}")
    return messages / (time.perf_counter() - start)


def consume(config: dict[str, Any], topic: str, messages: int) -> float:
    """Records per second from the first record received until the last one."""
    consumer = Consumer({**config, "group.id": f"bench-{topic}-{time.time_ns()}", "auto.offset.reset": "earliest",
                         "enable.auto.commit": False, "fetch.min.bytes": 65536})
    consumer.subscribe([topic])
    seen, start = 0, None
    deadline = time.monotonic() + 180
    try:
        while seen < messages and time.monotonic() < deadline:
            batch = consumer.consume(10000, timeout=1.0)
            if batch and start is None:
                start = time.perf_counter()
            seen += sum(1 for m in batch if m.error() is None)
    finally:
        consumer.close()
    if seen < messages or start is None:
        raise RuntimeError(f"{topic}: consumed {seen} of {messages}")
    return messages / max(time.perf_counter() - start, 1e-9)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--messages", type=int, default=200_000)
    ap.add_argument("--size", type=int, default=200, help="payload bytes")
    ap.add_argument("--nodes", type=int, choices=(1, 3), default=1)
    ap.add_argument("--peak", type=int, default=100_000, help="declared peak msg/s of the generated topic")
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    stop_cleanly_on_sigterm()

    with KafkaCluster(args.nodes, heap="1g") as cluster, tempfile.TemporaryDirectory() as state:
        os.environ.update({"QUEUEKIT_KAFKA_USERNAME": "admin", "QUEUEKIT_KAFKA_PASSWORD": cluster.admin_password,
                           "QUEUEKIT_STATE_DIR": state})
        spec = load_bytes(spec_yaml(args.nodes, args.peak, args.size), "bench.yaml")
        local_kafka.up(spec, cluster.bootstrap)
        q = spec.queues[0]
        admin = AdminClient(cluster.client_config())
        for f in admin.create_topics([NewTopic("bench-raw", num_partitions=1, replication_factor=1)]).values():
            f.result(timeout=30)
        config = cluster.client_config()

        print(f"kafka {args.nodes} node(s), {args.messages:,} records x {args.size} B, acks=all + idempotence")
        layouts = (
            ("raw baseline", "bench-raw", "1 partition, replication 1"),
            ("generated", "bench-generated",
             f"{q.partitions} partitions, replication {q.replication}, min.insync {q.min_insync_replicas}"),
        )
        # Alternate the two topics for several rounds and keep each one's best round, so JVM warm-up and page
        # cache effects do not favour whichever topic runs last.
        best: dict[str, tuple[float, float]] = {}
        for _round in range(args.rounds):
            for _label, topic, _layout in layouts:
                p = produce(config, topic, args.messages, args.size)
                c = consume(config, topic, args.messages)
                old = best.get(topic, (0.0, 0.0))
                best[topic] = (max(old[0], p), max(old[1], c))
        for label, topic, layout in layouts:
            p, c = best[topic]
            print(f"  {label:<13} {layout:<48} produce {p:>10,.0f} msg/s   consume {c:>10,.0f} msg/s")
        (p0, c0), (p1, c1) = best["bench-raw"], best["bench-generated"]
        print(f"  ratio generated/raw: produce {p1 / p0:.2f}x, consume {c1 / c0:.2f}x (best of {args.rounds} rounds)")
        claim = 100_000
        print(f"  seed article claims {claim:,} msg/s: this machine produced {p1:,.0f} msg/s on the generated topic "
              f"({'meets' if p1 >= claim else 'below'} the claim)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

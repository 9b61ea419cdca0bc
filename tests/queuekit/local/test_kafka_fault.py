"""Fault test: the plan's durability defaults keep every acknowledged message when a broker dies mid-run.

Three KRaft combined nodes, a queue planned with replication 3 and min.insync.replicas 2, a producer with
``acks=all`` and idempotence under load. Once a quarter of the records are acknowledged we SIGKILL the broker
leading partition 0 (a crash, not a shutdown). Then every acknowledged record must be consumable exactly once
from the surviving brokers, and — because two in-sync replicas remain — every record must still be acknowledged.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient
from support.kafka_cluster import KafkaCluster
from support.kafka_specs import kafka_spec

from queuekit.local import kafka as local_kafka

pytestmark = [pytest.mark.broker, pytest.mark.slow]

RECORDS = 20_000
PRODUCE_BUDGET_S = 30.0
CONSUME_BUDGET_S = 60.0
MAX_IN_FLIGHT = 2_000


def test_no_acknowledged_message_is_lost_when_a_broker_dies(
        kafka_cluster3: KafkaCluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUEUEKIT_KAFKA_USERNAME", "admin")
    monkeypatch.setenv("QUEUEKIT_KAFKA_PASSWORD", kafka_cluster3.admin_password)
    monkeypatch.setenv("QUEUEKIT_STATE_DIR", str(tmp_path))
    spec = kafka_spec(nodes=3)
    local_kafka.up(spec, kafka_cluster3.bootstrap)
    queue = spec.queues[0]
    assert (queue.replication, queue.min_insync_replicas, queue.partitions) == (3, 2, 3)

    metadata = AdminClient(kafka_cluster3.client_config()).list_topics(timeout=10)
    victim = metadata.topics["orders"].partitions[0].leader

    acked: list[int] = []
    failed: list[str] = []

    def on_delivery(err: object, msg: object) -> None:
        if err is None:
            acked.append(int(msg.value()))  # type: ignore[attr-defined]
        else:
            failed.append(str(err))

    producer = Producer(kafka_cluster3.client_config(**{
        "acks": "all", "enable.idempotence": True, "linger.ms": 5, "delivery.timeout.ms": 25000,
    }))
    killed_at = None
    deadline = time.monotonic() + PRODUCE_BUDGET_S
    for i in range(RECORDS):
        while True:
            try:
                producer.produce("orders", str(i).encode(), key=str(i).encode(), on_delivery=on_delivery)
                break
            except BufferError:
                producer.poll(0.05)
        # Keep at most MAX_IN_FLIGHT records unacknowledged, so the kill lands between acknowledged records
        # and records still in flight, not before the first acknowledgement.
        while i + 1 - len(acked) - len(failed) > MAX_IN_FLIGHT and time.monotonic() < deadline:
            producer.poll(0.01)
        producer.poll(0)
        if killed_at is None and len(acked) >= RECORDS // 4:
            kafka_cluster3.kill(victim)
            killed_at = len(acked)
        assert time.monotonic() < deadline, f"producing took longer than {PRODUCE_BUDGET_S}s"
    assert producer.flush(max(1.0, deadline - time.monotonic())) == 0, "records still unacknowledged at the deadline"

    assert failed == []
    assert len(acked) == RECORDS
    assert killed_at is not None and RECORDS // 4 <= killed_at < RECORDS // 4 + MAX_IN_FLIGHT

    consumer = Consumer(kafka_cluster3.client_config(**{
        "group.id": "fault-test-reader", "auto.offset.reset": "earliest", "enable.auto.commit": False,
    }))
    consumer.subscribe(["orders"])
    seen: list[int] = []
    deadline = time.monotonic() + CONSUME_BUDGET_S
    try:
        while len(seen) < RECORDS and time.monotonic() < deadline:
            for msg in consumer.consume(1000, timeout=1.0):
                if msg.error() is None:
                    seen.append(int(msg.value()))
    finally:
        consumer.close()

    assert set(acked) - set(seen) == set(), "acknowledged records are missing"
    assert len(seen) == len(set(seen)) == RECORDS  # idempotence: no duplicates from retries

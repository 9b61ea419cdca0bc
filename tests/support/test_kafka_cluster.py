"""The Kafka fixture is a real, secured broker: produce and consume as admin; strangers are refused."""

from __future__ import annotations

import os
import time

import pytest
from confluent_kafka import Consumer, KafkaError, KafkaException, Producer
from confluent_kafka.admin import AdminClient, NewTopic

from support.kafka_cluster import KafkaCluster, refusal

pytestmark = pytest.mark.broker


def consume(config: dict[str, object], topic: str, count: int, timeout: float = 30.0) -> list[bytes]:
    consumer = Consumer({**config, "auto.offset.reset": "earliest", "enable.auto.commit": False})
    consumer.subscribe([topic])
    got: list[bytes] = []
    deadline = time.monotonic() + timeout
    try:
        while len(got) < count and time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is None:
                continue
            if msg.error():
                raise KafkaException(msg.error())
            got.append(msg.value())
    finally:
        consumer.close()
    return got


def test_admin_produces_and_consumes(kafka_cluster: KafkaCluster) -> None:
    admin = AdminClient(kafka_cluster.client_config())
    for future in admin.create_topics([NewTopic("fixture-proof", num_partitions=3, replication_factor=1)]).values():
        future.result(timeout=30)
    producer = Producer(kafka_cluster.client_config(**{"acks": "all", "enable.idempotence": True}))
    for i in range(5):
        producer.produce("fixture-proof", f"hello-{i}".encode(), key=str(i).encode())
    assert producer.flush(30) == 0

    got = consume(kafka_cluster.client_config(**{"group.id": "fixture-proof"}), "fixture-proof", 5)

    assert sorted(got) == [f"hello-{i}".encode() for i in range(5)]


def test_wrong_password_is_refused(kafka_cluster: KafkaCluster) -> None:
    error = refusal(kafka_cluster.client_config(password="not-the-password"))
    assert error.code() == KafkaError._AUTHENTICATION
    assert "invalid credentials with SASL mechanism SCRAM-SHA-512" in error.str()


def test_topics_are_not_auto_created(kafka_cluster: KafkaCluster) -> None:
    producer = Producer(kafka_cluster.client_config(**{"message.timeout.ms": 3000}))
    errors: list[str] = []
    producer.produce("never-declared", b"x", on_delivery=lambda err, _msg: errors.append(err.name() if err else "ok"))
    producer.flush(10)
    assert errors == ["_MSG_TIMED_OUT"]
    assert "never-declared" not in AdminClient(kafka_cluster.client_config()).list_topics(timeout=10).topics


def test_stop_leaves_no_jvm() -> None:
    from support.kafka_fixtures import _require_kafka

    _require_kafka()
    cluster = KafkaCluster(1).start()
    pids = cluster.pids()
    assert len(pids) == 1
    cluster.stop()
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)

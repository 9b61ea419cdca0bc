"""The RabbitMQ fixture is a real broker: publish and consume through it with pika."""

from __future__ import annotations

import pika
import pytest

from support.rabbitmq_cluster import ADMIN_USER, RabbitCluster, listening_sockets

pytestmark = pytest.mark.broker


def connect(node: RabbitCluster, index: int = 0) -> pika.BlockingConnection:
    return pika.BlockingConnection(pika.ConnectionParameters(
        host="127.0.0.1", port=node.nodes[index].amqp_port,
        credentials=pika.PlainCredentials(ADMIN_USER, node.password)))


def test_publish_and_consume_round_trip(rabbitmq_node: RabbitCluster) -> None:
    conn = connect(rabbitmq_node)
    try:
        ch = conn.channel()
        ch.confirm_delivery()
        ch.queue_declare("fixture-proof", durable=True, arguments={"x-queue-type": "quorum"})
        for i in range(3):
            ch.basic_publish("", "fixture-proof", f"hello-{i}".encode(),
                             pika.BasicProperties(delivery_mode=2), mandatory=True)
        got = []
        for _ in range(3):
            method, _props, body = ch.basic_get("fixture-proof")
            assert method is not None
            ch.basic_ack(method.delivery_tag)
            got.append(body)
        assert got == [b"hello-0", b"hello-1", b"hello-2"]
        assert ch.basic_get("fixture-proof") == (None, None, None)
        ch.queue_delete("fixture-proof")
    finally:
        conn.close()


def test_node_listens_only_on_loopback_with_its_own_name(rabbitmq_node: RabbitCluster) -> None:
    overview = rabbitmq_node.api("GET", "/api/overview")
    assert isinstance(overview, dict)
    assert overview["node"] == "qk1@localhost"
    node = rabbitmq_node.nodes[0]
    assert listening_sockets(rabbitmq_node.vm_pid(0)) == {
        ("127.0.0.1", node.amqp_port), ("127.0.0.1", node.dist_port), ("127.0.0.1", node.management_port)}

"""Real brokers serve the certificates of the cluster's certificate tool (``components.node_tls``).

RabbitMQ 3.10 on Erlang/OTP 25 and Kafka 4.1 on Java 17 (what Debian 12 nodes run) are started with the
listener settings of ``components.rabbitmq_boot`` / ``components.kafka_boot`` and a node certificate the
tool issued for ``localhost`` / ``127.0.0.1``; clients trust only the tool's ``ca.pem``, with hostname
verification on, over TLS 1.2 and 1.3. A client trusting another seed's CA (same CA name, other key) is
refused. (With the earlier Ed25519 CA, Erlang/OTP 25 aborted every TLS 1.2 handshake with
``no_suitable_signature_algorithm``.)
"""

from __future__ import annotations

import socket
import ssl
import time
from pathlib import Path

import pika
import pytest
from confluent_kafka import Consumer, KafkaError, Producer
from confluent_kafka.admin import AdminClient, NewTopic
from support.kafka_cluster import KafkaCluster, refusal
from support.node_certs import issue
from support.rabbitmq_cluster import ADMIN_USER, RabbitCluster, listening_sockets
from support.runtime import LOOPBACK

pytestmark = pytest.mark.broker

VERSIONS = pytest.mark.parametrize("version", [ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3],
                                   ids=["tls1.2", "tls1.3"])


@pytest.fixture(scope="module")
def other_ca(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``ca.pem`` of another cluster: another CA seed, the same CA name (``shop-prod-jobs``)."""
    return issue(tmp_path_factory.mktemp("other") / "tls", "another-seed", "localhost", LOOPBACK) / "ca.pem"


def context(ca: Path, version: ssl.TLSVersion | None = None) -> ssl.SSLContext:
    """A client context trusting only ``ca`` (hostname verification on), pinned to ``version`` if given."""
    ctx = ssl.create_default_context(cafile=str(ca))
    if version is not None:
        ctx.minimum_version = ctx.maximum_version = version
    return ctx


def handshake(port: int, ctx: ssl.SSLContext, server_name: str) -> tuple[str | None, dict]:
    """TLS handshake with 127.0.0.1:``port`` as ``server_name``: (negotiated version, peer certificate)."""
    with socket.create_connection((LOOPBACK, port), timeout=10) as raw, \
            ctx.wrap_socket(raw, server_hostname=server_name) as tls:
        return tls.version(), tls.getpeercert()


# ------------------------------------------------------------------------------------------- RabbitMQ


@VERSIONS
@pytest.mark.parametrize("server_name", ["localhost", "127.0.0.1"])
def test_rabbitmq_amqps_and_https_handshake(rabbitmq_tls_node: RabbitCluster, version: ssl.TLSVersion,
                                            server_name: str) -> None:
    node = rabbitmq_tls_node.nodes[0]
    want = "TLSv1.2" if version is ssl.TLSVersion.TLSv1_2 else "TLSv1.3"
    for port in (node.amqp_port, node.management_port):
        got, cert = handshake(port, context(rabbitmq_tls_node.tls / "ca.pem", version), server_name)
        assert got == want
        assert cert["subject"] == ((("commonName", "localhost"),),)
        assert cert["subjectAltName"] == (("DNS", "localhost"), ("IP Address", "127.0.0.1"))


def test_rabbitmq_listens_with_tls_only(rabbitmq_tls_node: RabbitCluster) -> None:
    node = rabbitmq_tls_node.nodes[0]
    overview = rabbitmq_tls_node.api("GET", "/api/overview")  # over HTTPS, trusting ca.pem
    assert isinstance(overview, dict)
    assert sorted((x["protocol"], x["port"]) for x in overview["listeners"]) == sorted(
        [("amqp/ssl", node.amqp_port), ("clustering", node.dist_port), ("https", node.management_port)])
    assert listening_sockets(rabbitmq_tls_node.vm_pid(0)) == {
        (LOOPBACK, node.amqp_port), (LOOPBACK, node.dist_port), (LOOPBACK, node.management_port)}


@VERSIONS
def test_rabbitmq_publish_and_consume_over_amqps(rabbitmq_tls_node: RabbitCluster, version: ssl.TLSVersion) -> None:
    queue = f"tls-proof-{version.name}"
    conn = pika.BlockingConnection(pika.ConnectionParameters(
        host=LOOPBACK, port=rabbitmq_tls_node.nodes[0].amqp_port,
        ssl_options=pika.SSLOptions(context(rabbitmq_tls_node.tls / "ca.pem", version), "localhost"),
        credentials=pika.PlainCredentials(ADMIN_USER, rabbitmq_tls_node.password)))
    try:
        ch = conn.channel()
        ch.confirm_delivery()
        ch.queue_declare(queue, durable=True, arguments={"x-queue-type": "quorum"})
        ch.basic_publish("", queue, b"over tls", pika.BasicProperties(delivery_mode=2), mandatory=True)
        method, _props, body = ch.basic_get(queue, auto_ack=True)
        assert method is not None and body == b"over tls"
        ch.queue_delete(queue)
    finally:
        conn.close()


def test_rabbitmq_refuses_a_client_trusting_another_ca(rabbitmq_tls_node: RabbitCluster, other_ca: Path) -> None:
    node = rabbitmq_tls_node.nodes[0]
    with pytest.raises(ssl.SSLCertVerificationError) as raised:
        handshake(node.amqp_port, context(other_ca), "localhost")
    assert raised.value.verify_message == "certificate signature failure"
    with pytest.raises(ssl.SSLCertVerificationError, match="certificate signature failure"):  # pika re-raises it
        pika.BlockingConnection(pika.ConnectionParameters(
            host=LOOPBACK, port=node.amqp_port, ssl_options=pika.SSLOptions(context(other_ca), "localhost"),
            credentials=pika.PlainCredentials(ADMIN_USER, rabbitmq_tls_node.password), connection_attempts=1))


# ---------------------------------------------------------------------------------------------- Kafka


def test_kafka_sasl_ssl_handshake(kafka_tls_cluster: KafkaCluster) -> None:
    version, cert = handshake(kafka_tls_cluster.nodes[0].broker_port, context(kafka_tls_cluster.tls / "ca.pem"),
                              "127.0.0.1")
    assert version == "TLSv1.3"
    assert cert["subjectAltName"] == (("DNS", "localhost"), ("IP Address", "127.0.0.1"))


def test_kafka_produce_and_consume_over_sasl_ssl(kafka_tls_cluster: KafkaCluster) -> None:
    config = kafka_tls_cluster.client_config()
    assert (config["security.protocol"], config["ssl.ca.location"]) == (
        "SASL_SSL", str(kafka_tls_cluster.tls / "ca.pem"))
    admin = AdminClient(config)
    admin.create_topics([NewTopic("tls-proof", num_partitions=1, replication_factor=1)])["tls-proof"].result(30)
    producer = Producer({**config, "acks": "all"})
    producer.produce("tls-proof", b"over tls", key=b"k")
    assert producer.flush(30) == 0
    consumer = Consumer({**config, "group.id": "tls-proof", "auto.offset.reset": "earliest"})
    consumer.subscribe(["tls-proof"])
    got = None
    deadline = time.monotonic() + 30
    try:
        while got is None and time.monotonic() < deadline:
            got = consumer.poll(0.5)
    finally:
        consumer.close()
    assert got is not None and got.error() is None
    assert (got.key(), got.value()) == (b"k", b"over tls")


def test_kafka_refuses_a_client_trusting_another_ca(kafka_tls_cluster: KafkaCluster, other_ca: Path) -> None:
    error = refusal(kafka_tls_cluster.client_config(**{"ssl.ca.location": str(other_ca)}))
    assert error.code() == KafkaError._SSL
    assert "certificate verify failed" in error.str()

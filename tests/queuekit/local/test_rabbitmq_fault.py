"""Zero loss through a node failure: a 3-node cluster, the generated quorum topology, one node killed.

A producer (the spec's ``api`` user, publisher confirms) publishes through node 3 while the
queue's leader, node 1, is killed hard (SIGKILL) mid-run. Afterwards the consumer (``mailer``)
drains the queue through node 2: every message the broker confirmed must be there. Messages
whose confirm never arrived may or may not be (the producer would retry them), so they are
counted but not required. Bounded: at most ``TOTAL`` messages or ``DEADLINE`` seconds.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pika
import pika.exceptions
import pytest
from rabbitmq_factory import rabbit_spec
from support.rabbitmq_cluster import RabbitCluster

from queuekit.local import rabbitmq as local
from queuekit.local.rabbitmq_secrets import credentials_file, read_passwords

pytestmark = [pytest.mark.broker, pytest.mark.slow]

TOTAL = 6000
KILL_AFTER = 2000
DEADLINE = 60.0
VHOST = "fault"
QUEUE = "email-send"


def connect(cluster: RabbitCluster, index: int, user: str, password: str) -> pika.BlockingConnection:
    return pika.BlockingConnection(pika.ConnectionParameters(
        "127.0.0.1", cluster.nodes[index].amqp_port, VHOST, pika.PlainCredentials(user, password),
        connection_attempts=3, retry_delay=0.5, heartbeat=10))


def leader(cluster: RabbitCluster, queue: str, via: int = 0) -> str:
    rows = json.loads(cluster.ctl("list_queues", "-p", VHOST, "name", "leader", "--formatter", "json", index=via))
    return next(r["leader"] for r in rows if r["name"] == queue)


def test_confirmed_messages_survive_killing_the_leader(
        rabbitmq_cluster3: RabbitCluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cluster = rabbitmq_cluster3
    monkeypatch.setenv("QUEUEKIT_STATE_DIR", str(tmp_path))
    assert [n["name"] for n in cluster.api("GET", "/api/nodes") if n["running"]] == [  # type: ignore[union-attr]
        "qk1@localhost", "qk2@localhost", "qk3@localhost"]
    local.up(rabbit_spec(VHOST), cluster.endpoint(0))
    pw = read_passwords(credentials_file("127.0.0.1", cluster.nodes[0].amqp_port, VHOST))
    members = json.loads(cluster.ctl("list_queues", "-p", VHOST, "name", "members", "--formatter", "json"))
    assert sorted(next(r["members"] for r in members if r["name"] == QUEUE)) == [n.name for n in cluster.nodes]
    victim = next(n.index for n in cluster.nodes if n.name == leader(cluster, QUEUE))

    confirmed: list[int] = []
    unconfirmed: list[int] = []
    killed_at = None
    publish_via = [i for i in (2, 1, 0) if i != victim]
    conn = connect(cluster, publish_via[0], "api", pw["api"])
    ch = conn.channel()
    ch.confirm_delivery()
    start = time.monotonic()
    seq = 0
    while seq < TOTAL and time.monotonic() - start < DEADLINE:
        if killed_at is None and len(confirmed) >= KILL_AFTER:
            cluster.kill(victim)
            killed_at = seq
        try:
            ch.basic_publish(QUEUE, "", str(seq).encode(), pika.BasicProperties(delivery_mode=2), mandatory=True)
            confirmed.append(seq)
        except (pika.exceptions.NackError, pika.exceptions.UnroutableError):
            unconfirmed.append(seq)
        except pika.exceptions.AMQPError:
            unconfirmed.append(seq)  # the connection died with this message in flight: reconnect elsewhere
            publish_via = publish_via[1:] + publish_via[:1]
            conn = connect(cluster, publish_via[0], "api", pw["api"])
            ch = conn.channel()
            ch.confirm_delivery()
        seq += 1
    if conn.is_open:
        conn.close()
    assert killed_at is not None, f"only {len(confirmed)} confirms before the deadline"
    assert not cluster.running(victim)
    assert len(confirmed) >= KILL_AFTER + 1000, f"few confirms after the kill: {len(confirmed)}"
    new_leader = leader(cluster, QUEUE, via=publish_via[0])
    assert new_leader != cluster.nodes[victim].name

    consumed: list[int] = []
    survivor = next(i for i in (1, 2, 0) if i != victim)
    conn = connect(cluster, survivor, "mailer", pw["mailer"])
    ch = conn.channel()
    ch.basic_qos(prefetch_count=500)
    for method, _props, body in ch.consume(QUEUE, inactivity_timeout=3):
        if method is None:
            break
        consumed.append(int(body))
        ch.basic_ack(method.delivery_tag, multiple=True)
    ch.cancel()
    conn.close()

    lost = sorted(set(confirmed) - set(consumed))
    print(f"published {seq} ({len(confirmed)} confirmed, {len(unconfirmed)} unconfirmed), killed "
          f"{cluster.nodes[victim].name} (leader) after {killed_at}, new leader {new_leader}; consumed "
          f"{len(consumed)} ({len(consumed) - len(set(consumed))} duplicates) in {time.monotonic() - start:.1f}s")
    assert lost == []
    assert set(consumed) <= set(range(seq))

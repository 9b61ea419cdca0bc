"""The Kafka topic/ACL plan: exact topics, configs, DLQ topics, consumer groups and least-privilege ACLs."""

from __future__ import annotations

import json

import pytest
from factories import load
from support.kafka_specs import kafka_spec, kafka_spec_dict

from queuekit.topology.kafka import DLQ_HEADER_ALLOWANCE, plan


def acl(principal: str, rtype: str, name: str, op: str) -> dict[str, str]:
    return {"principal": f"User:{principal}", "resource_type": rtype, "resource_name": name,
            "pattern_type": "LITERAL", "operation": op, "permission": "ALLOW", "host": "*"}


def test_queue_topic_has_sized_partitions_and_durable_configs() -> None:
    p = plan(kafka_spec(nodes=3), "events")
    # 12,000 msg/s x 1 KiB = 11.7 MiB/s -> ceil(/5 MiB/s) = 3 partitions (more than the 2 pollers)
    assert p["topics"][0] == {
        "name": "orders", "kind": "queue", "partitions": 3, "replication": 3,
        "configs": {"min.insync.replicas": "2", "unclean.leader.election.enable": "false",
                    "retention.ms": str(2 * 86400 * 1000), "max.message.bytes": str(256 * 1024)},
    }


def test_dlq_topic_per_queue_and_subscription_with_dead_lettering() -> None:
    p = plan(kafka_spec(nodes=3), "events")
    dlqs = {t["name"]: t for t in p["topics"] if t["kind"] == "dlq"}
    assert sorted(dlqs) == ["events-billing.dlq", "orders.dlq"]  # audit has dead_letter: none
    assert dlqs["orders.dlq"] == {
        "name": "orders.dlq", "kind": "dlq", "partitions": 1, "replication": 3, "source": "orders",
        "configs": {"min.insync.replicas": "2", "unclean.leader.election.enable": "false",
                    "retention.ms": str(14 * 86400 * 1000), "max.message.bytes": str(256 * 1024 + DLQ_HEADER_ALLOWANCE)},
    }


def test_single_node_broker_gets_replication_one_and_min_isr_one() -> None:
    topics = plan(kafka_spec(nodes=1), "events")["topics"]
    assert {(t["replication"], t["configs"]["min.insync.replicas"]) for t in topics} == {(1, "1")}


def test_two_node_broker_keeps_min_isr_at_least_one() -> None:
    topics = plan(kafka_spec(nodes=2), "events")["topics"]
    assert {(t["replication"], t["configs"]["min.insync.replicas"]) for t in topics} == {(2, "1")}


def test_one_consumer_group_per_queue_and_subscription() -> None:
    assert plan(kafka_spec(), "events")["consumer_groups"] == [
        {"group": "orders", "topic": "orders", "dlq_topic": "orders.dlq", "max_deliveries": 5, "consumers": ["packer"]},
        {"group": "events-billing", "topic": "events", "dlq_topic": "events-billing.dlq", "max_deliveries": 3,
         "consumers": ["biller"]},
        {"group": "events-audit", "topic": "events", "dlq_topic": None, "max_deliveries": None,
         "consumers": ["auditor"]},
    ]


def test_acls_are_least_privilege() -> None:
    p = plan(kafka_spec(), "events")
    assert p["acls"] == [
        acl("shop", "TOPIC", "orders", "DESCRIBE"), acl("shop", "TOPIC", "orders", "WRITE"),
        acl("packer", "TOPIC", "orders", "DESCRIBE"), acl("packer", "TOPIC", "orders", "READ"),
        acl("packer", "GROUP", "orders", "READ"),
        acl("packer", "TOPIC", "orders.dlq", "DESCRIBE"), acl("packer", "TOPIC", "orders.dlq", "WRITE"),
        acl("shop", "TOPIC", "events", "DESCRIBE"), acl("shop", "TOPIC", "events", "WRITE"),
        acl("biller", "TOPIC", "events", "DESCRIBE"), acl("biller", "TOPIC", "events", "READ"),
        acl("biller", "GROUP", "events-billing", "READ"),
        acl("biller", "TOPIC", "events-billing.dlq", "DESCRIBE"), acl("biller", "TOPIC", "events-billing.dlq", "WRITE"),
        acl("auditor", "TOPIC", "events", "DESCRIBE"), acl("auditor", "TOPIC", "events", "READ"),
        acl("auditor", "GROUP", "events-audit", "READ"),
    ]
    assert p["users"] == ["auditor", "biller", "packer", "shop"]
    # nobody but the admin may create, delete, alter or read the DLQs
    assert {a["operation"] for a in p["acls"]} == {"DESCRIBE", "WRITE", "READ"}


def test_dead_letter_target_queue_gets_no_generated_dlq_and_the_consumer_writes_the_target() -> None:
    d = kafka_spec_dict(dead_letter={"max_receives": 4, "target": "orders-failed"})
    d["queues"].append({"name": "orders-failed", "backend": "kafka", "broker": "events", "dead_letter": "none",
                        "consumers": ["ops"]})
    p = plan(load(d), "events")
    assert [t["name"] for t in p["topics"]] == ["orders", "orders-failed", "events", "events-billing.dlq"]
    assert p["consumer_groups"][0]["dlq_topic"] == "orders-failed"
    assert acl("packer", "TOPIC", "orders-failed", "WRITE") in p["acls"]


def test_same_principal_producing_and_consuming_gets_each_acl_once() -> None:
    d = kafka_spec_dict(consumers=["shop"])
    acls = plan(load(d), "events")["acls"]
    keys = [tuple(a.values()) for a in acls]
    assert len(keys) == len(set(keys))
    assert acls.count(acl("shop", "TOPIC", "orders", "DESCRIBE")) == 1


def test_plan_is_json() -> None:
    p = plan(kafka_spec(), "events")
    assert json.loads(json.dumps(p)) == p


def test_unknown_or_non_kafka_broker_is_an_error() -> None:
    with pytest.raises(KeyError, match="no kafka broker named 'nope'"):
        plan(kafka_spec(), "nope")

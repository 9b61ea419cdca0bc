"""QK304–QK306: Kafka durability in prod, read from the topic plan the cluster applies."""

from typing import Any

import pytest
from factories import changed, spec_dict

import queuekit.topology.kafka as topology
from tests.policies.harness import model_only

KAFKA_QUEUE = "queues.3"  # clickstream on broker 'events' (3 nodes)


def test_defaults_pass_all_three() -> None:
    for rule in ("kafka-replication", "kafka-min-insync-replicas", "kafka-no-unclean-leader-election"):
        assert model_only(spec_dict(), rule) == [], rule


def test_replication_2_fails_in_prod_and_passes_in_dev() -> None:
    d = changed(f"{KAFKA_QUEUE}.replication", 2)
    d["queues"][3]["min_insync_replicas"] = 2
    assert model_only(d, "kafka-replication") == [
        "Kafka topic 'clickstream' has replication 2 (< 3) in prod: one broker loss can make it unavailable or "
        "lose data",
        "Kafka topic 'clickstream.dlq' has replication 2 (< 3) in prod: one broker loss can make it unavailable or "
        "lose data",
    ]
    d["environment"] = "dev"
    assert model_only(d, "kafka-replication") == []


def test_min_insync_1_fails() -> None:
    assert model_only(changed(f"{KAFKA_QUEUE}.min_insync_replicas", 1), "kafka-min-insync-replicas") == [
        "Kafka topic 'clickstream' has min.insync.replicas 1 (< 2): an acks=all write can be acknowledged by a "
        "single broker and lost with it",
        "Kafka topic 'clickstream.dlq' has min.insync.replicas 1 (< 2): an acks=all write can be acknowledged by "
        "a single broker and lost with it",
    ]


def test_unclean_leader_election_in_the_plan_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """queuekit never plans unclean election, so the failing case edits the plan like a hand override."""
    real = topology.plan

    def unclean(spec: Any, broker: str) -> dict[str, Any]:
        doc = real(spec, broker)
        doc["topics"][0]["configs"]["unclean.leader.election.enable"] = "true"
        return doc

    monkeypatch.setattr(topology, "plan", unclean)
    assert model_only(spec_dict(), "kafka-no-unclean-leader-election") == [
        "Kafka topic 'clickstream' enables unclean leader election: an out-of-sync replica can become leader and "
        "silently drop acknowledged messages",
    ]

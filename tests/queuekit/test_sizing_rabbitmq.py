"""``instance_type: auto`` for RabbitMQ brokers, resolved by the loader (the rule in ``queuekit/sizing.py``).

Per node: peak msg/s and bytes/s × min(3, nodes) quorum copies ÷ nodes, at most 50 % of 5,000 msg/s or
20 MiB/s per vCPU, the smallest general-purpose size that fits (≥ 2 vCPUs). min(3, nodes) is RabbitMQ's
own default quorum group size (``quorum_cluster_size`` = 3). Each case states its arithmetic.
"""

from __future__ import annotations

from typing import Any

import pytest
from rabbitmq_factory import rabbit_dict, rabbit_spec

from queuekit.sizing import Load, auto_instance_type, vcpus_needed


def broker_type(*, nodes: int = 3, cloud: str = "gcp", queue: dict[str, Any] | None = None,
                topic: dict[str, Any] | None = None) -> tuple[str, bool]:
    d = rabbit_dict()
    d["brokers"]["jobs"].update(nodes=nodes, cloud=cloud)
    if queue is not None:
        d["queues"][0]["volume"] = queue
    if topic is not None:
        d["topics"][0]["volume"] = topic
    b = rabbit_spec(d=d).brokers["jobs"]
    return b.instance_type, b.instance_type_auto


def test_no_volume_gives_the_two_vcpu_floor() -> None:
    assert broker_type() == ("n2-standard-2", True)
    assert broker_type(cloud="aws") == ("m6i.large", True)


@pytest.mark.parametrize(("cloud", "want"), [("aws", "m6i.xlarge"), ("gcp", "n2-standard-4")])
def test_message_rate_bound(cloud: str, want: str) -> None:
    # 8000 msg/s × 3 copies ÷ 3 nodes = 8000 per node; ÷ 5000 = 1.6 vCPU; ÷ 0.5 = 3.2 → 4 vCPUs
    assert broker_type(cloud=cloud, queue={"messages_per_second": 100, "peak_messages_per_second": 8000,
                                           "message_size": "1KiB"}) == (want, True)


def test_fan_out_counts_every_subscription_delivery() -> None:
    # queue 8000 + topic 1000 × (publish + 2 subscriptions) = 11000 per node; ÷ 5000 ÷ 0.5 = 4.4 → 8 vCPUs
    assert broker_type(queue={"messages_per_second": 100, "peak_messages_per_second": 8000, "message_size": "1KiB"},
                       topic={"messages_per_second": 100, "peak_messages_per_second": 1000,
                              "message_size": "1KiB"})[0] == "n2-standard-8"


def test_byte_rate_bound() -> None:
    # 200 msg/s × 256 KiB = 50 MiB/s per node; ÷ 20 MiB/s = 2.5; ÷ 0.5 = 5 → 8 vCPUs (messages alone: 0.08)
    assert broker_type(queue={"messages_per_second": 10, "peak_messages_per_second": 200,
                              "message_size": "256KiB"})[0] == "n2-standard-8"


def test_five_nodes_share_three_copies() -> None:
    # 8000 × 3 ÷ 5 = 4800 per node; ÷ 5000 ÷ 0.5 = 1.92 → 2 vCPUs
    assert broker_type(nodes=5, queue={"messages_per_second": 100, "peak_messages_per_second": 8000,
                                       "message_size": "1KiB"})[0] == "n2-standard-2"


def test_a_declared_type_is_kept() -> None:
    d = rabbit_dict()
    d["brokers"]["jobs"]["instance_type"] = "e2-standard-4"
    b = rabbit_spec(d=d).brokers["jobs"]
    assert (b.instance_type, b.instance_type_auto) == ("e2-standard-4", False)


def test_beyond_the_largest_size_takes_the_largest() -> None:
    load = Load(messages_per_second=1_000_000, bytes_per_second=0)
    assert vcpus_needed("rabbitmq", load, nodes=3, copies=3) == 400
    assert auto_instance_type("rabbitmq", "aws", load, nodes=3, copies=3) == "m6i.16xlarge"
    assert auto_instance_type("rabbitmq", "gcp", load, nodes=3, copies=3) == "n2-standard-64"

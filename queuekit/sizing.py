"""Sizing rules shared by the loader, the broker components and the cost estimate.

They live in the hub so that the instance type queuekit deploys is the one it prices, and
the partition count it renders is the one it validates. Each rule is deliberately simple,
conservative and documented in the README ("Sizing rules"):

* **Kafka partitions** = max(1, consumers, ceil(peak bytes/s ÷ 5 MiB/s)) — 5 MiB/s per
  partition is a conservative per-partition producer budget (vendors quote ~10 MB/s), and a
  consumer group cannot use more consumers than partitions.
* **Broker instance** (``instance_type: auto``): each node must carry the cluster's peak
  load times its replication copies divided by the node count, at ≤ 50 % utilisation, given
  per-vCPU capacities measured as rules of thumb: RabbitMQ quorum queues 5,000 msg/s or
  20 MiB/s per vCPU, Kafka 20,000 msg/s or 40 MiB/s per vCPU. The smallest general-purpose
  size that fits is chosen (never below 2 vCPUs).
* **Kafka broker disk** = the larger of the spec's ``disk`` and what the declared traffic retains:
  Σ over the broker's topics of average bytes/s × retention × replication ÷ brokers, divided by
  :data:`KAFKA_DISK_FILL` (0.7) — Kafka deletes whole segments only, so a partition holds up to a
  segment more than its retention, and the disk alarm fires at 80 %: steady state stays below both.
  Topics without a volume or with infinite retention add nothing (they cannot be sized).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MiB = 1024 * 1024
KAFKA_PARTITION_BYTES_PER_S = 5 * MiB
UTILISATION = 0.5
KAFKA_DISK_FILL = 0.7

# (vCPUs, memory GiB, AWS type, GCP type): general-purpose families, smallest first.
INSTANCE_SIZES: tuple[tuple[int, int, str, str], ...] = (
    (2, 8, "m6i.large", "n2-standard-2"),
    (4, 16, "m6i.xlarge", "n2-standard-4"),
    (8, 32, "m6i.2xlarge", "n2-standard-8"),
    (16, 64, "m6i.4xlarge", "n2-standard-16"),
    (32, 128, "m6i.8xlarge", "n2-standard-32"),
    (64, 256, "m6i.16xlarge", "n2-standard-64"),
)

# Per-vCPU capacity: (messages/s, bytes/s).
PER_VCPU = {"rabbitmq": (5_000, 20 * MiB), "kafka": (20_000, 40 * MiB)}


@dataclass(frozen=True)
class Load:
    """Peak traffic through one broker cluster (all queues, topics and fan-out deliveries)."""

    messages_per_second: float
    bytes_per_second: float


def kafka_partitions(peak_bytes_per_second: float, consumers: int) -> int:
    """Partitions for a Kafka topic (see the module docstring)."""
    by_throughput = math.ceil(peak_bytes_per_second / KAFKA_PARTITION_BYTES_PER_S)
    return max(1, consumers, by_throughput)


def vcpus_needed(engine: str, load: Load, nodes: int, copies: int) -> int:
    """vCPUs one node needs for ``load`` replicated ``copies`` times over ``nodes`` nodes."""
    msg_cap, byte_cap = PER_VCPU[engine]
    per_node_msgs = load.messages_per_second * copies / max(nodes, 1)
    per_node_bytes = load.bytes_per_second * copies / max(nodes, 1)
    need = max(per_node_msgs / msg_cap, per_node_bytes / byte_cap) / UTILISATION
    return max(2, math.ceil(need))


def auto_instance_type(engine: str, cloud: str, load: Load, nodes: int, copies: int) -> str:
    """The smallest instance type that carries ``load`` (the largest one if none does)."""
    need = vcpus_needed(engine, load, nodes, copies)
    for vcpus, _mem, aws_type, gcp_type in INSTANCE_SIZES:
        if vcpus >= need:
            return aws_type if cloud == "aws" else gcp_type
    return INSTANCE_SIZES[-1][2] if cloud == "aws" else INSTANCE_SIZES[-1][3]


def kafka_disk_bytes(declared: int, flows: list[tuple[float, int | None, int]], brokers: int) -> int:
    """Per-broker disk: max(``declared``, retained bytes ÷ fill); ``flows`` are (avg bytes/s, retention s,
    replication) per topic (see the module docstring)."""
    retained = sum(rate * retention * replication for rate, retention, replication in flows
                   if retention is not None and retention > 0)
    return max(declared, math.ceil(retained / max(brokers, 1) / KAFKA_DISK_FILL))

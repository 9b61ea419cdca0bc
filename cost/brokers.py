"""Self-hosted RabbitMQ and Kafka: VMs, disks, a load balancer and cross-zone traffic.

Per broker and month (``queuekit.sizing`` already chose the instance type when the spec said
``auto``, so the type priced here is the type deployed):

* instances: nodes × hours at the on-demand price of the instance type;
* disks: nodes × disk size (GiB-months), EBS gp3 on AWS, balanced PD on GCP;
* one load balancer in front of the cluster (NLB hours / forwarding-rule hours);
* cross-zone replication: every published byte is copied to each follower replica; with
  replicas spread over z zones, min(copies, z) − 1 copies cross a zone boundary. Kafka copies
  = the topic's replication factor; RabbitMQ quorum queues keep min(3, nodes) replicas,
  classic queues one;
* cross-zone client traffic: clients in one zone reach the leader in another (z − 1) / z of
  the time, for every produced and consumed byte.

AWS bills inter-AZ traffic in each direction ($0.01/GB out + $0.01/GB in); GCP bills egress
only. For Kafka this is often the largest line.
"""

from __future__ import annotations

from dataclasses import dataclass

from cost.context import Context, GiB
from cost.lines import (
    CROSS_ZONE_CLIENTS,
    CROSS_ZONE_REPLICATION,
    DISKS,
    INSTANCES,
    LOAD_BALANCER,
    CostLine,
    line,
    priced,
)
from queuekit.model import Broker, Spec

GB = 1000**3
INSTANCE_KEY = {"aws": "ec2.{}", "gcp": "gce.{}"}
DISK_KEY = {"aws": "ebs.gp3.storage", "gcp": "pd.balanced.storage"}
LB_KEY = {"aws": "nlb.hours", "gcp": "ilb.forwarding_rule_hours"}
DIRECTIONS_BILLED = {"aws": 2, "gcp": 1}


@dataclass(frozen=True)
class Traffic:
    """Bytes a month through one broker: produced, consumed, and produced × cross-zone copies."""

    produced: float
    consumed: float
    replicated: float


def zones(broker: Broker) -> int:
    return len(broker.zones) if broker.zones else min(broker.nodes, 3)


def copies(engine: str, nodes: int, replication: int | None, queue_type: str) -> int:
    if engine == "kafka":
        return replication or min(3, nodes)
    return min(3, nodes) if queue_type == "quorum" else 1


def traffic(spec: Spec, broker: Broker, ctx: Context) -> Traffic:
    queues, topics = spec.on_broker(broker.name)
    z = zones(broker)
    produced = consumed = replicated = 0.0
    flows = [(q.volume, 1, copies(broker.engine, broker.nodes, q.replication, q.queue_type)) for q in queues]
    flows += [(t.volume, len(t.subscriptions), copies(broker.engine, broker.nodes, t.replication, t.queue_type))
              for t in topics]
    for volume, readers, n in flows:
        b = ctx.messages(volume) * volume.message_size
        produced += b
        consumed += b * readers
        replicated += b * (min(n, z) - 1)
    return Traffic(produced, consumed, replicated)


def build_broker(spec: Spec, broker: Broker, ctx: Context) -> list[CostLine]:
    p, cloud, name, engine = ctx.prices, broker.cloud, broker.name, broker.engine
    lines = [
        line(name, engine, INSTANCES, broker.nodes * ctx.hours_per_month,
             p[INSTANCE_KEY[cloud].format(broker.instance_type)], usage_based=False),
        line(name, engine, DISKS, broker.nodes * broker.disk_bytes / GiB, p[DISK_KEY[cloud]], usage_based=False),
        line(name, engine, LOAD_BALANCER, ctx.hours_per_month, p[LB_KEY[cloud]], usage_based=False),
    ]
    z = zones(broker)
    if z > 1:
        flow = traffic(spec, broker, ctx)
        transfer = p["transfer.inter_zone"]
        per_gb = transfer.unit_price * DIRECTIONS_BILLED[cloud]
        unit = "GB (each direction billed)" if DIRECTIONS_BILLED[cloud] == 2 else transfer.unit
        replicated_gb = flow.replicated / GB
        client_gb = (flow.produced + flow.consumed) * (z - 1) / z / GB
        lines.append(priced(name, engine, CROSS_ZONE_REPLICATION, replicated_gb, unit, replicated_gb * per_gb,
                            transfer.source, usage_based=True))
        lines.append(priced(name, engine, CROSS_ZONE_CLIENTS, client_gb, unit, client_gb * per_gb,
                            transfer.source, usage_based=True))
    return lines


def build(spec: Spec, ctx: Context) -> list[CostLine]:
    lines: list[CostLine] = []
    for broker in spec.brokers.values():
        lines += build_broker(spec, broker, ctx)
    return lines

"""Self-hosted RabbitMQ and Kafka: what the cluster component deploys, plus cross-zone traffic.

The standing resources are counted from the broker's own cluster blueprint (``cost.cluster``), so
the estimate follows the component: Kafka above 3 nodes gets its 3 dedicated controller VMs (same
instance type, 20 GiB disks), broker disks sized by ``queuekit.sizing.kafka_disk_bytes``, and
whatever the fleet adds later. Per broker and month:

* instances: VMs × hours at the on-demand price of each instance type;
* disks: GiB-months of every VM's disk (EBS gp3 / balanced PD);
* the internal load balancer (NLB hours / forwarding-rule hours);
* the NAT for the nodes' egress: AWS NAT gateway hours plus its Elastic IP (public IPv4 hours);
  GCP Cloud NAT per VM-hour (capped above 32 VMs) plus its external IP;
* the cluster secret (Kafka, RabbitMQ): AWS Secrets Manager secret-months / GCP active secret versions;
* the cluster's alarms: CloudWatch alarms / Cloud Monitoring conditions and the series they return;
* cross-zone replication: every published byte is copied to each follower replica; with replicas
  spread over z zones, min(copies, z) − 1 copies cross a zone boundary. Kafka copies = the topic's
  replication factor; RabbitMQ quorum queues keep min(3, nodes) replicas, classic queues one;
* cross-zone client traffic: clients in one zone reach the leader in another (z − 1) / z of the
  time, for every produced and consumed byte.

AWS bills inter-AZ traffic in each direction ($0.01/GB out + $0.01/GB in); GCP bills egress only.
Not priced (no volume in the spec to price them from): NAT data processing (package downloads),
load-balancer capacity units / data processed, the nodes' custom metrics and logs, EC2 detailed
monitoring, secret API calls, the notify SNS topics / channels.
"""

from __future__ import annotations

from dataclasses import dataclass

from cost.alarms import alarm_lines
from cost.cluster import Inventory, inventory
from cost.context import Context, GiB
from cost.lines import (
    CROSS_ZONE_CLIENTS,
    CROSS_ZONE_REPLICATION,
    DISKS,
    INSTANCES,
    LOAD_BALANCER,
    NAT_GATEWAY,
    PUBLIC_IPS,
    SECRETS,
    CostLine,
    line,
    priced,
)
from queuekit.model import Broker, Spec

GB = 1000**3
UNIT_BYTES = {"GB": GB, "GiB": GiB}
INSTANCE_KEY = {"aws": "ec2.{}", "gcp": "gce.{}"}
DISK_KEY = {"aws": "ebs.gp3.storage", "gcp": "pd.balanced.storage"}
LB_KEY = {"aws": "nlb.hours", "gcp": "ilb.forwarding_rule_hours"}
IP_KEY = {"aws": "vpc.public_ipv4_hours", "gcp": "nat.external_ip_hours"}
SECRET_KEY = {"aws": "secretsmanager.secret_month", "gcp": "secretmanager.version_month"}
TRANSFER_KEY = {"aws": "aws.transfer.inter_zone", "gcp": "gcp.transfer.inter_zone"}
DIRECTIONS_BILLED = {"aws": 2, "gcp": 1}
GCP_NAT_VM_CAP = 32  # Cloud NAT bills per VM up to 32 VMs, a flat hourly rate above


@dataclass(frozen=True)
class Traffic:
    """Bytes a month through one broker: produced, consumed, and produced × cross-zone copies."""

    produced: float
    consumed: float
    replicated: float


def zones(broker: Broker) -> int:
    """Zones holding brokers: nodes go round-robin over the zones (3 by default)."""
    return min(len(broker.zones) if broker.zones else 3, broker.nodes)


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


def nat_lines(broker: Broker, inv: Inventory, ctx: Context) -> list[CostLine]:
    """AWS: NAT gateway hours. GCP: Cloud NAT per VM-hour for up to 32 VMs, a flat hourly rate above."""
    p, hours, name, engine = ctx.prices, ctx.hours_per_month, broker.name, broker.engine
    if not inv.nat_gateways:
        return []
    if broker.cloud == "aws":
        return [line(name, engine, NAT_GATEWAY, inv.nat_gateways * hours, p["vpc.nat_gateway_hours"],
                     usage_based=False)]
    if inv.vms <= GCP_NAT_VM_CAP:
        return [line(name, engine, NAT_GATEWAY, inv.nat_gateways * inv.vms * hours, p["nat.gateway_vm_hours"],
                     usage_based=False)]
    return [line(name, engine, NAT_GATEWAY, inv.nat_gateways * hours, p["nat.gateway_capped_hours"],
                 usage_based=False)]


def standing_lines(broker: Broker, inv: Inventory, ctx: Context) -> list[CostLine]:
    """Everything billed by the hour or month whatever the traffic."""
    p, hours, cloud, name, engine = ctx.prices, ctx.hours_per_month, broker.cloud, broker.name, broker.engine
    lines = [line(name, engine, INSTANCES, n * hours, p[INSTANCE_KEY[cloud].format(kind)], usage_based=False)
             for kind, n in sorted(inv.instances.items())]
    lines.append(line(name, engine, DISKS, inv.disk_gib, p[DISK_KEY[cloud]], usage_based=False))
    if inv.load_balancers:
        lines.append(line(name, engine, LOAD_BALANCER, inv.load_balancers * hours, p[LB_KEY[cloud]],
                          usage_based=False))
    lines += nat_lines(broker, inv, ctx)
    if inv.public_ips:
        lines.append(line(name, engine, PUBLIC_IPS, inv.public_ips * hours, p[IP_KEY[cloud]], usage_based=False))
    if inv.secrets:
        lines.append(line(name, engine, SECRETS, inv.secrets, p[SECRET_KEY[cloud]], usage_based=False))
    return lines + alarm_lines(name, engine, cloud, inv.alarms, ctx)


def traffic_lines(spec: Spec, broker: Broker, ctx: Context) -> list[CostLine]:
    """Cross-zone replication and client traffic, in the transfer price's own unit (GB or GiB)."""
    z = zones(broker)
    if z < 2:
        return []
    cloud, name, engine = broker.cloud, broker.name, broker.engine
    flow = traffic(spec, broker, ctx)
    transfer = ctx.prices[TRANSFER_KEY[cloud]]
    size = UNIT_BYTES[transfer.unit]
    per_unit = transfer.unit_price * DIRECTIONS_BILLED[cloud]
    unit = f"{transfer.unit} (each direction billed)" if DIRECTIONS_BILLED[cloud] == 2 else transfer.unit
    replicated = flow.replicated / size
    clients = (flow.produced + flow.consumed) * (z - 1) / z / size
    return [priced(name, engine, CROSS_ZONE_REPLICATION, replicated, unit, replicated * per_unit, transfer.source,
                   usage_based=True),
            priced(name, engine, CROSS_ZONE_CLIENTS, clients, unit, clients * per_unit, transfer.source,
                   usage_based=True)]


def build_broker(spec: Spec, broker: Broker, ctx: Context) -> list[CostLine]:
    return standing_lines(broker, inventory(spec, broker), ctx) + traffic_lines(spec, broker, ctx)


def build(spec: Spec, ctx: Context) -> list[CostLine]:
    lines: list[CostLine] = []
    for broker in spec.brokers.values():
        lines += build_broker(spec, broker, ctx)
    return lines

"""What a self-hosted broker cluster deploys, counted from the component's own blueprint.

The estimate must price what ``pulumi up`` creates, not a second opinion of it. So instead of
re-deriving node counts and disk sizes (Kafka adds 3 dedicated controllers above 3 nodes and sizes
broker disks from retention; RabbitMQ does neither), this module builds the broker's
``queuekit:kafka:Cluster`` / ``queuekit:rabbitmq:Cluster`` blueprint exactly as the stack does
(``components.<engine>.cluster_args`` → ``build``) and counts the billable resources in it.

Counted: VMs by instance type, their disks (GiB), NAT gateways and the public IPv4 addresses they
use, load balancers, secrets, CloudWatch alarms (AWS) / alerting
conditions (GCP). Everything else the fleet creates (VPC, subnets, routes, security groups,
firewalls, IAM, launch templates, instance groups, health checks, target groups) has no charge of
its own.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from queuekit.model import Broker, Spec


@dataclass(frozen=True)
class Inventory:
    """Billable resources of one broker cluster (counts; ``disk_gib`` summed over every VM)."""

    instances: dict[str, int]  # instance/machine type → VMs
    disk_gib: int
    nat_gateways: int
    public_ips: int
    load_balancers: int
    secrets: int  # AWS Secrets Manager secrets / GCP secrets, each holding one active version
    alarms: int  # CloudWatch alarms / Cloud Monitoring alerting conditions

    @property
    def vms(self) -> int:
        return sum(self.instances.values())


def planned(spec: Spec, broker: Broker) -> list[tuple[str, dict[str, Any]]]:
    """(token, props) of every provider resource in ``broker``'s cluster component."""
    if broker.engine == "kafka":
        from components.kafka import KafkaCluster as Cluster
        from components.kafka import cluster_args
    else:
        from components.rabbitmq import RabbitMQCluster as Cluster  # type: ignore[assignment]
        from components.rabbitmq import cluster_args  # type: ignore[assignment]
    bp = Cluster.build(f"{broker.engine}-{broker.name}", cluster_args(spec, broker))
    return [(p.token, p.props) for p in bp.resources if p.token]


def _disk(token: str, props: dict[str, Any]) -> int:
    if token.startswith("aws:"):
        return int(props["root_block_device"]["volume_size"])
    return int(props["boot_disk"]["initialize_params"]["size"])


def inventory(spec: Spec, broker: Broker) -> Inventory:
    """Count what ``broker``'s cluster deploys (see the module docstring)."""
    kinds: Counter[str] = Counter()
    types: Counter[str] = Counter()
    disk = 0
    for token, props in planned(spec, broker):
        kind = token.rsplit(":", 1)[-1]
        if kind == "Instance":
            types[props.get("instance_type") or props["machine_type"]] += 1
            disk += _disk(token, props)
        elif kind == "AlertPolicy":
            kinds["alarms"] += len(props["conditions"])
        else:
            kinds[kind] += 1
    aws = broker.cloud == "aws"
    nats = kinds["NatGateway"] if aws else kinds["RouterNat"]
    return Inventory(
        instances=dict(types), disk_gib=disk, nat_gateways=nats,
        # AWS: the NAT gateway's Elastic IP; GCP: Cloud NAT with AUTO_ONLY allocates (at least) one address.
        public_ips=kinds["Eip"] if aws else nats,
        load_balancers=kinds["LoadBalancer"] if aws else kinds["ForwardingRule"],
        # GCP bills active versions: one per secret (the value, or the CA certificate the nodes write).
        secrets=kinds["Secret"],
        alarms=kinds["MetricAlarm"] if aws else kinds["alarms"])

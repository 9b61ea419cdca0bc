"""A fleet of broker VMs on AWS or GCP, shared by the RabbitMQ and Kafka cluster components.

``add_vm_cluster(bp, args)`` adds everything a self-hosted broker cluster needs below the broker
software itself, and returns the addresses the engine's boot script and alarms need:

* **its own network** (the spec declares no VPC): a /16 that overlaps none of the
  ``allowed_cidrs`` (``cluster_cidr``), private subnets only for the nodes, and NAT for egress
  (package installs); clients reach it through peering/VPN, which the ``allowed_cidrs`` name;
* **nodes spread across zones** round-robin, each with a fixed private IP and the hostname
  ``<name>-<i>`` so the engine can list its peers before anything boots (classic peer
  discovery / a static KRaft quorum);
* **encrypted disks** sized from ``disk`` (EBS gp3 ``encrypted``; GCP persistent disks are
  always encrypted, balanced PD), **IMDSv2 required** on EC2, Shielded VM + OS Login on GCE,
  no public IPs, no SSH ingress;
* **least privilege**: an instance profile / service account that may only write metrics into
  the cluster's own namespace and logs — nothing else;
* a **security group / firewall** admitting the client ports only from ``allowed_cidrs`` (never
  ``0.0.0.0/0``: an empty list admits no client), peer ports only between the nodes, and the
  load balancer's health checks (the VPC range on AWS, Google's documented prober ranges on GCP);
* an **internal load balancer** (NLB / internal passthrough forwarding rule) on the client ports.

Usage from an engine component (the boot scripts need the node names, which depend on the args)::

    args = fleet_args(spec, broker, name="kafka-events", client_ports=(9093,), peer_ports=(9094,),
                      health_port=9093, user_data=(), metrics_namespace="queuekit/kafka", tags=tags)
    args = dataclasses.replace(args, user_data=tuple(script(i, hostnames(args), hosts_file(args)) ...))
    fleet = add_vm_cluster(bp, args)   # fleet.hostnames, fleet.private_ips, fleet.instances, fleet.lb_address

Handles have a ``name`` field (the logical name), so a resource's ``name`` *output* is
``Ref(handle.name, "name")``, never ``handle.name``.

The machine image is Debian 12 (what the boot scripts are written for): on AWS through the public
SSM parameter in a launch template (``resolve:ssm:`` — no data source, plans stay offline), on GCP
the ``debian-cloud/debian-12`` family.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any

from components.blueprint import Blueprint, Concat, Handle, Ref
from queuekit.model import Broker, Spec

AWS_IMAGE = "resolve:ssm:/aws/service/debian/release/12/latest/amd64"
GCP_IMAGE = "debian-cloud/debian-12"
# Google's health-check prober ranges (cloud.google.com/load-balancing/docs/health-check-concepts).
GCP_HEALTH_CHECK_RANGES = ("35.191.0.0/16", "130.211.0.0/22")
# Regions whose zones are not a/b/c (GCP us-east1 and europe-west1 have no "-a").
GCP_DEFAULT_ZONES = {"us-east1": ("b", "c", "d"), "europe-west1": ("b", "c", "d")}
CIDR_CANDIDATES = tuple(f"10.{n}.0.0/16" for n in range(100, 200))


@dataclass(frozen=True)
class VmClusterArgs:
    """What the fleet needs; the engine component fills it from the model (``fleet_args``)."""

    name: str  # logical name prefix and hostname stem, e.g. "rabbitmq-jobs"
    physical: str  # cloud resource name prefix, unique per account/project: "<project>-<env>-<broker>"
    cloud: str  # aws | gcp
    region: str
    zones: tuple[str, ...]
    nodes: int
    instance_type: str
    disk_gb: int
    cidr: str  # the cluster's own /16
    allowed_cidrs: tuple[str, ...]
    client_ports: tuple[int, ...]  # from allowed_cidrs, behind the load balancer
    peer_ports: tuple[int, ...]  # between nodes only
    health_port: int  # load balancer health check
    user_data: tuple[Any, ...]  # one boot script per node (str / Concat / Secret)
    metrics_namespace: str  # CloudWatch namespace the nodes may write (IAM condition)
    project: str | None = None  # GCP project (None: the provider's)
    tags: dict[str, str] = field(default_factory=dict)  # AWS tags, or GCP labels (already normalised)
    # Engine extras (defaults keep the fleet exactly as RabbitMQ uses it):
    lb_nodes: int | None = None  # the first lb_nodes nodes serve clients behind the LB (None: all)
    node_disk_gb: tuple[int, ...] = ()  # per-node disk size overriding disk_gb (e.g. small controller disks)
    extra_statements: tuple[Any, ...] = ()  # AWS: more node-policy statements, each resource-scoped
    gzip_user_data: bool = False  # AWS: ship user data gzip-compressed (cloud-init inflates it; 16 KB limit)
    lb_ip: str | None = None  # GCP: a fixed internal LB address (known to boot scripts, e.g. for TLS names)


@dataclass(frozen=True)
class VmCluster:
    """What the engine component needs back: node identities and the client address."""

    hostnames: tuple[str, ...]
    private_ips: tuple[str, ...]
    instances: tuple[Handle, ...]
    instance_zones: tuple[str, ...]
    lb_address: Ref  # NLB DNS name / forwarding rule IP
    identity: Any = None  # the nodes' identity: AWS role ARN / GCP service-account email (for resource grants)


def default_zones(cloud: str, region: str) -> tuple[str, ...]:
    """Three zones of ``region`` (documented rule; the spec's ``zones`` overrides it)."""
    if cloud == "aws":
        return tuple(f"{region}{z}" for z in "abc")
    return tuple(f"{region}-{z}" for z in GCP_DEFAULT_ZONES.get(region, ("a", "b", "c")))


def cluster_cidr(spec: Spec, broker: str) -> str:
    """The broker's /16: the n-th candidate (n = its position among brokers) clear of every allowed_cidr.

    A client network that overlaps every candidate (the default ``10.0.0.0/8``, or ``0.0.0.0/0``,
    which QK302 then reports) cannot be avoided, so it is ignored rather than leaving no candidate.
    """
    candidates = [ipaddress.ip_network(c) for c in CIDR_CANDIDATES]
    avoid = [a for a in (ipaddress.ip_network(c, strict=False) for b in spec.brokers.values() for c in b.allowed_cidrs)
             if not all(n.overlaps(a) for n in candidates)]
    free = [c for c, n in zip(CIDR_CANDIDATES, candidates, strict=True) if not any(n.overlaps(a) for a in avoid)]
    free = free or list(CIDR_CANDIDATES)
    return free[list(spec.brokers).index(broker) % len(free)]


def node_ips(cloud: str, cidr: str, zones: int, nodes: int) -> tuple[str, ...]:
    """Fixed private IPs: node i lives in zone i % zones (AWS: one /24 per zone; GCP: one regional /24)."""
    net = ipaddress.ip_network(cidr)
    base = int(net.network_address)
    if cloud == "aws":
        return tuple(str(ipaddress.ip_address(base + ((i % zones) + 1) * 256 + 10 + i)) for i in range(nodes))
    return tuple(str(ipaddress.ip_address(base + 256 + 10 + i)) for i in range(nodes))


def fleet_args(spec: Spec, broker: Broker, *, name: str, client_ports: tuple[int, ...], peer_ports: tuple[int, ...],
               health_port: int, user_data: tuple[Any, ...], metrics_namespace: str,
               tags: dict[str, str]) -> VmClusterArgs:
    """``VmClusterArgs`` from the model (zones default, disk in GiB, the broker's own /16)."""
    return VmClusterArgs(
        name=name, physical=physical_name(spec, broker.name), cloud=broker.cloud, region=broker.region,
        zones=broker.zones or default_zones(broker.cloud, broker.region), nodes=broker.nodes,
        instance_type=broker.instance_type, disk_gb=max(10, -(-broker.disk_bytes // 1024**3)),
        cidr=cluster_cidr(spec, broker.name), allowed_cidrs=broker.allowed_cidrs, client_ports=client_ports,
        peer_ports=peer_ports, health_port=health_port, user_data=user_data, metrics_namespace=metrics_namespace,
        project=spec.gcp_project if broker.cloud == "gcp" else None, tags=tags)


def physical_name(spec: Spec, broker: str) -> str:
    """Cloud names must not collide between stacks: ``<project>-<environment>-<broker>``, at most 24 chars."""
    return f"{spec.project}-{spec.environment}-{broker}"[:24].rstrip("-").lower()


def add_vm_cluster(bp: Blueprint, a: VmClusterArgs) -> VmCluster:
    """Add the fleet to ``bp`` (logical names ``<name>.<part>``) and return what the engine needs."""
    if len(a.user_data) != a.nodes:
        raise ValueError(f"{a.name}: {a.nodes} nodes need {a.nodes} boot scripts, got {len(a.user_data)}")
    if a.cloud == "aws":
        from components.vmcluster_aws import add_aws_fleet

        return add_aws_fleet(bp, a)
    from components.vmcluster_gcp import add_gcp_fleet

    return add_gcp_fleet(bp, a)


def disk_gb(a: VmClusterArgs, i: int) -> int:
    return a.node_disk_gb[i] if a.node_disk_gb else a.disk_gb


def lb_members(a: VmClusterArgs) -> range:
    """Indexes of the nodes behind the load balancer."""
    return range(a.nodes if a.lb_nodes is None else a.lb_nodes)


def hostnames(a: VmClusterArgs) -> tuple[str, ...]:
    return tuple(f"{a.name}-{i}" for i in range(a.nodes))


def hosts_file(a: VmClusterArgs) -> str:
    """``/etc/hosts`` lines naming every node, so peers resolve before any DNS exists."""
    ips = node_ips(a.cloud, a.cidr, len(a.zones), a.nodes)
    return "".join(f"{ip} {host}\n" for ip, host in zip(ips, hostnames(a), strict=True))


def concat(*parts: Any) -> Concat:
    return Concat(tuple(parts))

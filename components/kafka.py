"""Self-hosted Kafka clusters (``queuekit:kafka:Cluster``), one per ``engine: kafka`` broker (issue 7).

A cluster is the shared VM fleet (``components.vmcluster``: network, nodes across zones, encrypted
disks, IMDSv2, least-privilege identity, CIDR-only ingress, internal LB) plus:

* **KRaft layout** (``kafka_boot.roles``): up to 3 nodes are combined broker+controllers; above 3 the
  fleet holds ``nodes`` brokers plus 3 dedicated controllers (hostnames ``<name>-<nodes>`` …, small
  disks, not behind the load balancer). Broker ids are the spec's node indexes; ``broker.rack`` is the zone;
* **disks** sized by ``queuekit.sizing.kafka_disk_bytes``: the larger of ``disk`` and what the declared
  volumes × retention × replication need per broker at 70 % fill;
* **one secret** (AWS Secrets Manager, encrypted with the account's ``aws/secretsmanager`` KMS key /
  GCP Secret Manager) holding the admin password, the CA seed and one password per application user
  of the topology plan — all ``random`` passwords. The nodes read it by name with their own identity,
  which may read *that* secret and write *that* CA-certificate target only (AWS: statements on the
  secret's ARN and the SSM parameter's ARN; GCP: IAM members on the two secrets). The boot scripts hold
  no secret, so they are plain (reviewable) user data;
* **ports**: clients on 9093 (SASL_SSL, SCRAM-SHA-512) from ``allowed_cidrs`` only, through the internal
  LB or straight to a broker's IP; 9094 (inter-broker) and 9095 (controllers, mutual TLS) between the
  nodes only. TLS names cover each node's hostname and IP and the LB (AWS: the region's ELB domain;
  GCP: the LB's fixed address), all signed by the cluster's own CA;
* **the topology** of ``queuekit.topology.kafka.plan`` applied on the cluster by node 0
  (``components.kafka_provision``), idempotently, once every broker has registered;
* **alarms** (``components.kafka_alarms``) routed to the spec's notify targets.

Outputs: ``address`` (LB), ``admin_password`` and ``password.<user>`` (secrets). The stack exports
``kafka.<broker>.bootstrap`` (``<LB>:9093``), ``.brokers`` (the fixed broker IPs), ``.ca_certificate``,
``.secret``, ``.admin_password`` and ``.password.<user>`` (Pulumi secrets).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from components.blueprint import Blueprint, Concat, QueuekitComponent, Secret
from components.common import aws_tags, gcp_label, gcp_labels
from components.kafka_alarms import AlarmArgs, Threshold, add_alarms
from components.kafka_boot import (
    CLIENT_PORT,
    CONTROLLER_PORT,
    DEFAULT_VERSION,
    INTERNAL_PORT,
    METRICS_NAMESPACE,
    NodeBoot,
    boot_script,
    cluster_id,
    roles,
)
from components.kafka_provision import provision_script
from components.node_tls import add_fleet_with_secret, ca_location, cluster_passwords, fixed_lb_ip, lb_names
from components.notify import used_targets
from components.vmcluster import VmClusterArgs, fleet_args, hostnames, hosts_file, node_ips
from queuekit import sizing
from queuekit.model import Broker, Spec
from queuekit.topology.kafka import plan

CONTROLLER_DISK_GB = 20  # the metadata log is small; controllers hold no topic data


@dataclass(frozen=True)
class KafkaClusterArgs:
    broker: str
    fleet: VmClusterArgs  # nodes = every VM (controllers included); user_data filled in by build()
    brokers: int  # the spec's nodes
    version: str
    cluster_id: str
    plan: dict[str, Any]  # queuekit.topology.kafka.plan
    secret_name: str  # AWS secret name / GCP secret id
    ca_target: str  # AWS SSM parameter name / GCP secret id
    alarms: AlarmArgs
    tags: dict[str, str] = field(default_factory=dict)


class KafkaCluster(QueuekitComponent):
    """A Kafka (KRaft) cluster on VMs with its topology, secret and alarms (see the module docstring)."""

    TOKEN = "queuekit:kafka:Cluster"

    @staticmethod
    def build(name: str, args: KafkaClusterArgs) -> Blueprint:
        return _build(name, args)


def voters(a: KafkaClusterArgs) -> str:
    """``controller.quorum.voters``: every node up to 3 nodes, else the 3 dedicated controllers."""
    hosts = hostnames(a.fleet)
    return ",".join(f"{i}@{hosts[i]}:{CONTROLLER_PORT}" for i, role in enumerate(roles(a.brokers))
                    if "controller" in role)


def node_boots(a: KafkaClusterArgs) -> tuple[NodeBoot, ...]:
    f = a.fleet
    hosts, ips, text = hostnames(f), node_ips(f.cloud, f.cidr, len(f.zones), f.nodes), hosts_file(f)
    groups = tuple(g["group"] for g in a.plan["consumer_groups"])
    dlqs = tuple(t["name"] for t in a.plan["topics"] if t["kind"] == "dlq")
    return tuple(NodeBoot(
        cloud=f.cloud, index=i, role=role, hostname=hosts[i], ip=ips[i], zone=f.zones[i % len(f.zones)],
        hosts_file=text, voters=voters(a), brokers=a.brokers, cluster_id=a.cluster_id, cluster=f.physical,
        region=f.region, version=a.version, secret_ref=a.secret_name, ca_target=a.ca_target, groups=groups,
        dlq_topics=dlqs, lb_names=lb_names(f.cloud, f.region, f.lb_ip),
        provision=provision_script(a.plan, a.brokers) if i == 0 else None)
        for i, role in enumerate(roles(a.brokers)))


def _build(name: str, a: KafkaClusterArgs) -> Blueprint:
    bp = Blueprint()
    passwords = cluster_passwords(bp, name, a.plan["users"])
    value = passwords.secret_value()
    fleet = dataclasses.replace(a.fleet, user_data=tuple(boot_script(b) for b in node_boots(a)))
    vms = add_fleet_with_secret(bp, name, fleet, a.secret_name, a.ca_target,
                                f"queuekit Kafka {fleet.physical}: admin and user passwords, CA seed", value, a.tags)
    add_alarms(bp, name, a.alarms, vms.instances)
    bp.outputs["address"] = vms.lb_address
    passwords.export(bp)
    return bp


# ------------------------------------------------------------------------------------ the stack


def disk_gb(spec: Spec, broker: Broker) -> int:
    """Per-broker disk in GiB (``queuekit.sizing.kafka_disk_bytes``; at least 10 like the fleet)."""
    queues, topics = spec.on_broker(broker.name)
    flows = [(x.volume.average_per_second() * x.volume.message_size, x.retention, x.replication or 1)
             for x in (*queues, *topics) if x.backend == "kafka"]
    return max(10, -(-sizing.kafka_disk_bytes(broker.disk_bytes, flows, broker.nodes) // 1024**3))


def alarm_thresholds(spec: Spec, broker: str, planned: dict[str, Any]) -> tuple[tuple[Threshold, ...],
                                                                                  tuple[Threshold, ...]]:
    """(lag per consumer group, records per DLQ topic) from the queues'/subscriptions' ``alarms``."""
    queues, topics = spec.on_broker(broker)
    alarms = {q.name: q.alarms for q in queues}
    for t in topics:
        for s in t.subscriptions:
            alarms[t.subscription_queue_name(s)] = s.alarms
    lag, dlq = [], {}
    for g in planned["consumer_groups"]:
        al = alarms[g["group"]]
        if al.backlog is not None:
            lag.append(Threshold(g["group"], al.backlog))
        if al.dlq_messages is not None and g["dlq_topic"]:
            dlq.setdefault(g["dlq_topic"], Threshold(g["dlq_topic"], al.dlq_messages))
    return tuple(lag), tuple(dlq.values())


def cluster_args(spec: Spec, broker: Broker) -> KafkaClusterArgs:
    aws = broker.cloud == "aws"
    tags = aws_tags(spec, broker.tags) if aws else gcp_labels(spec, broker.tags)
    tags = tags if aws else {k: gcp_label(v) for k, v in tags.items()}
    fleet = fleet_args(spec, broker, name=f"kafka-{broker.name}", client_ports=(CLIENT_PORT,),
                       peer_ports=(INTERNAL_PORT, CONTROLLER_PORT), health_port=CLIENT_PORT, user_data=(),
                       metrics_namespace=METRICS_NAMESPACE, tags=tags)
    vms = len(roles(broker.nodes))
    size = disk_gb(spec, broker)
    fleet = dataclasses.replace(
        fleet, nodes=vms, disk_gb=size, lb_nodes=broker.nodes if vms > broker.nodes else None,
        node_disk_gb=(size,) * broker.nodes + (CONTROLLER_DISK_GB,) * (vms - broker.nodes) if vms > broker.nodes
        else (), gzip_user_data=aws,
        lb_ip=fixed_lb_ip(broker.cloud, fleet.cidr))
    planned = plan(spec, broker.name)
    lag, dlq = alarm_thresholds(spec, broker.name, planned)
    prefix = f"{spec.project}-{spec.environment}"
    alarms = AlarmArgs(broker=broker.name, cloud=broker.cloud, cluster=fleet.physical, hostnames=hostnames(fleet),
                       lag=lag, dlq=dlq, notify=used_targets(spec, broker.name), stack_prefix=prefix,
                       region=fleet.region, project=fleet.project, tags=tags)
    return KafkaClusterArgs(
        broker=broker.name, fleet=fleet, brokers=broker.nodes, version=broker.version or DEFAULT_VERSION,
        cluster_id=cluster_id(spec.project, spec.environment, broker.name), plan=planned,
        secret_name=f"queuekit/{fleet.physical}/kafka" if aws else f"{fleet.physical}-kafka",
        ca_target=f"/queuekit/{fleet.physical}/kafka-ca.pem" if aws else f"{fleet.physical}-kafka-ca",
        alarms=alarms, tags=tags)


def add_to_stack(spec: Spec, bp: Blueprint) -> None:
    """One ``queuekit:kafka:Cluster`` per kafka broker, and how clients reach it as stack outputs."""
    for broker in spec.brokers.values():
        if broker.engine != "kafka":
            continue
        args = cluster_args(spec, broker)
        h = bp.add_component(KafkaCluster, f"kafka-{broker.name}", args)
        f, key = args.fleet, f"kafka.{broker.name}"
        ips = node_ips(f.cloud, f.cidr, len(f.zones), f.nodes)[:broker.nodes]
        bp.outputs[f"{key}.bootstrap"] = Concat((h.address, f":{CLIENT_PORT}"))
        bp.outputs[f"{key}.brokers"] = ",".join(f"{ip}:{CLIENT_PORT}" for ip in ips)
        bp.outputs[f"{key}.ca_certificate"] = ca_location(f, args.ca_target)
        bp.outputs[f"{key}.secret"] = args.secret_name
        bp.outputs[f"{key}.admin_password"] = Secret(h.admin_password)
        for user in args.plan["users"]:
            bp.outputs[f"{key}.password.{user}"] = Secret(getattr(h, f"password.{user}"))

"""Self-hosted RabbitMQ clusters (``queuekit:rabbitmq:Cluster``), one per ``engine: rabbitmq`` broker.

A cluster is the shared VM fleet (``components.vmcluster``: network, nodes across zones,
encrypted disks, IMDSv2, least-privilege identity, CIDR-only ingress, internal LB) plus:

* **one secret** (AWS Secrets Manager, encrypted with the account's ``aws/secretsmanager`` KMS key /
  GCP Secret Manager) holding the Erlang cookie, the admin password, the CA seed and one password per
  application user — all ``random`` passwords, also exported as secret stack outputs so each
  application can fetch its own. The nodes read it by name with their own identity, which may read
  *that* secret and write *that* CA-certificate target only (``components.node_tls``: AWS statements on
  the secret's ARN and the SSM parameter's ARN; GCP IAM members on the two secrets). The boot scripts
  hold no secret, so they are plain (reviewable) user data;
* **TLS** (``tls: true``) signed by the cluster's own CA, derived from the seed on every node (like the
  Kafka clusters): node certificates name the hostname, private IP and the LB (AWS: the region's ELB
  domain; GCP: the LB's fixed address); the CA certificate is published to an SSM parameter / a Secret
  Manager secret, the stack output ``rabbitmq.<broker>.ca_certificate``;
* each node's **boot script** (``components.rabbitmq_boot``): install, cookie, TLS, peer
  discovery, Prometheus plugin, and the topology definitions of ``queuekit.topology.rabbitmq``
  loaded at boot (the same document ``render`` prints and ``local up`` imports);
* **alarms** routed to the spec's notify targets: node down (EC2 status check / GCE uptime
  absent), RabbitMQ's disk and memory alarms, and per queue the backlog and DLQ depth from the
  Prometheus endpoint (CloudWatch agent EMF metrics / Ops Agent ``prometheus_target``). The
  spec's ``oldest_message_age`` has no RabbitMQ metric (quorum queues expose no head-message
  age) and is not alarmed here.

Notification: on AWS each notify target gets an SNS topic of this cluster (email targets) or
the given topic ARN; on GCP a notification channel of this cluster (email) or the given channel.
They are the cluster's own (logical names ``rabbitmq-<broker>.notify-*``) so the stack never
depends on which other backends the spec uses.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from components.blueprint import Blueprint, Handle, QueuekitComponent, Secret
from components.common import aws_tags, gcp_label, gcp_labels
from components.node_tls import add_fleet_with_secret, ca_location, cluster_passwords, fixed_lb_ip, lb_names
from components.notify import aws_actions, gcp_channels, used_targets
from components.rabbitmq_boot import DISK_ALARM_METRIC, MEMORY_ALARM_METRIC, QUEUE_METRIC, BootArgs, boot_script
from components.vmcluster import VmClusterArgs, fleet_args, hostnames, hosts_file, node_ips
from queuekit.model import Broker, Spec
from queuekit.topology.rabbitmq import definitions, principals, queue_plans, vhost_name

MIN_ALARM_PERIOD = 60


@dataclass(frozen=True)
class QueueAlarm:
    """One RabbitMQ queue-depth alarm: ``queue`` holds at least ``threshold`` ready messages."""

    kind: str  # backlog | dlq-messages
    queue: str
    threshold: int
    minutes: int  # sustained for


@dataclass(frozen=True)
class RabbitClusterArgs:
    broker: str
    fleet: VmClusterArgs  # user_data filled in by build()
    version: str | None
    tls: bool
    definitions: dict[str, Any]
    vhost: str
    users: tuple[str, ...]
    queue_alarms: tuple[QueueAlarm, ...]
    notify: tuple[tuple[str, str, str], ...]  # (name, kind, value) of the spec's notify targets used
    stack_prefix: str  # "<project>-<environment>"
    secret_name: str  # AWS secret name / GCP secret id
    ca_target: str | None  # AWS SSM parameter name / GCP secret id of the CA certificate (None: TLS off)
    tags: dict[str, str] = field(default_factory=dict)


class RabbitMQCluster(QueuekitComponent):
    """A RabbitMQ cluster on VMs with its topology, secrets and alarms (see the module docstring)."""

    TOKEN = "queuekit:rabbitmq:Cluster"

    @staticmethod
    def build(name: str, args: RabbitClusterArgs) -> Blueprint:
        return _build(name, args)


def _build(name: str, a: RabbitClusterArgs) -> Blueprint:
    bp = Blueprint()
    passwords = cluster_passwords(bp, name, a.users, extra=(("erlang_cookie", 48),))
    value = passwords.secret_value()
    fleet = a.fleet
    hosts, hosts_text = hostnames(fleet), hosts_file(fleet)
    ips = node_ips(fleet.cloud, fleet.cidr, len(fleet.zones), fleet.nodes)
    scripts = tuple(boot_script(BootArgs(
        cloud=fleet.cloud, index=i, hostnames=hosts, hosts_file=hosts_text, ip=ips[i], region=fleet.region,
        cluster=fleet.physical, lb_names=lb_names(fleet.cloud, fleet.region, fleet.lb_ip), version=a.version,
        tls=a.tls, definitions=a.definitions, vhost=a.vhost, secret_ref=a.secret_name, ca_target=a.ca_target,
        metrics_namespace=fleet.metrics_namespace, log_group=f"/queuekit/{fleet.physical}/prometheus"))
        for i in range(fleet.nodes))
    vms = add_fleet_with_secret(
        bp, name, dataclasses.replace(fleet, user_data=scripts), a.secret_name, a.ca_target,
        f"queuekit RabbitMQ {fleet.physical}: Erlang cookie, admin and user passwords, CA seed", value, a.tags)
    if fleet.cloud == "aws":
        _aws_alarms(bp, name, a, vms.instances)
    else:
        _gcp_alerts(bp, name, a)
    bp.outputs["address"] = vms.lb_address
    passwords.export(bp)
    return bp


# ------------------------------------------------------------------------------------------ AWS


def _aws_alarms(bp: Blueprint, name: str, a: RabbitClusterArgs, instances: tuple[Handle, ...]) -> None:
    actions = aws_actions(bp, name, a.notify, topic_prefix=f"{a.stack_prefix}-{a.broker}", region=a.fleet.region,
                          tags=a.tags) or None
    ns, prefix, r = a.fleet.metrics_namespace, f"{a.stack_prefix}-{a.broker}", a.fleet.region

    def alarm(key: str, description: str, **props: Any) -> None:
        bp.add("aws:cloudwatch/metricAlarm:MetricAlarm", f"{name}.alarm.{key}", name=f"{prefix}-{key}",
               alarm_description=description, comparison_operator="GreaterThanOrEqualToThreshold",
               alarm_actions=actions, ok_actions=actions, region=r, tags=a.tags, **props)

    hosts = hostnames(a.fleet)
    for i, inst in enumerate(instances):
        alarm(f"node-{i}-down", f"{hosts[i]}: EC2 status check failing (node down or unreachable)",
              namespace="AWS/EC2", metric_name="StatusCheckFailed", dimensions={"InstanceId": inst.id},
              statistic="Maximum", period=MIN_ALARM_PERIOD, evaluation_periods=2, datapoints_to_alarm=2,
              threshold=1, treat_missing_data="breaching")
        for kind, metric, what in (("disk", DISK_ALARM_METRIC, "free disk below the limit: publishers blocked"),
                                   ("memory", MEMORY_ALARM_METRIC, "memory high watermark: publishers blocked")):
            alarm(f"node-{i}-{kind}", f"{hosts[i]}: RabbitMQ {what}", namespace=ns, metric_name=metric,
                  dimensions={"node": hosts[i]}, statistic="Maximum", period=MIN_ALARM_PERIOD,
                  evaluation_periods=1, threshold=1, treat_missing_data="notBreaching")
    for q in a.queue_alarms:
        alarm(f"{q.queue}-{q.kind}", f"{q.queue} holds at least {q.threshold} ready messages"
              + (f" for {q.minutes} minutes" if q.minutes > 1 else ""),
              namespace=ns, metric_name=QUEUE_METRIC, dimensions={"vhost": a.vhost, "queue": q.queue},
              statistic="Maximum", period=MIN_ALARM_PERIOD, evaluation_periods=q.minutes,
              datapoints_to_alarm=q.minutes, threshold=q.threshold, treat_missing_data="notBreaching")


# ------------------------------------------------------------------------------------------ GCP


def _gcp_alerts(bp: Blueprint, name: str, a: RabbitClusterArgs) -> None:
    channels = gcp_channels(bp, name, a.notify, display_prefix=f"queuekit {a.stack_prefix} {a.broker}",
                            project=a.fleet.project, labels=a.tags) or None
    prefix = f"{a.stack_prefix}-{a.broker}"

    def alert(key: str, title: str, condition: dict[str, Any]) -> None:
        bp.add("gcp:monitoring/alertPolicy:AlertPolicy", f"{name}.alert.{key}", display_name=f"{prefix}: {title}",
               combiner="OR", conditions=[{"display_name": title, **condition}], notification_channels=channels,
               severity="ERROR", user_labels=a.tags, project=a.fleet.project)

    def prom(metric: str, labels: dict[str, str]) -> str:
        where = "".join(f' AND metric.labels.{k} = "{v}"' for k, v in labels.items())
        return f'resource.type = "prometheus_target" AND metric.type = "prometheus.googleapis.com/{metric}/gauge"' \
               + where

    for i, host in enumerate(hostnames(a.fleet)):
        instance = f"{a.fleet.physical}-{i}"
        alert(f"node-{i}-down", f"{host} down (no uptime for 5 minutes)", {"condition_absent": {
            "filter": f'resource.type = "gce_instance" AND metric.type = "compute.googleapis.com/instance/uptime" '
                      f'AND metric.labels.instance_name = "{instance}"',
            "duration": "300s", "aggregations": [{"alignment_period": "60s", "per_series_aligner": "ALIGN_MAX"}]}})
        for kind, metric in (("disk", DISK_ALARM_METRIC), ("memory", MEMORY_ALARM_METRIC)):
            alert(f"node-{i}-{kind}", f"{host} RabbitMQ {kind} alarm", {"condition_threshold": {
                "filter": prom(metric, {"node": host}), "comparison": "COMPARISON_GT", "threshold_value": 0,
                "duration": "0s", "aggregations": [{"alignment_period": "60s", "per_series_aligner": "ALIGN_MAX"}]}})
    for q in a.queue_alarms:
        # Cloud Monitoring has only GT: "reaches N" is "> N - 1" (see components/gcp_alerts.py).
        alert(f"{q.queue}-{q.kind}", f"{q.queue} holds >= {q.threshold} ready messages", {"condition_threshold": {
            "filter": prom(QUEUE_METRIC, {"vhost": a.vhost, "queue": q.queue}), "comparison": "COMPARISON_GT",
            "threshold_value": q.threshold - 1, "duration": f"{60 * q.minutes if q.minutes > 1 else 0}s",
            "aggregations": [{"alignment_period": "60s", "per_series_aligner": "ALIGN_MAX"}]}})


# ------------------------------------------------------------------------------------ the stack


def queue_alarms(spec: Spec, broker: str) -> tuple[QueueAlarm, ...]:
    """Backlog (5 minutes sustained) and DLQ depth (immediately) per queue, from the spec's thresholds."""
    queues, topics = spec.on_broker(broker)
    alarms = {q.name: q.alarms for q in queues}
    for t in topics:
        for s in t.subscriptions:
            alarms[t.subscription_queue_name(s)] = s.alarms
    out: list[QueueAlarm] = []
    for plan in queue_plans(spec, broker):
        al = alarms[plan.name]
        if al.backlog is not None:
            out.append(QueueAlarm("backlog", plan.name, al.backlog, 5))
        if al.dlq_messages is not None and plan.dlq is not None:
            out.append(QueueAlarm("dlq-messages", plan.dlq, al.dlq_messages, 1))
    return tuple(out)


def cluster_args(spec: Spec, broker: Broker) -> RabbitClusterArgs:
    client_ports = (5671, 15671) if broker.tls else (5672, 15672)
    tags = aws_tags(spec, broker.tags) if broker.cloud == "aws" else gcp_labels(spec, broker.tags)
    name = f"rabbitmq-{broker.name}"
    fleet = fleet_args(spec, broker, name=name, client_ports=client_ports, peer_ports=(4369, 25672, 35672),
                       health_port=client_ports[0], user_data=(),
                       metrics_namespace=f"queuekit/rabbitmq/{spec.project}-{spec.environment}-{broker.name}",
                       tags=tags)
    aws = broker.cloud == "aws"
    fleet = dataclasses.replace(fleet, gzip_user_data=aws, lb_ip=fixed_lb_ip(broker.cloud, fleet.cidr))
    notify = used_targets(spec, broker.name)
    return RabbitClusterArgs(
        broker=broker.name, fleet=fleet, version=broker.version, tls=broker.tls,
        definitions=definitions(spec, broker.name), vhost=vhost_name(spec),
        users=tuple(principals(spec, broker.name)), queue_alarms=queue_alarms(spec, broker.name), notify=notify,
        stack_prefix=f"{spec.project}-{spec.environment}",
        secret_name=f"queuekit/{fleet.physical}/rabbitmq" if aws else f"{fleet.physical}-rabbitmq",
        ca_target=None if not broker.tls else
        f"/queuekit/{fleet.physical}/rabbitmq-ca.pem" if aws else f"{fleet.physical}-rabbitmq-ca",
        tags=tags if broker.cloud == "aws" else {k: gcp_label(v) for k, v in tags.items()})


def add_to_stack(spec: Spec, bp: Blueprint) -> None:
    """One ``queuekit:rabbitmq:Cluster`` per rabbitmq broker, and how clients reach it as stack outputs.

    Clients need the LB address, the vhost, their user's password — exported as secrets
    (``pulumi stack output --show-secrets rabbitmq.<broker>.password.<user>``) — and, with TLS, the
    cluster CA certificate, published by the nodes where ``rabbitmq.<broker>.ca_certificate`` says
    (``ssm:<parameter>`` / ``projects/<project>/secrets/<id>``).
    """
    for broker in spec.brokers.values():
        if broker.engine != "rabbitmq":
            continue
        args = cluster_args(spec, broker)
        h = bp.add_component(RabbitMQCluster, f"rabbitmq-{broker.name}", args)
        key = f"rabbitmq.{broker.name}"
        bp.outputs[f"{key}.address"] = h.address
        bp.outputs[f"{key}.vhost"] = args.vhost
        if args.ca_target is not None:
            bp.outputs[f"{key}.ca_certificate"] = ca_location(args.fleet, args.ca_target)
        bp.outputs[f"{key}.admin_password"] = Secret(h.admin_password)
        for user in args.users:
            bp.outputs[f"{key}.password.{user}"] = Secret(getattr(h, f"password.{user}"))


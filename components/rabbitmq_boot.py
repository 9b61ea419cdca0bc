"""The first-boot script of a RabbitMQ node (EC2 user data / GCE startup-script), and its configs.

One bash script per node, identical across clouds except for the secret/CA commands and the metrics
agent. It holds **no secret** (it names the cluster secret; plain text, gzip-compressed on EC2). It:

1. names the node (``rabbit@<cluster>-<i>``) and writes every peer into ``/etc/hosts``;
2. installs Debian's ``rabbitmq-server`` (pinned when the spec gives ``version``), ``python3-cryptography``
   and ``awscli`` (AWS) / ``jq`` (GCP);
3. reads the **cluster secret** (Erlang cookie, admin password, CA seed, application users' passwords,
   all ``random`` passwords) by name with the node's own identity, retrying while IAM propagates, and
   writes the shared Erlang cookie and the admin password (``components.node_tls``);
4. with TLS: derives the cluster **CA** from the seed (the same on every node), issues the node's
   certificate (hostname, private IP and the load balancer's names, signed by that CA) and publishes the
   CA certificate where the stack output ``rabbitmq.<broker>.ca_certificate`` says (``components.node_tls``);
5. configures **classic-config peer discovery** with the full node list (nodes join whichever
   peer is up first), ``pause_minority`` partition handling, **TLS** listeners only (AMQPS 5671,
   management 15671; plain 5672/15672 closed) with the CA-signed certificate (``cacertfile`` = the
   cluster CA; client certificates are not required — ``fail_if_no_peer_cert = false`` — but one a
   client presents must chain to the CA), the **Prometheus** plugin on 15692 (node-local, for the
   metrics agent; not in the firewall) with per-queue metrics;
6. imports the topology **definitions** at boot (``definitions.local.path``, the document
   ``queuekit render rabbitmq`` prints, plus the admin's access to the vhost) with each
   application user's password (from the secret) turned into a salted hash on the node, so every
   later boot-time import keeps the passwords.

Scripts run once (cloud-init / the guest agent keep a marker), and ``set -euo pipefail`` makes
a failure visible in the serial console instead of leaving a half-configured node.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from components.node_tls import GCP_HELPERS, node_cert_step, read_secret_step

PROMETHEUS_PORT = 15692
QUEUE_METRIC = "rabbitmq_queue_messages_ready"
DISK_ALARM_METRIC = "rabbitmq_alarms_free_disk_space_watermark"
MEMORY_ALARM_METRIC = "rabbitmq_alarms_memory_used_watermark"


@dataclass(frozen=True)
class BootArgs:
    """What one node's script needs: plain values only (the secrets are read on the node)."""

    cloud: str
    index: int
    hostnames: tuple[str, ...]
    hosts_file: str
    ip: str  # the node's private IP (a TLS subject name)
    region: str
    cluster: str  # physical name (the CA's name)
    lb_names: tuple[str, ...]  # extra TLS subject names (DNS names or IPs) of the load balancer
    version: str | None
    tls: bool
    definitions: dict[str, Any]
    vhost: str
    secret_ref: str  # the cluster secret's name (AWS) / secret id (GCP), read by name on the node
    ca_target: str | None  # AWS: SSM parameter name; GCP: secret id receiving the CA certificate (None: no TLS)
    metrics_namespace: str
    log_group: str


def rabbitmq_conf(a: BootArgs) -> str:
    peers = "".join(f"cluster_formation.classic_config.nodes.{i + 1} = rabbit@{h}\n"
                    for i, h in enumerate(a.hostnames))
    listeners = (
        "listeners.tcp = none\n"
        "listeners.ssl.default = 5671\n"
        "ssl_options.cacertfile = /etc/rabbitmq/tls/ca.pem\n"
        "ssl_options.certfile = /etc/rabbitmq/tls/cert.pem\n"
        "ssl_options.keyfile = /etc/rabbitmq/tls/key.pem\n"
        "ssl_options.verify = verify_peer\n"
        "ssl_options.fail_if_no_peer_cert = false\n"
        "ssl_options.versions.1 = tlsv1.3\n"
        "ssl_options.versions.2 = tlsv1.2\n"
        "management.ssl.port = 15671\n"
        "management.ssl.cacertfile = /etc/rabbitmq/tls/ca.pem\n"
        "management.ssl.certfile = /etc/rabbitmq/tls/cert.pem\n"
        "management.ssl.keyfile = /etc/rabbitmq/tls/key.pem\n"
    ) if a.tls else "listeners.tcp.default = 5672\nmanagement.tcp.port = 15672\n"
    return (
        "cluster_formation.peer_discovery_backend = classic_config\n" + peers
        + "cluster_partition_handling = pause_minority\n"
        + listeners
        + f"prometheus.tcp.port = {PROMETHEUS_PORT}\n"
        "prometheus.return_per_object_metrics = true\n"
        "definitions.import_backend = local_filesystem\n"
        "definitions.local.path = /etc/rabbitmq/definitions.json\n"
        "default_user = admin\n"
        "default_user_tags.administrator = true\n"
        "disk_free_limit.absolute = 2GB\n"
        "vm_memory_high_watermark.relative = 0.6\n"
        "log.file.level = info\n"
    )


def prometheus_scrape(a: BootArgs) -> str:
    """Prometheus scrape config for the node's own endpoint, labelled with the node name."""
    host = a.hostnames[a.index]
    return (
        "global:\n  scrape_interval: 60s\n  scrape_timeout: 10s\n"
        "scrape_configs:\n  - job_name: rabbitmq\n    static_configs:\n"
        f"      - targets: ['localhost:{PROMETHEUS_PORT}']\n        labels:\n          node: {host}\n"
    )


def cloudwatch_agent_config(a: BootArgs) -> dict[str, Any]:
    """CloudWatch agent: scrape Prometheus, emit EMF metrics into the cluster's namespace."""
    return {"logs": {"metrics_collected": {"prometheus": {
        "log_group_name": a.log_group,
        "prometheus_config_path": "/opt/aws/amazon-cloudwatch-agent/etc/prometheus.yaml",
        "emf_processor": {"metric_namespace": a.metrics_namespace, "metric_declaration": [
            {"source_labels": ["job"], "label_matcher": "^rabbitmq$", "dimensions": [["vhost", "queue"]],
             "metric_selectors": [f"^{QUEUE_METRIC}$"]},
            {"source_labels": ["job"], "label_matcher": "^rabbitmq$", "dimensions": [["node"]],
             "metric_selectors": [f"^{DISK_ALARM_METRIC}$", f"^{MEMORY_ALARM_METRIC}$"]},
        ]}}}}}


def ops_agent_config(a: BootArgs) -> str:
    """Google Ops Agent: a Prometheus receiver on the node's endpoint (metrics land as prometheus_target)."""
    host = a.hostnames[a.index]
    return (
        "metrics:\n  receivers:\n    rabbitmq_prometheus:\n      type: prometheus\n      config:\n"
        "        scrape_configs:\n          - job_name: rabbitmq\n            scrape_interval: 60s\n"
        f"            static_configs:\n              - targets: ['localhost:{PROMETHEUS_PORT}']\n"
        f"                labels:\n                  node: {host}\n"
        "  service:\n    pipelines:\n      rabbitmq:\n        receivers: [rabbitmq_prometheus]\n"
    )


def _agent(a: BootArgs) -> str:
    if a.cloud == "aws":
        return (
            "curl -fsSLo /tmp/cwagent.deb "
            "https://s3.amazonaws.com/amazoncloudwatch-agent/debian/amd64/latest/amazon-cloudwatch-agent.deb\n"
            "dpkg -i /tmp/cwagent.deb\n"
            "cat > /opt/aws/amazon-cloudwatch-agent/etc/prometheus.yaml <<'QK_EOF'\n" + prometheus_scrape(a)
            + "QK_EOF\n"
            "cat > /opt/aws/amazon-cloudwatch-agent/etc/queuekit.json <<'QK_EOF'\n"
            + json.dumps(cloudwatch_agent_config(a), indent=1) + "\nQK_EOF\n"
            "/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s "
            "-c file:/opt/aws/amazon-cloudwatch-agent/etc/queuekit.json\n"
        )
    return (
        "curl -fsSL https://dl.google.com/cloudagents/add-google-cloud-ops-agent-repo.sh | bash -s -- --also-install\n"
        "cat > /etc/google-cloud-ops-agent/config.yaml <<'QK_EOF'\n" + ops_agent_config(a) + "QK_EOF\n"
        "systemctl restart google-cloud-ops-agent\n"
    )


# Salted SHA-256 hashes (rabbit_password_hashing_sha256) of the application users' passwords (the cluster
# secret's ``users``, in QK_SECRETS), written into the definitions file on the node: every boot-time import
# then keeps the passwords, and the plain passwords never touch the disk.
HASH_PASSWORDS = """import base64, hashlib, json, os, sys
path = sys.argv[1]
doc = json.load(open(path))
passwords = json.loads(os.environ["QK_SECRETS"])["users"]
for user in doc["users"]:
    if user["name"] in passwords:
        salt = os.urandom(4)
        digest = hashlib.sha256(salt + passwords[user["name"]].encode()).digest()
        user["password_hash"] = base64.b64encode(salt + digest).decode()
json.dump(doc, open(path, "w"), indent=1)
"""


def boot_definitions(a: BootArgs) -> dict[str, Any]:
    """The rendered definitions plus the admin's access to the vhost (operators and ``verify`` need it)."""
    admin = {"user": "admin", "vhost": a.vhost, "configure": ".*", "write": ".*", "read": ".*"}
    return {**a.definitions, "permissions": [*a.definitions["permissions"], admin]}


def _tls(a: BootArgs) -> str:
    """The CA-signed node certificate (``components.node_tls``), split into the files rabbitmq.conf names."""
    if a.ca_target is None:
        return ""
    tls = "/etc/rabbitmq/tls"
    return (node_cert_step(a.cloud, a.region, "rabbitmq", "/etc/rabbitmq", a.cluster, a.hostnames[a.index], a.ip,
                           a.lb_names)
            + f"openssl pkey -in {tls}/node.pem -out {tls}/key.pem\n"
            f"openssl x509 -in {tls}/node.pem -out {tls}/cert.pem\n"
            f"chown rabbitmq:rabbitmq {tls}/*.pem\n")


def boot_script(a: BootArgs) -> str:
    """The node's whole script (plain text: it names the cluster secret, it does not hold it)."""
    host = a.hostnames[a.index]
    package = f"rabbitmq-server={a.version}*" if a.version else "rabbitmq-server"
    tools = "python3-cryptography awscli" if a.cloud == "aws" else "python3-cryptography jq"
    names = f"SECRET='{a.secret_ref}'\n" + (f"CA_TARGET='{a.ca_target}'\n" if a.ca_target else "")
    return (
        "#!/bin/bash\n# queuekit: RabbitMQ node first boot (see components/rabbitmq_boot.py)\nset -euo pipefail\n"
        + names + f"hostnamectl set-hostname {host}\n"
        "cat >> /etc/hosts <<'QK_EOF'\n" + a.hosts_file + "QK_EOF\n"
        "export DEBIAN_FRONTEND=noninteractive\n"
        "apt-get update -q\n"
        f"apt-get install -y -q --no-install-recommends {package} openssl curl ca-certificates {tools}\n"
        "systemctl stop rabbitmq-server\n"
        "rm -rf /var/lib/rabbitmq/mnesia\n"  # the package's first start used the old hostname
        "umask 077\n"
        + GCP_HELPERS + read_secret_step(a.cloud, a.region)
        + "printf '%s' \"$(field erlang_cookie)\" > /var/lib/rabbitmq/.erlang.cookie\n"
        "chown rabbitmq:rabbitmq /var/lib/rabbitmq/.erlang.cookie\nchmod 0400 /var/lib/rabbitmq/.erlang.cookie\n"
        "install -d -m 0750 -o rabbitmq -g rabbitmq /etc/rabbitmq/tls\n"
        + _tls(a)
        + "cat > /etc/rabbitmq/rabbitmq.conf <<'QK_EOF'\n" + rabbitmq_conf(a) + "QK_EOF\n"
        "printf 'default_pass = %s\\n' \"$(field admin_password)\" >> /etc/rabbitmq/rabbitmq.conf\n"
        "chown rabbitmq:rabbitmq /etc/rabbitmq/rabbitmq.conf\nchmod 0640 /etc/rabbitmq/rabbitmq.conf\n"
        "cat > /etc/rabbitmq/definitions.json <<'QK_EOF'\n" + json.dumps(boot_definitions(a), indent=1) + "\nQK_EOF\n"
        "QK_SECRETS=\"$SECRETS\" python3 - /etc/rabbitmq/definitions.json <<'QK_EOF'\n" + HASH_PASSWORDS + "QK_EOF\n"
        "chown rabbitmq:rabbitmq /etc/rabbitmq/definitions.json\nchmod 0640 /etc/rabbitmq/definitions.json\n"
        "echo '[rabbitmq_management,rabbitmq_prometheus].' > /etc/rabbitmq/enabled_plugins\n"
        "systemctl enable --now rabbitmq-server\n"
        "rabbitmqctl await_startup --timeout 600\n"
        + _agent(a)
        + "echo 'queuekit: rabbitmq node ready'\n"
    )

"""The first-boot script of a RabbitMQ node (EC2 user data / GCE startup-script), and its configs.

One bash script per node, identical across clouds except for the metrics agent. It:

1. names the node (``rabbit@<cluster>-<i>``) and writes every peer into ``/etc/hosts``;
2. installs Debian's ``rabbitmq-server`` (pinned when the spec gives ``version``);
3. writes the shared **Erlang cookie** and the **admin password** — both Pulumi secrets from
   ``random`` resources, so the whole script is a secret input and never shown in plans;
4. configures **classic-config peer discovery** with the full node list (nodes join whichever
   peer is up first), ``pause_minority`` partition handling, **TLS** listeners only (AMQPS 5671,
   management 15671; plain 5672/15672 closed) with a certificate made on first boot for the
   node's name and the load balancer (replace ``/etc/rabbitmq/tls`` with your CA's certificates;
   the spec has no certificate field yet), the **Prometheus** plugin on 15692 (node-local, for
   the metrics agent; not in the firewall) with per-queue metrics;
5. imports the topology **definitions** at boot (``definitions.local.path``, the document
   ``queuekit render rabbitmq`` prints, plus the admin's access to the vhost) with each
   application user's password (also secrets) turned into a salted hash on the node, so every
   later boot-time import keeps the passwords.

Scripts run once (cloud-init / the guest agent keep a marker), and ``set -euo pipefail`` makes
a failure visible in the serial console instead of leaving a half-configured node.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from components.blueprint import Concat

PROMETHEUS_PORT = 15692
QUEUE_METRIC = "rabbitmq_queue_messages_ready"
DISK_ALARM_METRIC = "rabbitmq_alarms_free_disk_space_watermark"
MEMORY_ALARM_METRIC = "rabbitmq_alarms_memory_used_watermark"


@dataclass(frozen=True)
class BootArgs:
    """What one node's script needs; secrets are refs to ``random`` passwords."""

    cloud: str
    index: int
    hostnames: tuple[str, ...]
    hosts_file: str
    lb_name: str  # extra TLS subject name for the load balancer
    version: str | None
    tls: bool
    definitions: dict[str, Any]
    vhost: str
    cookie: Any
    admin_password: Any
    user_passwords: tuple[tuple[str, Any], ...]  # (user, password ref), set by node 0
    metrics_namespace: str
    log_group: str


def rabbitmq_conf(a: BootArgs) -> str:
    peers = "".join(f"cluster_formation.classic_config.nodes.{i + 1} = rabbit@{h}\n"
                    for i, h in enumerate(a.hostnames))
    listeners = (
        "listeners.tcp = none\n"
        "listeners.ssl.default = 5671\n"
        "ssl_options.certfile = /etc/rabbitmq/tls/cert.pem\n"
        "ssl_options.keyfile = /etc/rabbitmq/tls/key.pem\n"
        "ssl_options.verify = verify_none\n"
        "ssl_options.fail_if_no_peer_cert = false\n"
        "ssl_options.versions.1 = tlsv1.3\n"
        "ssl_options.versions.2 = tlsv1.2\n"
        "management.ssl.port = 15671\n"
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


# Salted SHA-256 hashes (rabbit_password_hashing_sha256) of the application users' passwords, written
# into the definitions file on the node: every boot-time import then keeps the passwords, and the
# plain passwords never touch the disk.
HASH_PASSWORDS = """import base64, hashlib, json, os, sys
path = sys.argv[1]
doc = json.load(open(path))
passwords = json.loads(os.environ["QK_PASSWORDS"])
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


def _password_json(passwords: tuple[tuple[str, Any], ...]) -> list[Any]:
    """JSON object members ``"user": "<password>"`` as Concat parts (passwords are alphanumeric refs)."""
    parts: list[Any] = []
    for i, (user, ref) in enumerate(passwords):
        parts += [("," if i else "") + json.dumps(user) + ':"', ref, '"']
    return parts


def boot_script(a: BootArgs) -> Concat:
    """The node's whole script; a Concat because the secrets are refs (wrap it in ``Secret``)."""
    host = a.hostnames[a.index]
    package = f"rabbitmq-server={a.version}*" if a.version else "rabbitmq-server"
    names = " ".join(["localhost", host, a.lb_name])
    parts: list[Any] = [
        "#!/bin/bash\n# queuekit: RabbitMQ node first boot (see components/rabbitmq_boot.py)\nset -euo pipefail\n"
        f"hostnamectl set-hostname {host}\n"
        "cat >> /etc/hosts <<'QK_EOF'\n" + a.hosts_file + "QK_EOF\n"
        "export DEBIAN_FRONTEND=noninteractive\n"
        "apt-get update -q\n"
        f"apt-get install -y -q --no-install-recommends {package} openssl curl ca-certificates\n"
        "systemctl stop rabbitmq-server\n"
        "rm -rf /var/lib/rabbitmq/mnesia\n"  # the package's first start used the old hostname
        "umask 077\n"
        "printf '%s' '", a.cookie, "' > /var/lib/rabbitmq/.erlang.cookie\n"
        "chown rabbitmq:rabbitmq /var/lib/rabbitmq/.erlang.cookie\nchmod 0400 /var/lib/rabbitmq/.erlang.cookie\n"
        "install -d -m 0750 -o rabbitmq -g rabbitmq /etc/rabbitmq/tls\n"
        f"openssl req -x509 -newkey rsa:3072 -nodes -days 825 -subj '/CN={host}' "
        f"-addext 'subjectAltName={','.join('DNS:' + n for n in names.split())}' "
        "-keyout /etc/rabbitmq/tls/key.pem -out /etc/rabbitmq/tls/cert.pem\n"
        "chown rabbitmq:rabbitmq /etc/rabbitmq/tls/*.pem\n"
        "cat > /etc/rabbitmq/rabbitmq.conf <<'QK_EOF'\n" + rabbitmq_conf(a) + "QK_EOF\n"
        "printf 'default_pass = %s\\n' '", a.admin_password, "' >> /etc/rabbitmq/rabbitmq.conf\n"
        "chown rabbitmq:rabbitmq /etc/rabbitmq/rabbitmq.conf\nchmod 0640 /etc/rabbitmq/rabbitmq.conf\n"
        "cat > /etc/rabbitmq/definitions.json <<'QK_EOF'\n" + json.dumps(boot_definitions(a), indent=1) + "\nQK_EOF\n"
        "QK_PASSWORDS='{",
        *_password_json(a.user_passwords),
        "}' python3 - /etc/rabbitmq/definitions.json <<'QK_EOF'\n" + HASH_PASSWORDS + "QK_EOF\n"
        "chown rabbitmq:rabbitmq /etc/rabbitmq/definitions.json\nchmod 0640 /etc/rabbitmq/definitions.json\n"
        "echo '[rabbitmq_management,rabbitmq_prometheus].' > /etc/rabbitmq/enabled_plugins\n"
        "systemctl enable --now rabbitmq-server\n"
        "rabbitmqctl await_startup --timeout 600\n"
        + _agent(a)
    ]
    parts.append("echo 'queuekit: rabbitmq node ready'\n")
    return Concat(tuple(parts))

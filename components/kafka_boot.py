"""The boot script (EC2 user data / GCE startup-script) of one Kafka node, and the KRaft layout rule.

**KRaft layout** (:func:`roles`): up to 3 nodes run *combined* (broker + controller on every node; the
quorum is all nodes, so 3 nodes survive one failure, 1–2 nodes survive none). Above 3 nodes, 3 extra
VMs are *dedicated controllers* (``process.roles=controller``) and the ``nodes`` VMs are brokers only:
a controller quorum larger than 3 only slows metadata commits, and keeping brokers' load (page cache,
GC pauses, disk) away from the quorum is Kafka's production recommendation. Controllers come last
(``<name>-<nodes>`` …) so broker ids equal the spec's node indexes.

**What the script does** (Debian 12, first boot; every step is idempotent, so a reboot re-runs it safely):

1. installs Java 17, ``awscli`` (AWS) and ``python3-cryptography`` from Debian, and Kafka from the Apache
   archive, checking the archive's SHA-512;
2. reads the cluster secret (admin password, CA seed, application users' passwords) by its name from
   Secrets Manager / Secret Manager with the node's own identity, retrying while IAM propagates — **no
   secret is in the user data**, which any local process can read via IMDS. The script is plain text
   (names only, no deploy-time refs), so EC2 can get it gzip-compressed under the 16 KB user-data cap;
3. derives the cluster CA from the seed (an ECDSA P-256 key; every node builds the same CA certificate up to
   its randomized signature bytes, without talking to the others — see ``components.node_tls``), issues its own node
   certificate (CN and SAN = hostname and private IP, plus the load balancer's name so clients can
   bootstrap through it with hostname verification on), and publishes the CA certificate for clients
   (SSM parameter / Secret Manager secret named in the stack outputs);
4. writes ``server.properties``: listeners ``CLIENT`` 9093 (SASL_SSL, SCRAM-SHA-512) for applications,
   ``INTERNAL`` 9094 (SASL_SSL) between brokers, ``CONTROLLER`` 9095 (mutual TLS; node certificates map
   to the super-user ``kafka-node``); ``broker.rack`` = the node's zone; the StandardAuthorizer with
   ``allow.everyone.if.no.acl.found=false``; durability defaults (``min.insync.replicas=2`` when there
   are 3+ brokers, ``unclean.leader.election.enable=false``, internal topics replicated 3 times);
5. formats the storage once (cluster id derived from project/environment/broker, the admin SCRAM
   credential added at format time) and starts Kafka under systemd with the Prometheus JMX exporter;
6. installs the metrics pusher (``queuekit-kafka-metrics``, every 60 s) that reads the exporter and
   Kafka's consumer-group offsets and writes the alarm metrics (see ``components/kafka_alarms.py``);
7. on node 0 only: installs ``queuekit-kafka-provision``, a systemd unit running the topology script of
   ``components/kafka_provision.py`` (topics, configs, SCRAM users from the secret, ACLs) once every broker
   has registered, retried every 30 s until it succeeds and re-run on every boot (it is idempotent).
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from components.node_tls import GCP_HELPERS, node_cert_step, read_secret_step

CLIENT_PORT = 9093
INTERNAL_PORT = 9094
CONTROLLER_PORT = 9095
JMX_EXPORTER_PORT = 7071
DEFAULT_VERSION = "4.1.1"
SCALA = "2.13"
JMX_EXPORTER_VERSION = "1.0.1"
NODE_PRINCIPAL = "kafka-node"
# Expanded by the shell on the node (the heredocs that use it are unquoted): the password never leaves the node.
JAAS = 'org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$ADMIN_PASSWORD";'
METRICS_NAMESPACE = "queuekit/kafka"
# Prometheus JMX exporter rules (the jmx_exporter project's Kafka example): Yammer gauges become
# kafka_<domain>_<type>_<name> (lower case) with their extra key properties as labels, which is what
# metrics_pusher reads (e.g. kafka_server_replicamanager_underreplicatedpartitions,
# kafka_log_log_logendoffset{topic=…, partition=…}). Without them the default naming would put the
# MBean name in a label and the pusher would find nothing.
JMX_RULES = """lowercaseOutputName: true
rules:
  - pattern: 'kafka.(\\w+)<type=(.+), name=(.+), (.+)=(.+), (.+)=(.+)><>Value'
    name: kafka_$1_$2_$3
    type: GAUGE
    labels: {"$4": "$5", "$6": "$7"}
  - pattern: 'kafka.(\\w+)<type=(.+), name=(.+), (.+)=(.+)><>Value'
    name: kafka_$1_$2_$3
    type: GAUGE
    labels: {"$4": "$5"}
  - pattern: 'kafka.(\\w+)<type=(.+), name=(.+)><>Value'
    name: kafka_$1_$2_$3
    type: GAUGE
"""


def roles(nodes: int) -> tuple[str, ...]:
    """``process.roles`` of every VM: ``nodes`` brokers, plus 3 dedicated controllers above 3 nodes."""
    if nodes <= 3:
        return ("broker,controller",) * nodes
    return ("broker",) * nodes + ("controller",) * 3


def cluster_id(project: str, environment: str, broker: str) -> str:
    """A stable KRaft cluster id (16 bytes, URL-safe base64): the same on every node, every deploy."""
    digest = hashlib.sha256(f"queuekit/{project}/{environment}/{broker}".encode()).digest()[:16]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


@dataclass(frozen=True)
class NodeBoot:
    """Everything one node's script needs: plain values only, so the script is plain text."""

    cloud: str
    index: int
    role: str
    hostname: str
    ip: str
    zone: str
    hosts_file: str
    voters: str  # controller.quorum.voters
    brokers: int
    cluster_id: str
    cluster: str  # physical name, the metrics' Cluster dimension
    region: str
    version: str
    secret_ref: str  # the cluster secret's name (AWS) / secret id (GCP), read by name on the node
    ca_target: str  # AWS: SSM parameter name; GCP: secret id receiving the CA certificate
    groups: tuple[str, ...]  # consumer groups whose lag the pusher reports
    dlq_topics: tuple[str, ...] = ()  # DLQ topics whose retained records the pusher reports
    lb_names: tuple[str, ...] = ()  # extra TLS subject names (DNS names or IPs) clients bootstrap through
    provision: str | None = None  # the topology script (node 0 only)


def server_properties(b: NodeBoot) -> str:
    """The node's ``server.properties`` (the admin password is filled in on the node from the secret)."""
    min_isr = 2 if b.brokers >= 3 else 1
    internal_rf = min(3, b.brokers)
    lines = [
        f"process.roles={b.role}",
        f"node.id={b.index}",
        f"controller.quorum.voters={b.voters}",
        "controller.listener.names=CONTROLLER",
        "log.dirs=/var/lib/kafka/data",
        "ssl.keystore.type=PEM",
        "ssl.keystore.location=/etc/kafka/tls/node.pem",
        "ssl.truststore.type=PEM",
        "ssl.truststore.location=/etc/kafka/tls/ca.pem",
        "ssl.endpoint.identification.algorithm=https",
        f"ssl.principal.mapping.rules=RULE:^CN={b.hostname.rsplit('-', 1)[0]}-[0-9]+$/{NODE_PRINCIPAL}/,DEFAULT",
        "listener.name.controller.ssl.client.auth=required",
        "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        f"super.users=User:admin;User:{NODE_PRINCIPAL}",
        "allow.everyone.if.no.acl.found=false",
        "auto.create.topics.enable=false",
        "unclean.leader.election.enable=false",
        f"min.insync.replicas={min_isr}",
        f"default.replication.factor={internal_rf}",
        f"offsets.topic.replication.factor={internal_rf}",
        f"transaction.state.log.replication.factor={internal_rf}",
        f"transaction.state.log.min.isr={min_isr}",
        f"share.coordinator.state.topic.replication.factor={internal_rf}",
        f"share.coordinator.state.topic.min.isr={min_isr}",
    ]
    if "broker" in b.role:
        lines += [
            f"listeners=CLIENT://0.0.0.0:{CLIENT_PORT},INTERNAL://0.0.0.0:{INTERNAL_PORT}"
            + (f",CONTROLLER://0.0.0.0:{CONTROLLER_PORT}" if "controller" in b.role else ""),
            # Clients reach brokers by IP (no DNS needed from client networks); peers by the /etc/hosts names.
            f"advertised.listeners=CLIENT://{b.ip}:{CLIENT_PORT},INTERNAL://{b.hostname}:{INTERNAL_PORT}",
            "listener.security.protocol.map=CLIENT:SASL_SSL,INTERNAL:SASL_SSL,CONTROLLER:SSL",
            "inter.broker.listener.name=INTERNAL",
            "sasl.enabled.mechanisms=SCRAM-SHA-512",
            "sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512",
            f"broker.rack={b.zone}",
        ]
    else:
        lines += [f"listeners=CONTROLLER://0.0.0.0:{CONTROLLER_PORT}",
                  "listener.security.protocol.map=CONTROLLER:SSL"]
    return "\n".join(lines) + "\n"


def boot_script(b: NodeBoot) -> str:
    """The node's boot script (plain text: it names the secret, it does not hold it)."""
    archive = f"kafka_{SCALA}-{b.version}"
    url = f"https://archive.apache.org/dist/kafka/{b.version}/{archive}.tgz"
    exporter = ("https://repo1.maven.org/maven2/io/prometheus/jmx/jmx_prometheus_javaagent/"
                f"{JMX_EXPORTER_VERSION}/jmx_prometheus_javaagent-{JMX_EXPORTER_VERSION}.jar")
    packages = ("openjdk-17-jre-headless python3-cryptography awscli curl" if b.cloud == "aws" else
                "openjdk-17-jre-headless python3-cryptography curl jq")
    head = f"""#!/bin/bash
# queuekit: Kafka {b.version} node {b.hostname} ({b.role}) — see components/kafka_boot.py
set -euo pipefail
umask 077
"""
    body = f"""
{GCP_HELPERS}
hostnamectl set-hostname {b.hostname}
grep -q '# queuekit kafka' /etc/hosts || {{ echo '# queuekit kafka'; cat <<'HOSTS'; }} >> /etc/hosts
{b.hosts_file}HOSTS

export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends {packages}

id kafka >/dev/null 2>&1 || useradd --system --home /var/lib/kafka --shell /usr/sbin/nologin kafka
install -d -o kafka -g kafka -m 0750 /var/lib/kafka /var/lib/kafka/data /etc/kafka /etc/kafka/tls /opt
if [ ! -d /opt/{archive} ]; then
  curl -sfLo /tmp/{archive}.tgz {url}
  curl -sfLo /tmp/{archive}.tgz.sha512 {url}.sha512
  want=$(tr -d ' \\n' < /tmp/{archive}.tgz.sha512 | sed 's/.*://' | tr 'A-F' 'a-f')
  echo "$want  /tmp/{archive}.tgz" | sha512sum -c -
  tar -xzf /tmp/{archive}.tgz -C /opt && ln -sfn /opt/{archive} /opt/kafka
fi
[ -f /opt/kafka/jmx_exporter.jar ] || curl -sfLo /opt/kafka/jmx_exporter.jar {exporter}
cat > /etc/kafka/jmx-exporter.yaml <<'YAML'
{JMX_RULES}YAML

{read_secret_step(b.cloud, b.region)}ADMIN_PASSWORD=$(field admin_password)
{node_cert_step(b.cloud, b.region, "kafka", "/etc/kafka", b.cluster, b.hostname, b.ip, b.lb_names)}
cat > /etc/kafka/server.properties <<'PROPS'
{server_properties(b)}PROPS
cat >> /etc/kafka/server.properties <<PROPS
listener.name.internal.scram-sha-512.sasl.jaas.config={JAAS}
listener.name.client.scram-sha-512.sasl.jaas.config={JAAS}
PROPS
cat > /etc/kafka/admin.properties <<PROPS
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config={JAAS}
ssl.truststore.type=PEM
ssl.truststore.location=/etc/kafka/tls/ca.pem
PROPS
chown -R kafka:kafka /etc/kafka /var/lib/kafka && chmod 0600 /etc/kafka/*.properties /etc/kafka/tls/*.pem

if [ ! -f /var/lib/kafka/data/meta.properties ]; then
  sudo -u kafka /opt/kafka/bin/kafka-storage.sh format --cluster-id={b.cluster_id} \\
    --config /etc/kafka/server.properties --add-scram "SCRAM-SHA-512=[name=admin,password=$ADMIN_PASSWORD]"
fi

cat > /etc/systemd/system/kafka.service <<'UNIT'
[Unit]
Description=Apache Kafka (queuekit)
After=network-online.target
Wants=network-online.target
[Service]
User=kafka
Environment=KAFKA_HEAP_OPTS=-Xms1g -Xmx1g
Environment=KAFKA_OPTS=-javaagent:/opt/kafka/jmx_exporter.jar=127.0.0.1:{JMX_EXPORTER_PORT}:/etc/kafka/jmx-exporter.yaml
ExecStart=/opt/kafka/bin/kafka-server-start.sh /etc/kafka/server.properties
Restart=on-failure
LimitNOFILE=100000
[Install]
WantedBy=multi-user.target
UNIT
cat > /etc/systemd/system/queuekit-kafka-metrics.service <<'UNIT'
[Unit]
Description=queuekit Kafka alarm metrics
[Service]
Type=oneshot
ExecStart=/usr/bin/python3 /etc/kafka/metrics.py
UNIT
cat > /etc/systemd/system/queuekit-kafka-metrics.timer <<'UNIT'
[Timer]
OnBootSec=120
OnUnitActiveSec=60
[Install]
WantedBy=timers.target
UNIT
cat > /etc/kafka/metrics.py <<'PY'
{metrics_pusher(b)}PY
systemctl daemon-reload
systemctl enable --now kafka.service queuekit-kafka-metrics.timer
"""
    names = f"SECRET='{b.secret_ref}'\nCA_TARGET='{b.ca_target}'\n"
    return head + names + body + (provision_step(b) if b.provision else "")


def provision_step(b: NodeBoot) -> str:
    """Node 0: the application users' passwords (from the secret) and the topology unit."""
    return f"""
python3 -c "import json,sys; json.dump(json.loads(sys.stdin.read()).get('users', {{}}), sys.stdout)" \
  <<<"$SECRETS" > /etc/kafka/passwords.json
chmod 0600 /etc/kafka/passwords.json
cat > /etc/kafka/provision.sh <<'SH'
{b.provision}SH
cat > /etc/systemd/system/queuekit-kafka-provision.service <<'UNIT'
[Unit]
Description=queuekit: apply the Kafka topology plan (components/kafka_provision.py)
After=kafka.service
Requires=kafka.service
StartLimitIntervalSec=0
[Service]
Type=oneshot
Environment=KAFKA_BIN=/opt/kafka/bin BOOTSTRAP={b.hostname}:{CLIENT_PORT} ADMIN_CONFIG=/etc/kafka/admin.properties
Environment=PASSWORDS=/etc/kafka/passwords.json
ExecStart=/bin/bash /etc/kafka/provision.sh
Restart=on-failure
RestartSec=30
RestartPreventExitStatus=2
[Install]
WantedBy=multi-user.target
UNIT
systemctl daemon-reload
systemctl enable queuekit-kafka-provision.service
systemctl start --no-block queuekit-kafka-provision.service
"""


def metrics_pusher(b: NodeBoot) -> str:
    """A stdlib-only script: JMX exporter + consumer-group lag + disk → CloudWatch / Cloud Monitoring."""
    return f'''import json, re, shutil, subprocess, time, urllib.request
CLUSTER, NODE, CLOUD, REGION = "{b.cluster}", "{b.hostname}", "{b.cloud}", "{b.region}"
GROUPS = {list(b.groups)!r}
DLQ_TOPICS = {list(b.dlq_topics)!r}
IS_BROKER = {"broker" in b.role}
DLQ_OFFSETS = {{}}  # topic -> {{"end": sum of log-end offsets, "start": sum of log-start offsets}} on this broker

def jmx():
    try:
        text = urllib.request.urlopen("http://127.0.0.1:{JMX_EXPORTER_PORT}/metrics", timeout=10).read().decode()
    except OSError:
        return None
    out = {{}}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            series, _, value = line.rpartition(" ")
            name = series.split("{{")[0]
            out[name] = out.get(name, 0.0) + float(value)
            topic = re.search(r'topic="([^"]*)"', series)
            if name in ("kafka_log_log_logendoffset", "kafka_log_log_logstartoffset") and topic \
                    and topic.group(1) in DLQ_TOPICS:
                key = "end" if name.endswith("endoffset") else "start"
                per = DLQ_OFFSETS.setdefault(topic.group(1), {{"end": 0.0, "start": 0.0}})
                per[key] += float(value)
    return out

def lag(group):
    cmd = ["/opt/kafka/bin/kafka-consumer-groups.sh", "--bootstrap-server", NODE + ":{CLIENT_PORT}",
           "--command-config", "/etc/kafka/admin.properties", "--describe", "--group", group]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=50)
    rows = [r.split() for r in res.stdout.splitlines() if r.startswith(group + " ")]
    return float(sum(int(r[5]) for r in rows if len(r) > 5 and r[5].isdigit()))

points = []  # (metric, value, dimensions)
m = jmx()
up = 1.0 if m is not None and (not IS_BROKER or "kafka_server_replicamanager_leadercount" in m) else 0.0
points.append(("BrokerUp", up, {{"Cluster": CLUSTER, "Node": NODE}}))
if m is not None and IS_BROKER:
    points.append(("UnderReplicatedPartitions", m.get("kafka_server_replicamanager_underreplicatedpartitions", 0.0),
                   {{"Cluster": CLUSTER}}))
if m is not None and "kafka_controller_kafkacontroller_offlinepartitionscount" in m:
    points.append(("OfflinePartitions", m["kafka_controller_kafkacontroller_offlinepartitionscount"],
                   {{"Cluster": CLUSTER}}))
usage = shutil.disk_usage("/var/lib/kafka/data")
points.append(("DiskUsedPercent", 100.0 * usage.used / usage.total, {{"Cluster": CLUSTER, "Node": NODE}}))
if IS_BROKER and up:
    for g in GROUPS:
        points.append(("ConsumerLag", lag(g), {{"Cluster": CLUSTER, "ConsumerGroup": g}}))
    # Records a DLQ topic retains (log end - log start) on the replicas this broker holds.
    for t, off in DLQ_OFFSETS.items():
        points.append(("DlqRecords", off["end"] - off["start"], {{"Cluster": CLUSTER, "Topic": t}}))

if CLOUD == "aws":
    data = [{{"MetricName": n, "Value": v, "Dimensions": [{{"Name": k, "Value": d[k]}} for k in d]}}
            for n, v, d in points]
    for i in range(0, len(data), 20):
        subprocess.run(["aws", "cloudwatch", "put-metric-data", "--region", REGION, "--namespace",
                        "{METRICS_NAMESPACE}", "--metric-data", json.dumps(data[i:i + 20])], check=True)
else:
    def meta(path):
        req = urllib.request.Request("http://metadata.google.internal/computeMetadata/v1/" + path,
                                     headers={{"Metadata-Flavor": "Google"}})
        return urllib.request.urlopen(req, timeout=10).read().decode()
    # Every series carries the node label: Cloud Monitoring rejects two writers on one series.
    token = json.loads(meta("instance/service-accounts/default/token"))["access_token"]
    project = meta("project/project-id")
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    series = [{{"metric": {{"type": "custom.googleapis.com/queuekit/kafka/" + n,
                          "labels": {{**{{k.lower(): d[k] for k in d}}, "node": NODE}}}},
               "resource": {{"type": "global", "labels": {{"project_id": project}}}},
               "points": [{{"interval": {{"endTime": now}}, "value": {{"doubleValue": v}}}}]}} for n, v, d in points]
    for i in range(0, len(series), 200):
        req = urllib.request.Request(
            f"https://monitoring.googleapis.com/v3/projects/{{project}}/timeSeries", method="POST",
            data=json.dumps({{"timeSeries": series[i:i + 200]}}).encode(),
            headers={{"Authorization": "Bearer " + token, "Content-Type": "application/json"}})
        urllib.request.urlopen(req, timeout=20)
'''

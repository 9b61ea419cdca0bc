"""The RabbitMQ cluster component under Pulumi mocks (AWS and GCP): secrets, boot script, alarms.

Also runs the boot script's password-hashing step on the generated definitions and imports the
result into the real test broker: the users the VMs create can log in with their passwords.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from typing import Any

import pika
import pytest
from factories import load
from rabbitmq_factory import rabbit_dict
from support.rabbitmq_cluster import RabbitCluster

from components.blueprint import Ref, Secret
from components.plan import PlanItem, fast_plan, is_secret, mock_plan
from components.program import stack_blueprint
from components.rabbitmq_boot import HASH_PASSWORDS


def plan(cloud: str, engine: str = "fast", **broker: Any) -> dict[str, PlanItem]:
    d = rabbit_dict()
    d["brokers"]["jobs"]["cloud"] = cloud
    d["brokers"]["jobs"].update(broker)
    spec = load(d)
    items = fast_plan(spec) if engine == "fast" else mock_plan(spec)
    return {i.name: i for i in items}


def script(items: dict[str, PlanItem], node: int = 0) -> str:
    x = items[f"rabbitmq-jobs.node-{node}"].inputs
    value = x["userData"] if "userData" in x else x["metadata"]
    assert is_secret(value)
    return value["value"] if "userData" in x else value["value"]["startup-script"]


def heredoc(text: str, target: str) -> str:
    return re.search(rf"cat > {re.escape(target)} <<'QK_EOF'\n(.*?)QK_EOF\n", text, re.S).group(1)  # type: ignore[union-attr]


@pytest.mark.parametrize("cloud", ["aws", "gcp"])
def test_fast_plan_equals_mock_plan(cloud: str) -> None:
    assert [i.as_json() for i in plan(cloud).values()] == [i.as_json() for i in plan(cloud, "mocks").values()]


@pytest.mark.parametrize("cloud", ["aws", "gcp"])
def test_one_cluster_component_with_generated_secrets(cloud: str) -> None:
    items = plan(cloud)
    assert [i.name for i in items.values() if i.type == "queuekit:rabbitmq:Cluster"] == ["rabbitmq-jobs"]
    passwords = {i.name: i.inputs for i in items.values() if i.type == "random:index/randomPassword:RandomPassword"}
    assert sorted(passwords) == sorted(f"rabbitmq-jobs.{n}" for n in (
        "erlang-cookie", "admin-password", "password-api", "password-mailer", "password-worker",
        "password-admin-ui", "password-auditor", "password-crm"))
    assert passwords["rabbitmq-jobs.erlang-cookie"] == {"length": 48, "special": False}
    text = script(items, 1)
    assert "printf '%s' 'mock-rabbitmq-jobs.erlang-cookie' > /var/lib/rabbitmq/.erlang.cookie" in text
    assert "printf 'default_pass = %s\\n' 'mock-rabbitmq-jobs.admin-password' >> /etc/rabbitmq/rabbitmq.conf" in text
    assert '"api":"mock-rabbitmq-jobs.password-api"' in text


@pytest.mark.parametrize("cloud", ["aws", "gcp"])
def test_boot_script_configures_tls_peers_prometheus_and_definitions(cloud: str) -> None:
    text = script(plan(cloud), 2)
    assert text.startswith("#!/bin/bash\n")
    assert "set -euo pipefail\nhostnamectl set-hostname rabbitmq-jobs-2\n" in text
    conf = heredoc(text, "/etc/rabbitmq/rabbitmq.conf")
    for line in ("cluster_formation.peer_discovery_backend = classic_config",
                 "cluster_formation.classic_config.nodes.1 = rabbit@rabbitmq-jobs-0",
                 "cluster_formation.classic_config.nodes.3 = rabbit@rabbitmq-jobs-2",
                 "listeners.tcp = none", "listeners.ssl.default = 5671", "management.ssl.port = 15671",
                 "prometheus.tcp.port = 15692", "prometheus.return_per_object_metrics = true",
                 "definitions.local.path = /etc/rabbitmq/definitions.json"):
        assert line in conf.splitlines()
    defs = json.loads(heredoc(text, "/etc/rabbitmq/definitions.json"))
    assert [q["name"] for q in defs["queues"]][:2] == ["email-send", "email-send-dlq"]
    assert defs["permissions"][-1] == {"user": "admin", "vhost": "shop", "configure": ".*", "write": ".*",
                                       "read": ".*"}
    assert {u["password_hash"] for u in defs["users"]} == {""}  # hashed on the node, from the secrets
    agent = "amazon-cloudwatch-agent" if cloud == "aws" else "google-cloud-ops-agent"
    assert agent in text


def test_tls_off_uses_the_plain_ports() -> None:
    items = plan("aws", tls=False)
    conf = heredoc(script(items), "/etc/rabbitmq/rabbitmq.conf")
    assert "listeners.tcp.default = 5672" in conf.splitlines() and "listeners.ssl.default = 5671" not in conf
    assert sorted(i.inputs["port"] for i in items.values() if i.type == "aws:lb/listener:Listener") == [5672, 15672]


def test_no_ingress_from_anywhere_in_the_whole_plan() -> None:
    for cloud in ("aws", "gcp"):
        for item in plan(cloud).values():
            if item.type == "aws:ec2/securityGroup:SecurityGroup":
                assert "0.0.0.0/0" not in json.dumps(item.inputs["ingress"])
            if item.type == "gcp:compute/firewall:Firewall":
                assert "0.0.0.0/0" not in item.inputs.get("sourceRanges", [])


def test_aws_alarms_routed_to_the_notify_topic() -> None:
    items = plan("aws")
    alarms = {i.inputs["name"]: i.inputs for i in items.values() if i.type == "aws:cloudwatch/metricAlarm:MetricAlarm"}
    ns = "queuekit/rabbitmq/shop-prod-jobs"
    assert sorted(alarms) == sorted(
        [f"shop-prod-jobs-node-{i}-{k}" for i in range(3) for k in ("down", "disk", "memory")]
        + ["shop-prod-jobs-email-send-backlog", "shop-prod-jobs-email-send-dlq-dlq-messages",
           "shop-prod-jobs-thumbnails-backlog", "shop-prod-jobs-thumbnails-dlq-dlq-messages",
           "shop-prod-jobs-user-events-audit-backlog", "shop-prod-jobs-user-events-audit-dlq-dlq-messages",
           "shop-prod-jobs-user-events-crm-backlog", "shop-prod-jobs-user-events-crm-dlq-dlq-messages"])
    down = alarms["shop-prod-jobs-node-0-down"]
    assert (down["namespace"], down["metricName"], down["dimensions"], down["treatMissingData"]) == (
        "AWS/EC2", "StatusCheckFailed", {"InstanceId": "rabbitmq-jobs.node-0-id"}, "breaching")
    dlq = alarms["shop-prod-jobs-email-send-dlq-dlq-messages"]
    assert (dlq["namespace"], dlq["metricName"], dlq["dimensions"], dlq["threshold"], dlq["evaluationPeriods"]) == (
        ns, "rabbitmq_queue_messages_ready", {"vhost": "shop", "queue": "email-send-dlq"}, 1, 1)
    backlog = alarms["shop-prod-jobs-email-send-backlog"]
    assert (backlog["threshold"], backlog["evaluationPeriods"], backlog["comparisonOperator"]) == (
        10000, 5, "GreaterThanOrEqualToThreshold")
    disk = alarms["shop-prod-jobs-node-1-disk"]
    assert (disk["metricName"], disk["dimensions"]) == ("rabbitmq_alarms_free_disk_space_watermark",
                                                        {"node": "rabbitmq-jobs-1"})
    topic_arn = "arn:aws:sns:us-east-1:123456789012:shop-prod-jobs-alarms-oncall"
    assert {(tuple(a["alarmActions"]), tuple(a["okActions"])) for a in alarms.values()} == {((topic_arn,), (topic_arn,))}
    sub = items["rabbitmq-jobs.notify-oncall.email"].inputs
    assert (sub["protocol"], sub["endpoint"]) == ("email", "oncall@example.com")


def test_gcp_alerts_on_prometheus_metrics_and_uptime() -> None:
    items = plan("gcp")
    alerts = {i.name: i.inputs for i in items.values() if i.type == "gcp:monitoring/alertPolicy:AlertPolicy"}
    assert len(alerts) == 9 + 8
    channel = "projects/shop-prod-4821/notificationChannels/rabbitmq-jobs.notify-oncall"
    assert {tuple(a["notificationChannels"]) for a in alerts.values()} == {(channel,)}
    dlq = alerts["rabbitmq-jobs.alert.email-send-dlq-dlq-messages"]["conditions"][0]["conditionThreshold"]
    assert dlq["filter"] == ('resource.type = "prometheus_target" AND metric.type = '
                             '"prometheus.googleapis.com/rabbitmq_queue_messages_ready/gauge" AND '
                             'metric.labels.vhost = "shop" AND metric.labels.queue = "email-send-dlq"')
    assert (dlq["comparison"], dlq["thresholdValue"], dlq["duration"]) == ("COMPARISON_GT", 0, "0s")
    down = alerts["rabbitmq-jobs.alert.node-2-down"]["conditions"][0]["conditionAbsent"]
    assert down["filter"].endswith('metric.labels.instance_name = "shop-prod-jobs-2"')
    assert down["duration"] == "300s"


@pytest.mark.broker
def test_boot_time_definitions_import_and_users_log_in(rabbitmq_node: RabbitCluster) -> None:
    """Run the node's hashing step on its definitions, import them: each user logs in with its secret."""
    text = script(plan("aws"))
    defs_text = heredoc(text, "/etc/rabbitmq/definitions.json")
    passwords = json.loads("{" + re.search(r"QK_PASSWORDS='\{(.*?)\}'", text).group(1) + "}")  # type: ignore[union-attr]
    assert sorted(passwords) == ["admin-ui", "api", "auditor", "crm", "mailer", "worker"]
    defs = json.loads(defs_text)
    for key in ("vhosts", "queues", "exchanges", "bindings", "policies", "permissions"):
        for item in defs[key]:
            if "vhost" in item:
                item["vhost"] = "boot-import"
            elif key == "vhosts":
                item["name"] = "boot-import"
    defs["permissions"] = [p for p in defs["permissions"] if p["user"] != "admin"]
    path = os.path.join(rabbitmq_node.workdir, "boot-definitions.json")
    with open(path, "w") as fh:
        json.dump(defs, fh)
    subprocess.run([sys.executable, "-", path], input=HASH_PASSWORDS, text=True, check=True,
                   env={**os.environ, "QK_PASSWORDS": json.dumps(passwords)})
    with open(path) as fh:
        hashed = json.load(fh)
    assert {u["password_hash"] != "" for u in hashed["users"]} == {True}
    rabbitmq_node.api("POST", "/api/definitions", hashed)
    try:
        conn = pika.BlockingConnection(pika.ConnectionParameters(
            "127.0.0.1", rabbitmq_node.nodes[0].amqp_port, "boot-import",
            pika.PlainCredentials("api", passwords["api"]), connection_attempts=1))
        ch = conn.channel()
        ch.confirm_delivery()
        ch.basic_publish("email-send", "", b"from a VM-created user")
        conn.close()
    finally:
        # Users are broker-wide and the node is shared by the session: leave no users behind for later tests.
        rabbitmq_node.api("POST", "/api/users/bulk-delete", {"users": sorted(passwords)})
        rabbitmq_node.api("DELETE", "/api/vhosts/boot-import")


@pytest.mark.parametrize("cloud", ["aws", "gcp"])
def test_stack_outputs_address_vhost_and_secret_passwords(cloud: str) -> None:
    d = rabbit_dict()
    d["brokers"]["jobs"]["cloud"] = cloud
    outputs = stack_blueprint(load(d)).outputs
    assert outputs == {
        "rabbitmq.jobs.address": Ref("rabbitmq-jobs", "address"),
        "rabbitmq.jobs.vhost": "shop",
        "rabbitmq.jobs.admin_password": Secret(Ref("rabbitmq-jobs", "admin_password")),
        **{f"rabbitmq.jobs.password.{u}": Secret(Ref("rabbitmq-jobs", f"password.{u}"))
           for u in ("api", "mailer", "worker", "admin-ui", "auditor", "crm")}}


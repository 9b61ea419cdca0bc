"""The RabbitMQ cluster component under Pulumi mocks (AWS and GCP): secret, CA, boot script, alarms.

Also runs the boot script's password-hashing step on the generated definitions (with the cluster
secret's value) and imports the result into the real test broker: the users the VMs create can log
in with their passwords.
"""

from __future__ import annotations

import base64
import gzip
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
    """The node's boot script: plain text (gzip-compressed on EC2), never a secret."""
    x = items[f"rabbitmq-jobs.node-{node}"].inputs
    assert not is_secret(x.get("metadata")) and "userData" not in x
    if "userDataBase64" in x:
        return gzip.decompress(base64.b64decode(x["userDataBase64"])).decode()
    return x["metadata"]["startup-script"]


def secret_value(items: dict[str, PlanItem], cloud: str) -> dict[str, Any]:
    value = items["rabbitmq-jobs.secret-value"].inputs["secretString" if cloud == "aws" else "secretData"]
    assert is_secret(value)
    return json.loads(value["value"])


def of_type(items: dict[str, PlanItem], token: str) -> dict[str, dict[str, Any]]:
    return {n: i.inputs for n, i in items.items() if i.type == token}


def heredoc(text: str, target: str) -> str:
    return re.search(rf"cat > {re.escape(target)} <<'QK_EOF'\n(.*?)QK_EOF\n", text, re.S).group(1)  # type: ignore[union-attr]


@pytest.mark.parametrize("cloud", ["aws", "gcp"])
def test_fast_plan_equals_mock_plan(cloud: str) -> None:
    assert [i.as_json() for i in plan(cloud).values()] == [i.as_json() for i in plan(cloud, "mocks").values()]


@pytest.mark.parametrize("cloud", ["aws", "gcp"])
def test_one_secret_with_random_passwords_and_no_secret_in_user_data(cloud: str) -> None:
    items = plan(cloud)
    assert [i.name for i in items.values() if i.type == "queuekit:rabbitmq:Cluster"] == ["rabbitmq-jobs"]
    passwords = {i.name: i.inputs for i in items.values() if i.type == "random:index/randomPassword:RandomPassword"}
    assert sorted(passwords) == sorted(f"rabbitmq-jobs.{n}" for n in (
        "erlang-cookie", "admin-password", "ca-seed", "password-api", "password-mailer", "password-worker",
        "password-admin-ui", "password-auditor", "password-crm"))
    assert passwords["rabbitmq-jobs.erlang-cookie"] == {"length": 48, "special": False}
    assert passwords["rabbitmq-jobs.ca-seed"] == {"length": 64, "special": False}
    assert secret_value(items, cloud) == {
        "erlang_cookie": "mock-rabbitmq-jobs.erlang-cookie", "admin_password": "mock-rabbitmq-jobs.admin-password",
        "ca_seed": "mock-rabbitmq-jobs.ca-seed",
        "users": {u: f"mock-rabbitmq-jobs.password-{u}" for u in ("api", "mailer", "worker", "admin-ui", "auditor",
                                                                  "crm")}}
    for node in range(3):
        text = script(items, node)
        assert "mock-rabbitmq-jobs." not in text
        assert "printf '%s' \"$(field erlang_cookie)\" > /var/lib/rabbitmq/.erlang.cookie\n" in text
        assert "printf 'default_pass = %s\\n' \"$(field admin_password)\" >> /etc/rabbitmq/rabbitmq.conf\n" in text
        assert "QK_SECRETS=\"$SECRETS\" python3 - /etc/rabbitmq/definitions.json <<'QK_EOF'\n" in text


def test_aws_secret_and_node_policy_read_only_it_and_write_only_the_ca_parameter() -> None:
    items = plan("aws")
    secret = items["rabbitmq-jobs.secret"].inputs
    assert (secret["name"], secret["recoveryWindowInDays"], secret["region"]) == (
        "queuekit/shop-prod-jobs/rabbitmq", 7, "us-east-1")
    assert "kmsKeyId" not in secret  # the account's aws/secretsmanager key
    assert items["rabbitmq-jobs.secret-value"].inputs["secretId"] == "rabbitmq-jobs.secret-id"
    policy = json.loads(items["rabbitmq-jobs.role-policy"].inputs["policy"])
    assert policy["Statement"][-2:] == [
        {"Sid": "ReadClusterSecret", "Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
         "Resource": "arn:aws:secretsmanager:us-east-1:123456789012:secret/queuekit/shop-prod-jobs/rabbitmq"},
        {"Sid": "PublishCaCertificate", "Effect": "Allow", "Action": "ssm:PutParameter",
         "Resource": "arn:aws:ssm:us-east-1:*:parameter/queuekit/shop-prod-jobs/rabbitmq-ca.pem"}]
    assert [s["Sid"] for s in policy["Statement"]].count("ReadClusterSecret") == 1
    text = script(items)
    assert "SECRET='queuekit/shop-prod-jobs/rabbitmq'\nCA_TARGET='/queuekit/shop-prod-jobs/rabbitmq-ca.pem'\n" in text
    assert ('aws secretsmanager get-secret-value --region us-east-1 --secret-id "$SECRET" --query SecretString '
            '--output text') in text
    assert ('aws ssm put-parameter --region us-east-1 --name "$CA_TARGET" --type String --overwrite '
            '--value file:///etc/rabbitmq/tls/ca.pem >/dev/null') in text


def test_gcp_secrets_and_service_account_granted_on_those_two_only() -> None:
    items = plan("gcp")
    assert {n: (x["secretId"], x["project"]) for n, x in of_type(items, "gcp:secretmanager/secret:Secret").items()} == {
        "rabbitmq-jobs.secret": ("shop-prod-jobs-rabbitmq", "shop-prod-4821"),
        "rabbitmq-jobs.ca-certificate": ("shop-prod-jobs-rabbitmq-ca", "shop-prod-4821")}
    assert items["rabbitmq-jobs.secret-value"].inputs["secret"] == "rabbitmq-jobs.secret-id"
    sa = "serviceAccount:shop-prod-jobs-vm@shop-prod-4821.iam.gserviceaccount.com"
    assert of_type(items, "gcp:secretmanager/secretIamMember:SecretIamMember") == {
        f"rabbitmq-jobs.{key}-{role}": {"secretId": f"rabbitmq-jobs.{key}-id", "member": sa,
                                        "role": f"roles/secretmanager.{role}", "project": "shop-prod-4821"}
        for key, role in (("secret", "secretAccessor"), ("ca-certificate", "secretVersionAdder"))}
    assert not [i for i in items.values() if i.type == "gcp:projects/iAMMember:IAMMember"
                and "secretmanager" in json.dumps(i.inputs)]
    assert items["rabbitmq-jobs.lb"].inputs["ipAddress"] == "10.100.1.5"  # fixed: named in the certificates
    text = script(items)
    assert "SECRET='shop-prod-jobs-rabbitmq'\nCA_TARGET='shop-prod-jobs-rabbitmq-ca'\n" in text
    assert '/secrets/$CA_TARGET:addVersion" -d "{\\"payload\\":{\\"data\\":\\"$(base64 -w0 /etc/rabbitmq/tls/ca.pem)' in text


@pytest.mark.parametrize(("cloud", "node", "ip", "lb"), [("aws", 1, "10.100.2.11", "*.elb.us-east-1.amazonaws.com"),
                                                          ("gcp", 2, "10.100.1.12", "10.100.1.5")])
def test_boot_script_uses_the_ca_signed_node_certificate(cloud: str, node: int, ip: str, lb: str) -> None:
    text = script(plan(cloud), node)
    assert "openssl req" not in text and "-x509" not in text  # no self-signed certificate any more
    assert "CA_SEED=$(field ca_seed | sha256sum | cut -d' ' -f1)\ncat > /etc/rabbitmq/certtool.py <<'PY'\n" in text
    assert 'f"queuekit {cluster} rabbitmq CA"' in text
    assert (f'[ -f /etc/rabbitmq/tls/node.pem ] ||   python3 /etc/rabbitmq/certtool.py "$CA_SEED" shop-prod-jobs '
            f"rabbitmq-jobs-{node} {ip} /etc/rabbitmq/tls {lb}\n") in text
    assert ("openssl pkey -in /etc/rabbitmq/tls/node.pem -out /etc/rabbitmq/tls/key.pem\n"
            "openssl x509 -in /etc/rabbitmq/tls/node.pem -out /etc/rabbitmq/tls/cert.pem\n"
            "chown rabbitmq:rabbitmq /etc/rabbitmq/tls/*.pem\n") in text
    conf = heredoc(text, "/etc/rabbitmq/rabbitmq.conf").splitlines()
    assert [line for line in conf if line.startswith(("ssl_options.", "management.ssl."))] == [
        "ssl_options.cacertfile = /etc/rabbitmq/tls/ca.pem",
        "ssl_options.certfile = /etc/rabbitmq/tls/cert.pem",
        "ssl_options.keyfile = /etc/rabbitmq/tls/key.pem",
        "ssl_options.verify = verify_peer",
        "ssl_options.fail_if_no_peer_cert = false",
        "ssl_options.versions.1 = tlsv1.3",
        "ssl_options.versions.2 = tlsv1.2",
        "management.ssl.port = 15671",
        "management.ssl.cacertfile = /etc/rabbitmq/tls/ca.pem",
        "management.ssl.certfile = /etc/rabbitmq/tls/cert.pem",
        "management.ssl.keyfile = /etc/rabbitmq/tls/key.pem"]


@pytest.mark.parametrize("cloud", ["aws", "gcp"])
def test_boot_script_configures_tls_peers_prometheus_and_definitions(cloud: str) -> None:
    text = script(plan(cloud), 2)
    assert text.startswith("#!/bin/bash\n")
    assert "set -euo pipefail\nSECRET='" in text and "\nhostnamectl set-hostname rabbitmq-jobs-2\n" in text
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


def test_tls_off_uses_the_plain_ports_and_has_no_ca() -> None:
    items = plan("aws", tls=False)
    text = script(items)
    conf = heredoc(text, "/etc/rabbitmq/rabbitmq.conf")
    assert "listeners.tcp.default = 5672" in conf.splitlines() and "listeners.ssl.default = 5671" not in conf
    assert sorted(i.inputs["port"] for i in items.values() if i.type == "aws:lb/listener:Listener") == [5672, 15672]
    assert "CA_TARGET" not in text and "certtool" not in text and "SECRET='queuekit/shop-prod-jobs/rabbitmq'\n" in text
    policy = json.loads(items["rabbitmq-jobs.role-policy"].inputs["policy"])
    assert [s["Sid"] for s in policy["Statement"]][-1] == "ReadClusterSecret"
    gcp = plan("gcp", tls=False)
    assert sorted(of_type(gcp, "gcp:secretmanager/secret:Secret")) == ["rabbitmq-jobs.secret"]
    assert sorted(of_type(gcp, "gcp:secretmanager/secretIamMember:SecretIamMember")) == [
        "rabbitmq-jobs.secret-secretAccessor"]


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
    """Run the node's hashing step on its definitions with the cluster secret: each user logs in with its password."""
    items = plan("aws")
    defs_text = heredoc(script(items), "/etc/rabbitmq/definitions.json")
    secrets = secret_value(items, "aws")
    passwords = secrets["users"]
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
                   env={**os.environ, "QK_SECRETS": json.dumps(secrets)})
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
def test_stack_outputs_address_vhost_ca_and_secret_passwords(cloud: str) -> None:
    d = rabbit_dict()
    d["brokers"]["jobs"]["cloud"] = cloud
    outputs = stack_blueprint(load(d)).outputs
    assert outputs == {
        "rabbitmq.jobs.address": Ref("rabbitmq-jobs", "address"),
        "rabbitmq.jobs.vhost": "shop",
        "rabbitmq.jobs.ca_certificate": "ssm:/queuekit/shop-prod-jobs/rabbitmq-ca.pem" if cloud == "aws" else
        "projects/shop-prod-4821/secrets/shop-prod-jobs-rabbitmq-ca",
        "rabbitmq.jobs.admin_password": Secret(Ref("rabbitmq-jobs", "admin_password")),
        **{f"rabbitmq.jobs.password.{u}": Secret(Ref("rabbitmq-jobs", f"password.{u}"))
           for u in ("api", "mailer", "worker", "admin-ui", "auditor", "crm")}}


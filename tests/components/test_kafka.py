"""The Kafka cluster component (``queuekit:kafka:Cluster``) under Pulumi mocks and the fast plan, AWS and GCP.

1-node and 3-node clusters are KRaft-combined; 5 nodes get 3 dedicated controllers (8 VMs). Exact inputs:
server properties, the secret and who may read it, ingress, disks, the alarm set, and the stack outputs.
"""

from __future__ import annotations

import base64
import gzip
import json
import re
from typing import Any

import pytest
from kafka_factory import kafka_spec

from components.blueprint import Concat, Ref, Secret
from components.plan import PlanItem, fast_plan, is_secret, mock_plan
from components.program import stack_blueprint

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
ALERT = "gcp:monitoring/alertPolicy:AlertPolicy"
USERS = ("analytics", "crm", "indexer", "web")


def plan(cloud: str, nodes: int = 3, engine: str = "fast") -> dict[str, PlanItem]:
    spec = kafka_spec(cloud=cloud, nodes=nodes)
    items = fast_plan(spec) if engine == "fast" else mock_plan(spec)
    return {i.name: i for i in items}


def of_type(items: dict[str, PlanItem], token: str) -> dict[str, dict[str, Any]]:
    return {n: i.inputs for n, i in items.items() if i.type == token}


def script(items: dict[str, PlanItem], node: int) -> str:
    x = items[f"kafka-events.node-{node}"].inputs
    if "userDataBase64" in x:
        return gzip.decompress(base64.b64decode(x["userDataBase64"])).decode()
    return x["metadata"]["startup-script"]


def properties(text: str) -> dict[str, str]:
    body = re.search(r"cat > /etc/kafka/server.properties <<'PROPS'\n(.*?)PROPS\n", text, re.S).group(1)  # type: ignore[union-attr]
    return dict(line.split("=", 1) for line in body.splitlines())


@pytest.mark.parametrize("nodes", [1, 3, 5])
@pytest.mark.parametrize("cloud", ["aws", "gcp"])
def test_fast_plan_equals_mock_plan(cloud: str, nodes: int) -> None:
    assert [i.as_json() for i in plan(cloud, nodes).values()] == [
        i.as_json() for i in plan(cloud, nodes, "mocks").values()]


@pytest.mark.parametrize("cloud", ["aws", "gcp"])
@pytest.mark.parametrize(("nodes", "vms", "voters", "min_isr"), [
    (1, 1, "0@kafka-events-0:9095", "1"),
    (3, 3, "0@kafka-events-0:9095,1@kafka-events-1:9095,2@kafka-events-2:9095", "2"),
    (5, 8, "5@kafka-events-5:9095,6@kafka-events-6:9095,7@kafka-events-7:9095", "2"),
])
def test_kraft_layout_roles_voters_rack_and_min_isr(cloud: str, nodes: int, vms: int, voters: str, min_isr: str
                                                    ) -> None:
    items = plan(cloud, nodes)
    instance = "aws:ec2/instance:Instance" if cloud == "aws" else "gcp:compute/instance:Instance"
    assert sorted(of_type(items, instance)) == sorted(f"kafka-events.node-{i}" for i in range(vms))
    zones = ("us-east-1a", "us-east-1b", "us-east-1c") if cloud == "aws" else (
        "us-central1-a", "us-central1-b", "us-central1-c")
    for i in range(vms):
        props = properties(script(items, i))
        role = "broker,controller" if nodes <= 3 else ("broker" if i < nodes else "controller")
        assert (props["process.roles"], props["node.id"], props["controller.quorum.voters"]) == (role, str(i), voters)
        assert props["min.insync.replicas"] == min_isr
        assert props["unclean.leader.election.enable"] == "false"
        assert props.get("broker.rack") == (zones[i % 3] if "broker" in role else None)
        assert ("listeners" in props, props.get("advertised.listeners", "").startswith("CLIENT://10.")) == (
            True, "broker" in role)
    # Only brokers serve clients behind the load balancer.
    members = of_type(items, "aws:lb/targetGroupAttachment:TargetGroupAttachment") if cloud == "aws" else {
        n: x for n, x in of_type(items, "gcp:compute/instanceGroup:InstanceGroup").items()}
    if cloud == "aws":
        assert sorted(x["targetId"] for x in members.values()) == sorted(
            f"kafka-events.node-{i}-id" for i in range(nodes))
    else:
        assert sum(len(x["instances"]) for x in members.values()) == nodes


@pytest.mark.parametrize("cloud", ["aws", "gcp"])
def test_one_secret_with_random_passwords_and_no_secret_in_user_data(cloud: str) -> None:
    items = plan(cloud)
    assert [n for n, i in items.items() if i.type == "queuekit:kafka:Cluster"] == ["kafka-events"]
    passwords = of_type(items, "random:index/randomPassword:RandomPassword")
    assert passwords == {
        "kafka-events.admin-password": {"length": 32, "special": False},
        "kafka-events.ca-seed": {"length": 64, "special": False},
        **{f"kafka-events.password-{u}": {"length": 32, "special": False} for u in USERS}}
    version = items["kafka-events.secret-value"].inputs
    value = version["secretString" if cloud == "aws" else "secretData"]
    assert is_secret(value)
    assert json.loads(value["value"]) == {
        "admin_password": "mock-kafka-events.admin-password", "ca_seed": "mock-kafka-events.ca-seed",
        "users": {u: f"mock-kafka-events.password-{u}" for u in USERS}}
    for i in range(3):
        text = script(items, i)
        assert "mock-" not in text and "SECRET='" in text
    assert ("queuekit-kafka-provision.service" in script(items, 0),
            "queuekit-kafka-provision.service" in script(items, 1)) == (True, False)


def test_aws_node_policy_reads_only_its_secret_and_writes_only_its_ca_parameter() -> None:
    items = plan("aws")
    secret = items["kafka-events.secret"].inputs
    assert (secret["name"], secret["recoveryWindowInDays"]) == ("queuekit/shop-prod-events/kafka", 7)
    assert "kmsKeyId" not in secret  # the account's aws/secretsmanager key
    policy = json.loads(items["kafka-events.role-policy"].inputs["policy"])
    assert policy["Statement"][2:] == [
        {"Sid": "ReadClusterSecret", "Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
         "Resource": "arn:aws:secretsmanager:us-east-1:123456789012:secret/queuekit/shop-prod-events/kafka"},
        {"Sid": "PublishCaCertificate", "Effect": "Allow", "Action": "ssm:PutParameter",
         "Resource": "arn:aws:ssm:us-east-1:*:parameter/queuekit/shop-prod-events/kafka-ca.pem"}]
    assert [s["Sid"] for s in policy["Statement"][:2]] == ["Metrics", "Logs"]


def test_gcp_service_account_granted_on_the_two_secrets_only() -> None:
    items = plan("gcp")
    members = of_type(items, "gcp:secretmanager/secretIamMember:SecretIamMember")
    sa = "serviceAccount:shop-prod-events-vm@shop-prod-4821.iam.gserviceaccount.com"
    assert members == {
        "kafka-events.secret-secretAccessor": {"secretId": "kafka-events.secret-id", "member": sa,
                                               "role": "roles/secretmanager.secretAccessor",
                                               "project": "shop-prod-4821"},
        "kafka-events.ca-certificate-secretVersionAdder": {"secretId": "kafka-events.ca-certificate-id",
                                                           "member": sa, "project": "shop-prod-4821",
                                                           "role": "roles/secretmanager.secretVersionAdder"}}
    assert sorted(of_type(items, "gcp:secretmanager/secret:Secret")) == [
        "kafka-events.ca-certificate", "kafka-events.secret"]
    roles = {x["role"] for x in of_type(items, "gcp:projects/iAMMember:IAMMember").values()}
    assert roles == {"roles/logging.logWriter", "roles/monitoring.metricWriter"}


def test_ingress_clients_on_9093_from_allowed_cidrs_peers_between_nodes() -> None:
    sg = plan("aws")["kafka-events.sg"].inputs
    assert [(r["fromPort"], r.get("cidrBlocks"), r.get("self")) for r in sg["ingress"]] == [
        (9093, ["10.20.0.0/16"], None), (9093, ["10.100.0.0/16"], None), (9094, None, True), (9095, None, True)]
    fw = of_type(plan("gcp"), "gcp:compute/firewall:Firewall")
    assert {n: (x["allows"], x.get("sourceRanges"), x.get("sourceTags")) for n, x in fw.items()} == {
        "kafka-events.fw-clients": ([{"protocol": "tcp", "ports": ["9093"]}], ["10.20.0.0/16"], None),
        "kafka-events.fw-health": ([{"protocol": "tcp", "ports": ["9093"]}], ["35.191.0.0/16", "130.211.0.0/22"],
                                   None),
        "kafka-events.fw-peers": ([{"protocol": "tcp", "ports": ["9094", "9095"]}], None, ["shop-prod-events"])}


def test_disks_encrypted_and_sized_from_retention_and_volume() -> None:
    # Per broker, ÷ 0.7 fill: clickstream 2000/s × 1 KiB × 3 d × 3 copies ÷ 3 brokers ≈ 705.4 GiB, plus
    # user-events 10/s × 2 KiB × 7 d ≈ 16.5 GiB → 723 GiB > the declared 500 GiB. With 5 brokers: 434 < 500.
    items = plan("aws", 5)
    disks = {n: x["rootBlockDevice"] for n, x in of_type(items, "aws:ec2/instance:Instance").items()}
    assert {d["encrypted"] for d in disks.values()} == {True}
    assert [disks[f"kafka-events.node-{i}"]["volumeSize"] for i in range(8)] == [500] * 5 + [20] * 3
    three = of_type(plan("aws", 3), "aws:ec2/instance:Instance")
    assert {x["rootBlockDevice"]["volumeSize"] for x in three.values()} == {723}
    assert {x["metadataOptions"]["httpTokens"] for x in three.values()} == {"required"}


def test_aws_alarm_set_exact() -> None:
    alarms = of_type(plan("aws"), ALARM)
    by_name = {x["name"].removeprefix("shop-prod-events-"): x for x in alarms.values()}
    assert sorted(by_name) == sorted(
        [f"node-{i}-{k}" for i in range(3) for k in ("down", "kafka-down", "disk")]
        + ["under-replicated-partitions", "offline-partitions", "clickstream-consumer-lag",
           "user-events-search-consumer-lag", "clickstream.dlq-dlq-records", "user-events-search.dlq-dlq-records"])

    def key(n: str) -> tuple[Any, ...]:
        x = by_name[n]
        return (x["namespace"], x["metricName"], x["dimensions"], x["comparisonOperator"], x["threshold"],
                x["evaluationPeriods"], x["statistic"], x["treatMissingData"])

    c = {"Cluster": "shop-prod-events"}
    assert key("node-1-down") == ("AWS/EC2", "StatusCheckFailed", {"InstanceId": "kafka-events.node-1-id"},
                                  "GreaterThanOrEqualToThreshold", 1, 2, "Maximum", "breaching")
    assert key("node-1-kafka-down") == ("queuekit/kafka", "BrokerUp", {**c, "Node": "kafka-events-1"},
                                        "LessThanThreshold", 1, 3, "Minimum", "breaching")
    assert key("node-1-disk") == ("queuekit/kafka", "DiskUsedPercent", {**c, "Node": "kafka-events-1"},
                                  "GreaterThanOrEqualToThreshold", 80, 5, "Maximum", "notBreaching")
    assert key("under-replicated-partitions") == ("queuekit/kafka", "UnderReplicatedPartitions", c,
                                                  "GreaterThanOrEqualToThreshold", 1, 5, "Maximum", "notBreaching")
    assert key("offline-partitions")[1:6] == ("OfflinePartitions", c, "GreaterThanOrEqualToThreshold", 1, 1)
    assert key("clickstream-consumer-lag")[1:6] == ("ConsumerLag", {**c, "ConsumerGroup": "clickstream"},
                                                    "GreaterThanOrEqualToThreshold", 10000, 5)
    assert key("user-events-search-consumer-lag")[4] == 500
    assert key("user-events-search.dlq-dlq-records")[1:6] == (
        "DlqRecords", {**c, "Topic": "user-events-search.dlq"}, "GreaterThanOrEqualToThreshold", 1, 1)
    topic = "arn:aws:sns:us-east-1:123456789012:shop-prod-events-alarms-oncall"
    assert {(tuple(x["alarmActions"]), tuple(x["okActions"])) for x in alarms.values()} == {((topic,), (topic,))}


def test_gcp_alert_set_exact_and_routed_to_the_channel() -> None:
    alerts = of_type(plan("gcp", 5), ALERT)
    assert sorted(alerts) == sorted(
        [f"kafka-events.alert.node-{i}-{k}" for i in range(8) for k in ("down", "kafka-down", "disk")]
        + [f"kafka-events.alert.{k}" for k in (
            "under-replicated-partitions", "offline-partitions", "clickstream-consumer-lag",
            "user-events-search-consumer-lag", "clickstream.dlq-dlq-records", "user-events-search.dlq-dlq-records")])
    channel = "projects/shop-prod-4821/notificationChannels/kafka-events.notify-oncall"
    assert {tuple(x["notificationChannels"]) for x in alerts.values()} == {(channel,)}
    lag = alerts["kafka-events.alert.user-events-search-consumer-lag"]["conditions"][0]["conditionThreshold"]
    assert (lag["filter"], lag["comparison"], lag["thresholdValue"], lag["duration"]) == (
        'resource.type = "global" AND metric.type = "custom.googleapis.com/queuekit/kafka/ConsumerLag" AND '
        'metric.labels.cluster = "shop-prod-events" AND metric.labels.consumergroup = "user-events-search"',
        "COMPARISON_GT", 499, "300s")
    down = alerts["kafka-events.alert.node-6-kafka-down"]["conditions"]
    assert [next(iter(set(c) - {"displayName"})) for c in down] == ["conditionThreshold", "conditionAbsent"]


@pytest.mark.parametrize("cloud", ["aws", "gcp"])
def test_stack_outputs_bootstrap_ca_and_secret_passwords(cloud: str) -> None:
    outputs = stack_blueprint(kafka_spec(cloud=cloud)).outputs
    ca = "ssm:/queuekit/shop-prod-events/kafka-ca.pem" if cloud == "aws" else \
        "projects/shop-prod-4821/secrets/shop-prod-events-kafka-ca"
    ips = ("10.100.1.10", "10.100.2.11", "10.100.3.12") if cloud == "aws" else (
        "10.100.1.10", "10.100.1.11", "10.100.1.12")
    assert outputs == {
        "kafka.events.bootstrap": Concat((Ref("kafka-events", "address"), ":9093")),
        "kafka.events.brokers": ",".join(f"{ip}:9093" for ip in ips),
        "kafka.events.ca_certificate": ca,
        "kafka.events.secret": "queuekit/shop-prod-events/kafka" if cloud == "aws" else "shop-prod-events-kafka",
        "kafka.events.admin_password": Secret(Ref("kafka-events", "admin_password")),
        **{f"kafka.events.password.{u}": Secret(Ref("kafka-events", f"password.{u}")) for u in USERS}}

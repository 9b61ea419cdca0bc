"""The shared broker VM fleet (``components.vmcluster``) on AWS and GCP, as planned resource inputs."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from typing import Any

from factories import load
from rabbitmq_factory import rabbit_dict

from components.blueprint import Blueprint, Secret
from components.plan import PlanItem, _expand, is_secret
from components.vmcluster import VmCluster, add_vm_cluster, cluster_cidr, default_zones, fleet_args, hosts_file

ROOT = "urn:pulumi:prod::shop::pulumi:pulumi:Stack::shop-prod"


def fleet(cloud: str, **changes: Any) -> tuple[dict[str, PlanItem], VmCluster]:
    """The fleet alone, planned like ``fast_plan`` plans a stack (the engines' tests plan whole specs)."""
    d = rabbit_dict()
    d["brokers"]["jobs"]["cloud"] = cloud
    spec = load(d)
    args = fleet_args(spec, spec.brokers["jobs"], name="rabbitmq-jobs", client_ports=(5671, 15671),
                      peer_ports=(4369, 25672), health_port=5671,
                      user_data=tuple(Secret(f"boot {i}") for i in range(3)), metrics_namespace="queuekit/rabbitmq",
                      tags={"team": "payments"})
    args = dataclasses.replace(args, **changes)
    bp = Blueprint()
    out = add_vm_cluster(bp, args)
    items: list[PlanItem] = []
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(_expand(bp, ROOT, "shop", "prod", items))
    finally:
        loop.close()
    return {i.name: i for i in items}, out


def of_type(items: dict[str, PlanItem], token: str) -> list[PlanItem]:
    return [i for i in items.values() if i.type == token]


def test_cidr_avoids_allowed_cidrs_and_zones_default() -> None:
    d = rabbit_dict()
    d["brokers"]["jobs"]["allowed_cidrs"] = ["10.100.0.0/15"]
    assert cluster_cidr(load(d), "jobs") == "10.102.0.0/16"
    assert default_zones("aws", "eu-west-1") == ("eu-west-1a", "eu-west-1b", "eu-west-1c")
    assert default_zones("gcp", "us-east1") == ("us-east1-b", "us-east1-c", "us-east1-d")


def test_cidr_ignores_client_networks_no_candidate_can_avoid() -> None:
    """The default 10.0.0.0/8 and a world-open 0.0.0.0/0 overlap every candidate: plan anyway (QK302 reports
    the latter) instead of failing with no /16 left."""
    for cidrs in (["10.0.0.0/8"], ["0.0.0.0/0"], ["0.0.0.0/0", "10.100.0.0/16"]):
        d = rabbit_dict()
        d["brokers"]["jobs"]["allowed_cidrs"] = cidrs
        assert cluster_cidr(load(d), "jobs") == ("10.101.0.0/16" if "10.100.0.0/16" in cidrs else "10.100.0.0/16")


def test_aws_nodes_spread_with_imdsv2_encrypted_disk_no_public_ip_and_secret_user_data() -> None:
    items, out = fleet("aws")
    assert out.hostnames == ("rabbitmq-jobs-0", "rabbitmq-jobs-1", "rabbitmq-jobs-2")
    assert out.private_ips == ("10.100.1.10", "10.100.2.11", "10.100.3.12")
    assert out.instance_zones == ("us-east-1a", "us-east-1b", "us-east-1c")
    nodes = of_type(items, "aws:ec2/instance:Instance")
    assert len(nodes) == 3
    for i, node in enumerate(nodes):
        x = node.inputs
        assert x["metadataOptions"] == {"httpEndpoint": "enabled", "httpTokens": "required",
                                        "httpPutResponseHopLimit": 1}
        assert x["rootBlockDevice"]["encrypted"] is True
        assert (x["rootBlockDevice"]["volumeType"], x["rootBlockDevice"]["volumeSize"]) == ("gp3", 100)
        assert x["associatePublicIpAddress"] is False
        assert x["instanceType"] == "m6i.large"
        assert x["iamInstanceProfile"] == "shop-prod-jobs-node"
        assert is_secret(x["userData"]) and x["userData"]["value"] == f"boot {i}"
    template = of_type(items, "aws:ec2/launchTemplate:LaunchTemplate")[0].inputs
    assert template["metadataOptions"]["httpTokens"] == "required"
    assert template["imageId"] == "resolve:ssm:/aws/service/debian/release/12/latest/amd64"


def test_aws_security_group_admits_clients_only_from_declared_cidrs() -> None:
    items, _ = fleet("aws")
    sg = items["rabbitmq-jobs.sg"].inputs
    ingress = [(r["fromPort"], r.get("cidrBlocks"), r.get("self")) for r in sg["ingress"]]
    assert ingress == [
        (5671, ["10.30.0.0/16"], None), (5671, ["10.100.0.0/16"], None),
        (15671, ["10.30.0.0/16"], None), (15671, ["10.100.0.0/16"], None),
        (4369, None, True), (25672, None, True),
    ]
    assert "0.0.0.0/0" not in json.dumps(sg["ingress"])
    items, _ = fleet("aws", allowed_cidrs=())
    assert [r.get("cidrBlocks") for r in items["rabbitmq-jobs.sg"].inputs["ingress"]] == [
        ["10.100.0.0/16"], ["10.100.0.0/16"], None, None]


def test_aws_instance_role_may_only_write_its_metrics_and_logs() -> None:
    items, _ = fleet("aws")
    policy = json.loads(items["rabbitmq-jobs.role-policy"].inputs["policy"])
    assert policy["Statement"] == [
        {"Sid": "Metrics", "Effect": "Allow", "Action": "cloudwatch:PutMetricData", "Resource": "*",
         "Condition": {"StringEquals": {"cloudwatch:namespace": "queuekit/rabbitmq"}}},
        {"Sid": "Logs", "Effect": "Allow",
         "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
         "Resource": "arn:aws:logs:us-east-1:*:log-group:/queuekit/shop-prod-jobs*"},
    ]
    assume = json.loads(items["rabbitmq-jobs.role"].inputs["assumeRolePolicy"])
    assert assume["Statement"][0]["Principal"] == {"Service": "ec2.amazonaws.com"}


def test_aws_internal_nlb_on_client_ports_with_every_node() -> None:
    items, _ = fleet("aws")
    lb = items["rabbitmq-jobs.nlb"].inputs
    assert (lb["internal"], lb["loadBalancerType"], len(lb["subnets"])) == (True, "network", 3)
    assert sorted(i.inputs["port"] for i in of_type(items, "aws:lb/listener:Listener")) == [5671, 15671]
    assert len(of_type(items, "aws:lb/targetGroupAttachment:TargetGroupAttachment")) == 6
    nat_routes = items["rabbitmq-jobs.rt-private"].inputs["routes"]
    assert nat_routes == [{"cidrBlock": "0.0.0.0/0", "natGatewayId": "rabbitmq-jobs.nat-id"}]


def test_gcp_nodes_shielded_no_external_ip_secret_startup_script() -> None:
    items, out = fleet("gcp")
    assert out.private_ips == ("10.100.1.10", "10.100.1.11", "10.100.1.12")
    nodes = of_type(items, "gcp:compute/instance:Instance")
    assert [n.inputs["zone"] for n in nodes] == ["us-central1-a", "us-central1-b", "us-central1-c"]
    for i, node in enumerate(nodes):
        x = node.inputs
        assert x["networkInterfaces"] == [{"subnetwork": "rabbitmq-jobs.subnet-id", "networkIp": out.private_ips[i]}]
        assert x["shieldedInstanceConfig"] == {"enableSecureBoot": True, "enableVtpm": True,
                                               "enableIntegrityMonitoring": True}
        assert x["bootDisk"]["initializeParams"]["size"] == 100
        assert x["bootDisk"]["initializeParams"]["type"] == "pd-balanced"
        assert is_secret(x["metadata"])
        assert x["metadata"]["value"] == {"startup-script": f"boot {i}", "block-project-ssh-keys": "true",
                                          "enable-oslogin": "TRUE"}
        assert x["serviceAccount"]["email"] == "shop-prod-jobs-vm@shop-prod-4821.iam.gserviceaccount.com"


def test_gcp_firewall_and_service_account_least_privilege() -> None:
    items, _ = fleet("gcp")
    rules = {i.name: i.inputs for i in of_type(items, "gcp:compute/firewall:Firewall")}
    assert {n: (r["allows"], r.get("sourceRanges"), r.get("sourceTags"), r["targetTags"]) for n, r in rules.items()} == {
        "rabbitmq-jobs.fw-clients": ([{"protocol": "tcp", "ports": ["5671", "15671"]}], ["10.30.0.0/16"], None,
                                     ["shop-prod-jobs"]),
        "rabbitmq-jobs.fw-health": ([{"protocol": "tcp", "ports": ["5671"]}], ["35.191.0.0/16", "130.211.0.0/22"],
                                    None, ["shop-prod-jobs"]),
        "rabbitmq-jobs.fw-peers": ([{"protocol": "tcp", "ports": ["4369", "25672"]}], None, ["shop-prod-jobs"],
                                   ["shop-prod-jobs"]),
    }
    roles = sorted(i.inputs["role"] for i in of_type(items, "gcp:projects/iAMMember:IAMMember"))
    assert roles == ["roles/logging.logWriter", "roles/monitoring.metricWriter"]
    items, _ = fleet("gcp", allowed_cidrs=())
    assert "rabbitmq-jobs.fw-clients" not in items


def test_gcp_internal_passthrough_lb() -> None:
    items, _ = fleet("gcp")
    rule = items["rabbitmq-jobs.lb"].inputs
    assert (rule["loadBalancingScheme"], rule["ports"], rule["allowGlobalAccess"]) == ("INTERNAL", ["5671", "15671"],
                                                                                       False)
    assert len(of_type(items, "gcp:compute/instanceGroup:InstanceGroup")) == 3
    assert items["rabbitmq-jobs.backend"].inputs["loadBalancingScheme"] == "INTERNAL"


def test_hosts_file_names_every_node() -> None:
    d = rabbit_dict()
    spec = load(d)
    args = fleet_args(spec, spec.brokers["jobs"], name="rabbitmq-jobs", client_ports=(5671,), peer_ports=(25672,),
                      health_port=5671, user_data=(), metrics_namespace="m", tags={})
    assert hosts_file(args) == "10.100.1.10 rabbitmq-jobs-0\n10.100.1.11 rabbitmq-jobs-1\n10.100.1.12 rabbitmq-jobs-2\n"

"""QK301–QK303 on broker VMs, disks, security groups and firewalls.

Inputs are written exactly as pulumi-aws / pulumi-gcp name them (camelCase, ints as floats) and
go through both runners: the offline rule function and the CrossGuard policy object.
"""

from collections.abc import Mapping
from typing import Any

import pytest
from factories import changed, load, spec_dict
from pulumi_policy import PolicyCustomTimeouts, PolicyResourceOptions, ResourceValidationArgs

from components.plan import fast_plan
from policies.crossguard import policy_for
from policies.rules import BY_NAME
from tests.policies.harness import both, replace_inputs

SG = "aws:ec2/securityGroup:SecurityGroup"
FW = "gcp:compute/firewall:Firewall"
EC2 = "aws:ec2/instance:Instance"
EBS = "aws:ebs/volume:Volume"


def run(rule: str, type_: str, name: str, inputs: Mapping[str, Any], config: Mapping[str, Any] | None = None
        ) -> list[str]:
    """Messages from the rule function and from its CrossGuard policy, asserted equal."""
    r = BY_NAME[rule]
    assert r.check_resource is not None
    offline = r.check_resource(type_, name, inputs, r.config(config))
    reported: list[str] = []
    opts = PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], None)
    policy_for(r).validate(ResourceValidationArgs(type_, dict(inputs), f"urn:pulumi:prod::shop::{type_}::{name}",
                                                  name, opts, None, dict(config or {})),
                           lambda message, urn=None: reported.append(message))
    assert offline == reported
    return offline


def _sg(cidrs: list[str], from_port: float, to_port: float) -> dict[str, Any]:
    return {"ingress": [{"protocol": "tcp", "fromPort": from_port, "toPort": to_port, "cidrBlocks": cidrs}]}


def test_private_client_network_passes() -> None:
    assert run("broker-not-public", SG, "events-sg", _sg(["10.20.0.0/16"], 9093.0, 9093.0)) == []
    assert run("broker-tls", SG, "events-sg", _sg(["10.20.0.0/16"], 9093.0, 9093.0)) == []


def test_world_open_security_group_fails() -> None:
    assert run("broker-not-public", SG, "events-sg", _sg(["0.0.0.0/0"], 9093.0, 9093.0)) == [
        "EC2 SecurityGroup 'events-sg' admits 0.0.0.0/0 on port 9093"]


def test_world_open_port_allowed_by_config() -> None:
    assert run("broker-not-public", SG, "events-sg", _sg(["0.0.0.0/0"], 9093.0, 9093.0), {"publicPorts": [9093]}) == []


def test_gcp_firewall_open_to_ipv6_world_fails() -> None:
    fw = {"direction": "INGRESS", "sourceRanges": ["::/0"], "allows": [{"protocol": "tcp", "ports": ["5671"]}]}
    assert run("broker-not-public", FW, "jobs-clients", fw) == ["GCE Firewall 'jobs-clients' admits ::/0 on port 5671"]


@pytest.mark.parametrize(("inputs", "expected"), [
    (_sg(["10.20.0.0/16"], 9092.0, 9092.0),
     ["EC2 SecurityGroup 'events-sg' admits clients on plaintext port(s) 9092 from 10.20.0.0/16"]),
    ({"ingress": [{"protocol": "tcp", "fromPort": 5600.0, "toPort": 5700.0, "cidrBlocks": ["10.30.0.0/16"]}]},
     ["EC2 SecurityGroup 'events-sg' admits clients on plaintext port(s) 5672 from 10.30.0.0/16"]),
])
def test_plaintext_client_port_fails_tls(inputs: dict[str, Any], expected: list[str]) -> None:
    assert run("broker-tls", SG, "events-sg", inputs) == expected


def test_plaintext_port_between_cluster_nodes_only_passes() -> None:
    inter_node = {"ingress": [{"protocol": "tcp", "fromPort": 9092.0, "toPort": 9092.0, "self": True}]}
    assert run("broker-tls", SG, "events-sg", inter_node) == []


def test_encrypted_disks_pass() -> None:
    ec2 = {"rootBlockDevice": {"encrypted": True, "volumeSize": 20.0},
           "ebsBlockDevices": [{"deviceName": "/dev/sdf", "encrypted": True}]}
    assert run("broker-disk-encryption", EC2, "events-0", ec2) == []
    assert run("broker-disk-encryption", EBS, "events-0-data", {"encrypted": True, "size": 500.0}) == []


def test_unencrypted_disks_fail() -> None:
    ec2 = {"rootBlockDevice": {"volumeSize": 20.0}, "ebsBlockDevices": [{"deviceName": "/dev/sdf", "encrypted": False}]}
    assert run("broker-disk-encryption", EC2, "events-0", ec2) == [
        "EC2 instance 'events-0' root volume is not encrypted (rootBlockDevice.encrypted)",
        "EC2 instance 'events-0' EBS volume /dev/sdf is not encrypted",
    ]
    assert run("broker-disk-encryption", EBS, "events-0-data", {"size": 500.0}) == [
        "EBS volume 'events-0-data' is not encrypted"]


# The same rules on the fleets queuekit plans for the happy-path spec's brokers (Kafka on AWS, RabbitMQ on
# GCP), through the offline runner and the CrossGuard policies on the mocked resources.

def test_planned_broker_fleets_pass() -> None:
    for rule in ("broker-disk-encryption", "broker-not-public", "broker-tls"):
        assert both(spec_dict(), rule) == [], rule


def test_world_open_kafka_broker_fails() -> None:
    assert both(changed("brokers.events.allowed_cidrs", ["0.0.0.0/0"]), "broker-not-public") == [
        "EC2 SecurityGroup 'kafka-events.sg' admits 0.0.0.0/0 on port 9093"]


def test_world_open_rabbitmq_broker_fails() -> None:
    assert both(changed("brokers.jobs.allowed_cidrs", ["0.0.0.0/0"]), "broker-not-public") == [
        "GCE Firewall 'rabbitmq-jobs.fw-clients' admits 0.0.0.0/0 on port 15671",
        "GCE Firewall 'rabbitmq-jobs.fw-clients' admits 0.0.0.0/0 on port 5671",
    ]


def test_rabbitmq_without_tls_fails() -> None:
    assert both(changed("brokers.jobs.tls", False), "broker-tls") == [
        "GCE Firewall 'rabbitmq-jobs.fw-clients' admits clients on plaintext port(s) 5672 from 10.30.0.0/16",
        "GCE Firewall 'rabbitmq-jobs.fw-health' admits clients on plaintext port(s) 5672 from 35.191.0.0/16, "
        "130.211.0.0/22",
    ]


def test_unencrypted_planned_broker_root_volume_fails() -> None:
    """The components always encrypt; the failing case edits a planned node as a hand override would."""
    node = next(i for i in fast_plan(load(spec_dict())) if i.name == "kafka-events.node-1")
    root = {**node.inputs["rootBlockDevice"], "encrypted": False}
    assert both(spec_dict(), "broker-disk-encryption", mutate=replace_inputs(node.name, rootBlockDevice=root)) == [
        "EC2 instance 'kafka-events.node-1' root volume is not encrypted (rootBlockDevice.encrypted)"]

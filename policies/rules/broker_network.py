"""QK301–QK303: self-hosted brokers have encrypted disks, are not open to the internet, use TLS.

Decided from the VM, disk, security-group and firewall inputs the cluster components plan, so
CrossGuard enforces them too. TLS is visible in resources as the ports the broker admits:
plaintext AMQP (5672) and a plaintext Kafka listener (9092) must not be reachable by clients.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Mapping
from typing import Any

from policies.inputs import AWS_SG, AWS_SG_INGRESS, AWS_SG_RULE, EBS_VOLUME, EC2_INSTANCE, GCE_FIREWALL, as_list, kind
from policies.rule import Config, Rule

WORLD = ("0.0.0.0/0", "::/0")


def _ingress(type_: str, inputs: Mapping[str, Any]) -> Iterator[tuple[list[str], int, int]]:
    """(source CIDRs, from port, to port) of every ingress rule; ports 0–65535 when unspecified."""
    if type_ == AWS_SG:
        for rule in as_list(inputs.get("ingress")):
            if isinstance(rule, Mapping):
                cidrs = [*as_list(rule.get("cidrBlocks")), *as_list(rule.get("ipv6CidrBlocks"))]
                yield [str(c) for c in cidrs], int(rule.get("fromPort") or 0), int(rule.get("toPort") or 65535)
    elif type_ == AWS_SG_RULE and inputs.get("type") == "ingress":
        cidrs = [*as_list(inputs.get("cidrBlocks")), *as_list(inputs.get("ipv6CidrBlocks"))]
        yield [str(c) for c in cidrs], int(inputs.get("fromPort") or 0), int(inputs.get("toPort") or 65535)
    elif type_ == AWS_SG_INGRESS:
        cidrs = [c for c in (inputs.get("cidrIpv4"), inputs.get("cidrIpv6")) if c]
        yield [str(c) for c in cidrs], int(inputs.get("fromPort") or 0), int(inputs.get("toPort") or 65535)
    elif type_ == GCE_FIREWALL and str(inputs.get("direction") or "INGRESS") == "INGRESS":
        cidrs = [str(c) for c in as_list(inputs.get("sourceRanges"))]
        for allow in as_list(inputs.get("allows")):
            ports = as_list(allow.get("ports")) if isinstance(allow, Mapping) else []
            if not ports:
                yield cidrs, 0, 65535
            for p in ports:
                low, _, high = str(p).partition("-")
                yield cidrs, int(low), int(high or low)


def _is_world(cidr: str) -> bool:
    try:
        return ipaddress.ip_network(cidr, strict=False).prefixlen == 0
    except ValueError:
        return False


def check_open(type_: str, name: str, inputs: Mapping[str, Any], config: Config) -> list[str]:
    allowed_ports = {int(p) for p in config.get("publicPorts", [])}
    out = []
    for cidrs, low, high in _ingress(type_, inputs):
        world = [c for c in cidrs if _is_world(c)]
        if world and not (low == high and low in allowed_ports):
            span = str(low) if low == high else f"{low}-{high}"
            out.append(f"{kind(type_)} '{name}' admits {', '.join(world)} on port {span}")
    return out


def check_tls(type_: str, name: str, inputs: Mapping[str, Any], config: Config) -> list[str]:
    plaintext = {int(p) for p in config["plaintextPorts"]}
    out = []
    for cidrs, low, high in _ingress(type_, inputs):
        hit = sorted(p for p in plaintext if low <= p <= high)
        if hit and cidrs:  # no CIDR: a rule between the cluster's own nodes (source security group)
            out.append(f"{kind(type_)} '{name}' admits clients on plaintext port(s) "
                       f"{', '.join(map(str, hit))} from {', '.join(cidrs)}")
    return out


def _disk_problems(type_: str, name: str, inputs: Mapping[str, Any]) -> Iterator[str]:
    if type_ == EC2_INSTANCE:
        root = inputs.get("rootBlockDevice")
        if not isinstance(root, Mapping) or root.get("encrypted") is not True:
            yield f"EC2 instance '{name}' root volume is not encrypted (rootBlockDevice.encrypted)"
        for dev in as_list(inputs.get("ebsBlockDevices")):
            if isinstance(dev, Mapping) and dev.get("encrypted") is not True:
                yield f"EC2 instance '{name}' EBS volume {dev.get('deviceName', '?')} is not encrypted"
    elif type_ == EBS_VOLUME and inputs.get("encrypted") is not True:
        yield f"EBS volume '{name}' is not encrypted"


def check_disk(type_: str, name: str, inputs: Mapping[str, Any], config: Config) -> list[str]:
    return list(_disk_problems(type_, name, inputs))


_FW_TYPES = frozenset({AWS_SG, AWS_SG_RULE, AWS_SG_INGRESS, GCE_FIREWALL})

DISK = Rule(
    id="QK301", name="broker-disk-encryption",
    title="Broker VM disks are encrypted at rest",
    rationale="RabbitMQ and Kafka persist every message to local disks; an unencrypted EBS volume or snapshot "
              "exposes them. GCE disks are always encrypted; EBS only when asked.",
    severity="high", enforcement="mandatory", anchors=("CKV_AWS_8", "CKV_AWS_3", "EC2.3"),
    url="https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption.html",
    remediation_steps="Use queuekit's cluster components unchanged (they set `encrypted: true`); do not "
                      "override the block devices.",
    resource_types=frozenset({EC2_INSTANCE, EBS_VOLUME}), check_resource=check_disk,
)
OPEN = Rule(
    id="QK302", name="broker-not-public",
    title="Broker security groups and firewalls do not admit 0.0.0.0/0 or ::/0",
    rationale="Brokers listen on well-known ports that are scanned constantly; admitting the whole internet "
              "invites credential stuffing and exploits against the management plane.",
    severity="critical", enforcement="mandatory", anchors=("EC2.18", "EC2.19"),
    url="https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html",
    remediation_steps="List client networks in the broker's `allowed_cidrs` (never 0.0.0.0/0).",
    config_schema={"publicPorts": {"type": "array", "items": {"type": "number"}, "default": [],
                                   "description": "Single ports that may be open to the world."}},
    resource_types=_FW_TYPES, check_resource=check_open,
)
TLS = Rule(
    id="QK303", name="broker-tls",
    title="Brokers accept clients over TLS only (no plaintext AMQP/Kafka port is reachable)",
    rationale="Broker traffic carries message bodies and SCRAM/AMQP credentials; a reachable plaintext "
              "listener lets anything on the path read both.",
    severity="high", enforcement="mandatory", anchors=(),
    url="https://www.rabbitmq.com/docs/ssl",
    remediation_steps="Leave `tls: true` on the broker (the default); clients then connect on 5671 / 9093.",
    config_schema={"plaintextPorts": {"type": "array", "items": {"type": "number"}, "default": [5672, 9092],
                                      "description": "Client ports that mean plaintext (AMQP 5672, Kafka 9092)."}},
    resource_types=_FW_TYPES, check_resource=check_tls,
)
RULES = (DISK, OPEN, TLS)

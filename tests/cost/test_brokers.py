"""Self-hosted brokers priced from what their cluster component deploys, and the managed alternatives.

Expected values are worked out here from the spec's fields and the rules the components document
(Kafka: 3 dedicated 20 GiB controllers above 3 nodes, broker disk = max(disk, retained × replication ÷
brokers ÷ 0.7); one NAT gateway with one public IPv4, one LB, one secret per Kafka or RabbitMQ cluster; 3 alarms per
node plus the cluster and queue alarms), times the catalog's unit prices.
"""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from components.blueprint import Blueprint
from components.program import stack_blueprint
from cost.catalog import Catalog
from cost.context import Context
from cost.estimate import estimate
from cost.lines import (
    BROKER_HOURS,
    BROKER_STORAGE,
    CLOUDWATCH_ALARMS,
    CROSS_ZONE_CLIENTS,
    CROSS_ZONE_REPLICATION,
    DISKS,
    INSTANCES,
    LOAD_BALANCER,
    MONITORING_CONDITIONS,
    NAT_GATEWAY,
    PUBLIC_IPS,
    SECRETS,
)
from cost.managed import build as managed

GB, GiB = 1000**3, 1024**3
HOURS = 730
# clickstream: 2,000 msg/s of 1 KiB retained 3 days, replication 3, on 3 brokers at 70 % fill
CLICKSTREAM_DISK_GIB = math.ceil(2000 * 1024 * 3 * 86400 * 3 / 3 / 0.7 / GiB)


def lines_of(est, resource: str) -> dict:
    return {x.component: x for x in est.lines if x.resource == resource}


def kafka_spec(base, only, **broker):
    spec = only(queues=[base.queues_on("kafka")[0]], brokers=("events",))
    return replace(spec, brokers={"events": replace(base.brokers["events"], **broker)})


def test_kafka_on_aws(base, only) -> None:
    lines = lines_of(estimate(kafka_spec(base, only)), "events")
    assert CLICKSTREAM_DISK_GIB == 707  # above the declared 500 GiB: the retention rule sizes the disks
    assert (lines[INSTANCES].quantity, lines[INSTANCES].monthly) == (3 * HOURS, pytest.approx(3 * HOURS * 0.096))
    assert (lines[DISKS].quantity, lines[DISKS].monthly) == (3 * 707, pytest.approx(3 * 707 * 0.08))
    assert lines[LOAD_BALANCER].monthly == pytest.approx(HOURS * 0.0225)
    assert (lines[NAT_GATEWAY].quantity, lines[NAT_GATEWAY].monthly) == (HOURS, pytest.approx(HOURS * 0.045))
    assert (lines[PUBLIC_IPS].quantity, lines[PUBLIC_IPS].monthly) == (HOURS, pytest.approx(HOURS * 0.005))
    assert (lines[SECRETS].quantity, lines[SECRETS].monthly) == (1, pytest.approx(0.40))
    # 3 per node (VM down, Kafka down, disk) + under-replicated + offline + clickstream lag + its DLQ records
    assert (lines[CLOUDWATCH_ALARMS].quantity, lines[CLOUDWATCH_ALARMS].monthly) == (13, pytest.approx(1.30))
    produced = 2000 * HOURS * 3600 * 1024
    # two follower copies cross zones; AWS bills $0.01/GB out and $0.01/GB in
    assert lines[CROSS_ZONE_REPLICATION].quantity == pytest.approx(2 * produced / GB)
    assert lines[CROSS_ZONE_REPLICATION].monthly == pytest.approx(2 * produced / GB * 0.02)
    # produce + consume, 2/3 of clients talk to a leader in another zone
    assert lines[CROSS_ZONE_CLIENTS].quantity == pytest.approx(2 * produced * 2 / 3 / GB)


def test_kafka_above_three_nodes_adds_three_controllers(base, only) -> None:
    lines = lines_of(estimate(kafka_spec(base, only, nodes=5)), "events")
    broker_disk = max(500, math.ceil(2000 * 1024 * 3 * 86400 * 3 / 5 / 0.7 / GiB))
    assert broker_disk == 500  # five brokers share the retained bytes: the declared disk is larger
    assert lines[INSTANCES].quantity == (5 + 3) * HOURS
    assert lines[DISKS].quantity == 5 * broker_disk + 3 * 20
    # 3 per VM (controllers included) + 2 cluster + 2 clickstream alarms
    assert lines[CLOUDWATCH_ALARMS].quantity == 3 * 8 + 4


def test_rabbitmq_on_gcp(base, only) -> None:
    email = base.queues_on("rabbitmq")[0]  # 20 msg/s of 8 KiB, quorum queue on 3 nodes
    lines = lines_of(estimate(only(queues=[email], brokers=("jobs",))), "jobs")
    assert lines[INSTANCES].monthly == pytest.approx(3 * HOURS * 0.097118)
    assert lines[DISKS].monthly == pytest.approx(3 * 100 * 0.10)
    assert lines[LOAD_BALANCER].monthly == pytest.approx(HOURS * 0.025)
    assert lines[NAT_GATEWAY].quantity == 3 * HOURS  # Cloud NAT: per VM-hour
    assert lines[NAT_GATEWAY].monthly == pytest.approx(3 * HOURS * 0.0014)
    assert lines[PUBLIC_IPS].monthly == pytest.approx(HOURS * 0.005)
    # the cluster secret + the CA certificate secret, one active version each: 2 × the catalog's $0.06
    assert (lines[SECRETS].quantity, lines[SECRETS].monthly) == (2, pytest.approx(2 * 0.06))
    # 3 per node (down, disk, memory) + backlog + DLQ depth; oldest_message_age has no RabbitMQ metric
    assert lines[MONITORING_CONDITIONS].quantity == 11
    produced = 20 * HOURS * 3600 * 8192
    # GCP bills inter-zone egress once, per GiB
    assert lines[CROSS_ZONE_REPLICATION].quantity == pytest.approx(2 * produced / GiB)
    assert lines[CROSS_ZONE_REPLICATION].monthly == pytest.approx(2 * produced / GiB * 0.01)


def test_cloud_nat_is_capped_above_32_vms(base, only) -> None:
    at_cap = lines_of(estimate(kafka_spec(base, only, cloud="gcp", region="us-central1", nodes=29,
                                          instance_type="n2-standard-2")), "events")
    above = lines_of(estimate(kafka_spec(base, only, cloud="gcp", region="us-central1", nodes=30,
                                         instance_type="n2-standard-2")), "events")
    assert at_cap[NAT_GATEWAY].monthly == pytest.approx(32 * HOURS * 0.0014)  # 29 brokers + 3 controllers
    assert (above[NAT_GATEWAY].quantity, above[NAT_GATEWAY].monthly) == (HOURS, pytest.approx(HOURS * 0.044))
    assert above[SECRETS].quantity == 2  # cluster secret + CA certificate secret, one active version each


def _flat(bp: Blueprint) -> list[str]:
    out: list[str] = []
    for p in bp.resources:
        out += _flat(p.component.build(p.name, p.props["args"])) if p.component else [p.token or ""]
    return out


@pytest.mark.parametrize("cloud, region, nodes", [("aws", "us-east-1", 5), ("gcp", "us-central1", 4)])
def test_the_estimate_counts_the_stacks_own_resources(base, only, cloud, region, nodes) -> None:
    spec = kafka_spec(base, only, cloud=cloud, region=region, nodes=nodes,
                      instance_type="m6i.large" if cloud == "aws" else "n2-standard-2")
    tokens = _flat(stack_blueprint(spec))
    lines = lines_of(estimate(spec), "events")
    vms = sum(t.endswith("/instance:Instance") for t in tokens)
    assert vms == nodes + 3
    assert lines[INSTANCES].quantity == vms * HOURS
    lb = "aws:lb/loadBalancer:LoadBalancer" if cloud == "aws" else "gcp:compute/forwardingRule:ForwardingRule"
    assert lines[LOAD_BALANCER].quantity == tokens.count(lb) * HOURS
    if cloud == "aws":
        assert lines[CLOUDWATCH_ALARMS].quantity == tokens.count("aws:cloudwatch/metricAlarm:MetricAlarm")
        assert lines[NAT_GATEWAY].quantity == tokens.count("aws:ec2/natGateway:NatGateway") * HOURS


def test_a_single_zone_cluster_has_no_cross_zone_lines(base, only) -> None:
    components = {x.component for x in estimate(kafka_spec(base, only, nodes=1)).lines}
    assert CROSS_ZONE_REPLICATION not in components
    assert CROSS_ZONE_CLIENTS not in components


def test_classic_queues_are_not_replicated(base, only) -> None:
    email = replace(base.queues_on("rabbitmq")[0], queue_type="classic")
    est = estimate(only(queues=[email], brokers=("jobs",)))
    [replication] = est.component(CROSS_ZONE_REPLICATION)
    assert replication.quantity == 0


def test_managed_alternatives(base, only, prices: Catalog) -> None:
    ctx = Context(prices)
    spec = kafka_spec(base, only)
    msk = {x.component: x for x in managed(spec, spec.brokers["events"], ctx)}
    assert msk[BROKER_HOURS].monthly == pytest.approx(3 * HOURS * 0.21)
    # MSK stores what the self-hosted brokers would: the retention rule's 707 GiB per broker
    assert msk[BROKER_STORAGE].monthly == pytest.approx(3 * CLICKSTREAM_DISK_GIB * 0.10)
    mq = {x.component: x for x in managed(base, base.brokers["jobs"], ctx)}
    assert mq[BROKER_HOURS].unit_price == 0.288  # n2-standard-2 → mq.m5.large, 3-node cluster
    assert mq[BROKER_HOURS].quantity == 3 * HOURS
    assert mq[BROKER_STORAGE].quantity == 3 * 100

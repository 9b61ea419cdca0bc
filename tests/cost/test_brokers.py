"""Self-hosted brokers (VMs, disks, LB, cross-zone traffic) and the managed alternatives."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cost.catalog import Catalog
from cost.context import Context
from cost.estimate import estimate
from cost.lines import (
    BROKER_HOURS,
    BROKER_STORAGE,
    CROSS_ZONE_CLIENTS,
    CROSS_ZONE_REPLICATION,
    DISKS,
    INSTANCES,
    LOAD_BALANCER,
)
from cost.managed import build as managed

GB = 1000**3


def test_kafka_on_aws(base, only) -> None:
    clickstream = base.queues_on("kafka")[0]  # 2,000 msg/s of 1 KiB, replication 3, three zones
    est = estimate(only(queues=[clickstream], brokers=("events",)))
    lines = {x.component: x for x in est.lines if x.resource == "events"}
    assert base.brokers["events"].instance_type == "m6i.large"
    assert (lines[INSTANCES].quantity, lines[INSTANCES].monthly) == (3 * 730, pytest.approx(3 * 730 * 0.096))
    assert (lines[DISKS].quantity, lines[DISKS].monthly) == (1500, pytest.approx(120.0))
    assert lines[LOAD_BALANCER].monthly == pytest.approx(730 * 0.0225)
    produced = 2000 * 730 * 3600 * 1024
    # two follower copies cross zones; AWS bills $0.01/GB out and $0.01/GB in
    assert lines[CROSS_ZONE_REPLICATION].quantity == pytest.approx(2 * produced / GB)
    assert lines[CROSS_ZONE_REPLICATION].monthly == pytest.approx(2 * produced / GB * 0.02)
    # produce + consume, 2/3 of clients talk to a leader in another zone
    assert lines[CROSS_ZONE_CLIENTS].quantity == pytest.approx(2 * produced * 2 / 3 / GB)


def test_rabbitmq_on_gcp_bills_egress_once(base, only) -> None:
    email = base.queues_on("rabbitmq")[0]  # 20 msg/s of 8 KiB, quorum queue on 3 nodes
    est = estimate(only(queues=[email], brokers=("jobs",)))
    lines = {x.component: x for x in est.lines if x.resource == "jobs"}
    assert lines[INSTANCES].monthly == pytest.approx(3 * 730 * 0.097118)
    assert lines[DISKS].monthly == pytest.approx(300 * 0.10)
    produced = 20 * 730 * 3600 * 8192
    assert lines[CROSS_ZONE_REPLICATION].monthly == pytest.approx(2 * produced / GB * 0.01)


def test_a_single_zone_cluster_has_no_cross_zone_lines(base, only) -> None:
    broker = replace(base.brokers["events"], nodes=1)
    spec = replace(only(queues=[base.queues_on("kafka")[0]]), brokers={"events": broker})
    components = {x.component for x in estimate(spec).lines}
    assert CROSS_ZONE_REPLICATION not in components
    assert CROSS_ZONE_CLIENTS not in components


def test_classic_queues_are_not_replicated(base, only) -> None:
    email = replace(base.queues_on("rabbitmq")[0], queue_type="classic")
    est = estimate(only(queues=[email], brokers=("jobs",)))
    [replication] = est.component(CROSS_ZONE_REPLICATION)
    assert replication.quantity == 0


def test_managed_alternatives(base, prices: Catalog) -> None:
    ctx = Context(prices)
    msk = {x.component: x for x in managed(base.brokers["events"], ctx)}
    assert msk[BROKER_HOURS].monthly == pytest.approx(3 * 730 * 0.21)
    assert msk[BROKER_STORAGE].monthly == pytest.approx(1500 * 0.10)
    mq = {x.component: x for x in managed(base.brokers["jobs"], ctx)}
    assert mq[BROKER_HOURS].unit_price == 0.288  # n2-standard-2 → mq.m5.large, 3-node cluster
    assert mq[BROKER_HOURS].quantity == 3 * 730

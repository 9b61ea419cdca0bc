"""Managed alternatives, for comparison only: Amazon MQ for RabbitMQ and Amazon MSK.

The broker size is the managed type with the same vCPUs as the self-hosted instance
(``queuekit.sizing.INSTANCE_SIZES``), capped at the largest type in the catalog. Amazon MQ
for RabbitMQ clusters always have 3 nodes. MSK does not charge for replication traffic
between brokers (MSK pricing page), so only broker-hours and storage are billed; client
traffic crossing zones is left out of both. MSK storage per broker is what the self-hosted
brokers would hold (``components.kafka.disk_gb``: the retention rule), so the comparison is like
for like; Amazon MQ storage is the broker's ``disk``.
"""

from __future__ import annotations

from cost.context import Context, GiB
from cost.lines import BROKER_HOURS, BROKER_STORAGE, CostLine, line
from queuekit.model import Broker, Spec
from queuekit.sizing import INSTANCE_SIZES

SIZES = ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "16xlarge")
NAME = {"rabbitmq": "amazon-mq", "kafka": "msk"}


def managed_size(instance_type: str) -> str:
    for i, (_vcpu, _mem, aws_type, gcp_type) in enumerate(INSTANCE_SIZES):
        if instance_type in (aws_type, gcp_type):
            return SIZES[i]
    return SIZES[0]


def build(spec: Spec, broker: Broker, ctx: Context) -> list[CostLine]:
    """The managed service's lines for a cluster of ``broker``'s size carrying ``spec``'s traffic."""
    size = managed_size(broker.instance_type)
    if broker.engine == "rabbitmq":
        keys = [f"mq.rabbitmq.m5.{s}" for s in SIZES if f"mq.rabbitmq.m5.{s}" in ctx.prices]
        key = f"mq.rabbitmq.m5.{size}" if f"mq.rabbitmq.m5.{size}" in ctx.prices else keys[-1]
        nodes, storage, disk_gib = 3, ctx.prices["mq.rabbitmq.storage"], broker.disk_bytes / GiB
    else:
        keys = [f"msk.kafka.m5.{s}" for s in SIZES if f"msk.kafka.m5.{s}" in ctx.prices]
        key = f"msk.kafka.m5.{size}" if f"msk.kafka.m5.{size}" in ctx.prices else keys[-1]
        from components.kafka import disk_gb

        nodes, storage, disk_gib = broker.nodes, ctx.prices["msk.storage"], disk_gb(spec, broker)
    name = NAME[broker.engine]
    return [
        line(broker.name, name, BROKER_HOURS, nodes * ctx.hours_per_month, ctx.prices[key], usage_based=False),
        line(broker.name, name, BROKER_STORAGE, nodes * disk_gib, storage, usage_based=False),
    ]

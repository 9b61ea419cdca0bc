"""A cost line: one billable component of one resource, with everything needed to check it.

Component names are a contract read by checks outside the repo (``"SQS requests"``,
``"Free tier"`` ...), so they are constants here rather than strings scattered in models.
"""

from __future__ import annotations

from dataclasses import dataclass

from cost.catalog import Price

SQS_REQUESTS = "SQS requests"
SNS_PUBLISHES = "SNS publishes"
KMS_REQUESTS = "KMS requests"
KMS_KEYS = "KMS keys"
PUBSUB_PUBLISH = "Pub/Sub publish throughput"
PUBSUB_DELIVERY = "Pub/Sub delivery throughput"
PUBSUB_STORAGE = "Pub/Sub retained storage"
FREE_TIER = "Free tier"
CLOUDWATCH_ALARMS = "CloudWatch alarms"
MONITORING_CONDITIONS = "Alerting conditions"
MONITORING_TIME_SERIES = "Alerting time series"
INSTANCES = "Instances"
DISKS = "Disks"
LOAD_BALANCER = "Load balancer"
NAT_GATEWAY = "NAT gateway"
PUBLIC_IPS = "Public IPv4 addresses"
SECRETS = "Secrets"
CROSS_ZONE_REPLICATION = "Cross-zone replication"
CROSS_ZONE_CLIENTS = "Cross-zone client traffic"
BROKER_HOURS = "Broker instances"
BROKER_STORAGE = "Broker storage"


@dataclass(frozen=True)
class CostLine:
    """``monthly`` = ``quantity`` × ``unit_price`` (USD). Credits have a negative ``monthly``."""

    resource: str
    backend: str
    component: str
    quantity: float
    unit: str
    unit_price: float
    monthly: float
    source: str
    usage_based: bool

    def to_dict(self) -> dict[str, object]:
        return {
            "resource": self.resource,
            "backend": self.backend,
            "component": self.component,
            "quantity": self.quantity,
            "unit": self.unit,
            "unit_price": self.unit_price,
            "monthly": round(self.monthly, 6),
            "source": self.source,
            "usage_based": self.usage_based,
        }


def line(resource: str, backend: str, component: str, quantity: float, price: Price, *, usage_based: bool) -> CostLine:
    """A flat-priced line: quantity in the price's unit."""
    return CostLine(resource, backend, component, quantity, price.unit, price.unit_price,
                    quantity * price.unit_price, price.source, usage_based)


def priced(resource: str, backend: str, component: str, quantity: float, unit: str, monthly: float, source: str,
           *, usage_based: bool) -> CostLine:
    """A line whose total is computed elsewhere (tiers, blended rates); unit price is the effective one."""
    unit_price = monthly / quantity if quantity else 0.0
    return CostLine(resource, backend, component, quantity, unit, unit_price, monthly, source, usage_based)

"""What every cost model needs besides the spec: the prices and the length of the billing month."""

from __future__ import annotations

import math
from dataclasses import dataclass

from cost.catalog import Catalog
from queuekit.model import DEFAULT_HOURS_PER_MONTH, SECONDS_PER_HOUR, Volume

GiB = 1024**3
TiB = 1024**4


@dataclass(frozen=True)
class Context:
    """``hours_per_month`` 730 is the providers' average month; 744 bills a 31-day January."""

    prices: Catalog
    hours_per_month: float = DEFAULT_HOURS_PER_MONTH

    @property
    def seconds(self) -> float:
        """B in AWS's KMS formulas: seconds in the billing period."""
        return self.hours_per_month * SECONDS_PER_HOUR

    def messages(self, volume: Volume) -> float:
        return volume.monthly_messages(self.hours_per_month)


def requests_for(messages: float, batch: int) -> int:
    """API requests to move ``messages`` in batches of ``batch`` (the last batch may be partial)."""
    return math.ceil(messages / max(batch, 1)) if messages > 0 else 0

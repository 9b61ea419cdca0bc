"""``estimate(spec)``: every cost line of a spec; ``compare``: the same topology on every backend.

Each backend model (``cost.sqs``, ``cost.sns``, ``cost.kms``, ``cost.pubsub``, ``cost.alarms``,
``cost.brokers``) returns named cost lines; the estimate only adds them up, so a number in a
total can always be traced to a line, a unit price and the page that price came from.
``monthly_gross`` is before free-tier credits, ``monthly_total`` after.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cost import alarms, brokers, kms, managed, pubsub, sns, sqs
from cost.catalog import Catalog
from cost.catalog import load as load_catalog
from cost.context import Context
from cost.lines import FREE_TIER, CostLine
from cost.retarget import retarget
from queuekit.model import BACKENDS, DEFAULT_HOURS_PER_MONTH, Spec

MODELS = (sqs.build, sns.build, kms.build, pubsub.build, alarms.build, brokers.build)
MANAGED = {"amazon-mq": "rabbitmq", "msk": "kafka"}


@dataclass(frozen=True)
class Estimate:
    lines: tuple[CostLine, ...]
    hours_per_month: float = DEFAULT_HOURS_PER_MONTH

    @property
    def monthly_gross(self) -> float:
        return sum(x.monthly for x in self.lines if x.component != FREE_TIER)

    @property
    def monthly_total(self) -> float:
        return sum(x.monthly for x in self.lines)

    def by_resource(self) -> dict[str, float]:
        """Monthly cost per resource (free-tier credits under their account resource)."""
        out: dict[str, float] = defaultdict(float)
        for x in self.lines:
            out[x.resource] += x.monthly
        return dict(out)

    def component(self, name: str, resource: str | None = None) -> list[CostLine]:
        return [x for x in self.lines if x.component == name and (resource is None or x.resource == resource)]

    def to_dict(self, compare: dict[str, float] | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {
            "currency": "USD",
            "hours_per_month": self.hours_per_month,
            "monthly_gross": round(self.monthly_gross, 6),
            "monthly_total": round(self.monthly_total, 6),
            "lines": [x.to_dict() for x in self.lines],
        }
        if compare is not None:
            data["compare"] = {k: round(v, 6) for k, v in compare.items()}
        return data


def estimate(spec: Spec, prices: Catalog | None = None, hours_per_month: float = DEFAULT_HOURS_PER_MONTH) -> Estimate:
    ctx = Context(prices or load_catalog(), hours_per_month)
    lines: list[CostLine] = []
    for model in MODELS:
        lines += model(spec, ctx)
    return Estimate(tuple(lines), hours_per_month)


def managed_estimate(spec: Spec, engine: str, ctx: Context) -> Estimate:
    """The topology on the managed service for ``engine``: broker lines swapped for managed ones."""
    target = retarget(spec, engine, ctx.hours_per_month)
    base = estimate(target, ctx.prices, ctx.hours_per_month)
    broker = next(iter(target.brokers.values()))
    kept = tuple(x for x in base.lines if x.resource != broker.name)
    return Estimate(kept + tuple(managed.build(target, broker, ctx)), ctx.hours_per_month)


def compare(spec: Spec, prices: Catalog | None = None,
            hours_per_month: float = DEFAULT_HOURS_PER_MONTH) -> dict[str, float]:
    """Monthly total of the same topology on each backend and on the managed alternatives."""
    ctx = Context(prices or load_catalog(), hours_per_month)
    out = {b: estimate(retarget(spec, b, hours_per_month), ctx.prices, hours_per_month).monthly_total
           for b in BACKENDS}
    for name, engine in MANAGED.items():
        out[name] = managed_estimate(spec, engine, ctx).monthly_total
    return out


@dataclass(frozen=True)
class BudgetStatus:
    """For the policy pack: over ``budget.monthly_usd`` is a violation."""

    limit: float | None
    monthly_total: float
    over: bool
    message: str


def budget_status(spec: Spec, est: Estimate) -> BudgetStatus:
    total = est.monthly_total
    if spec.budget is None:
        return BudgetStatus(None, total, False, f"no budget set; estimate ${total:,.2f}/month")
    limit = spec.budget.monthly_usd
    over = total > limit
    verdict = "over" if over else "within"
    return BudgetStatus(limit, total, over,
                        f"estimate ${total:,.2f}/month is {verdict} the budget of ${limit:,.2f}/month")


def diff(base: Estimate, head: Estimate) -> str:
    from cost.render import render_diff

    return render_diff(base, head)


def chart(spec: Spec, path: str | Path, prices: Catalog | None = None,
          hours_per_month: float = DEFAULT_HOURS_PER_MONTH) -> list[tuple[str, str, float]]:
    from cost.chart import draw

    return draw(spec, Path(path), prices or load_catalog(), hours_per_month)


def render_table(est: Estimate, compared: dict[str, float] | None = None) -> str:
    from cost.render import render_table as table

    return table(est, compared)


def render_json(est: Estimate, compared: dict[str, float] | None = None) -> str:
    import json

    return json.dumps(est.to_dict(compared), indent=2)


def render_markdown(est: Estimate, compared: dict[str, float] | None = None) -> str:
    from cost.render import render_markdown as markdown

    return markdown(est, compared)

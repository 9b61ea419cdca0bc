"""QK907: the stack's monthly cost estimate stays within ``budget.monthly_usd``.

The one rule allowed to use another spoke: it asks ``cost/`` for the estimate, so the budget
check and ``queuekit cost`` can never disagree. It needs the spec (volumes are not in resources).
"""

from __future__ import annotations

from typing import Any

from policies.rule import Config, Finding, Rule, StackContext


def monthly_total(spec: Any, config: Config) -> float:
    """The estimate's monthly total in USD, from ``cost.estimate``."""
    from cost.catalog import load_catalog  # type: ignore[attr-defined]
    from cost.estimate import estimate

    prices = load_catalog(config["prices"]) if config.get("prices") else load_catalog()
    result = estimate(spec, prices, config["hoursPerMonth"])
    total = getattr(result, "total", None)
    if total is None:
        total = sum(line.monthly for line in getattr(result, "lines", result))
    return float(total)


def check(ctx: StackContext, config: Config) -> list[Finding]:
    spec = ctx.model
    if spec is None or spec.budget is None:
        return []
    try:
        total = monthly_total(spec, config)
    except ImportError:  # TODO(policy): drop once cost/estimate.py has landed
        return []
    limit = spec.budget.monthly_usd
    if total <= limit:
        return []
    return [Finding(f"estimated ${total:,.2f}/month exceeds budget.monthly_usd ${limit:,.2f} by "
                    f"${total - limit:,.2f} (see `queuekit cost`)", subject="budget")]


RULE = Rule(
    id="QK907", name="budget",
    title="The stack's estimated monthly cost is within budget.monthly_usd",
    rationale="Cost surprises come from volume and sizing changes in review; failing the check on the pull "
              "request is cheaper than the invoice.",
    severity="medium", enforcement="mandatory", anchors=(),
    url="https://aws.amazon.com/sqs/pricing/",
    remediation_steps="Lower volumes or broker sizes, or raise `budget.monthly_usd` deliberately in the same PR.",
    config_schema={"hoursPerMonth": {"type": "number", "default": 730},
                   "prices": {"type": "string", "default": "", "description": "A price catalog file to use "
                                                                             "instead of cost/catalog."}},
    check_stack=check, needs_model=True,
)

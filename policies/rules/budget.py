"""QK907: the stack's monthly cost estimate stays within ``budget.monthly_usd``.

The one rule allowed to use another spoke: it asks ``cost/`` for the estimate, so the budget
check and ``queuekit cost`` can never disagree. It needs the spec (volumes are not in resources).
"""

from __future__ import annotations

from policies.rule import Config, Finding, Rule, StackContext


def check(ctx: StackContext, config: Config) -> list[Finding]:
    spec = ctx.model
    if spec is None or spec.budget is None:
        return []
    from cost.catalog import load as load_catalog
    from cost.estimate import budget_status, estimate

    prices = load_catalog([config["prices"]] if config.get("prices") else [])
    status = budget_status(spec, estimate(spec, prices, config["hoursPerMonth"]))
    if not status.over:
        return []
    return [Finding(f"{status.message} (over by ${status.monthly_total - (status.limit or 0):,.2f}; see "
                    "`queuekit cost`)", subject="budget")]


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

"""QK907 budget: the rule and `queuekit cost` use the same estimate."""

from factories import changed, load, spec_dict

from cost.estimate import budget_status, estimate
from tests.policies.harness import model_only

RULE = "budget"


def test_within_budget_passes() -> None:
    assert model_only(spec_dict(), RULE) == []


def test_over_budget_fails_with_the_cost_estimate() -> None:
    d = changed("budget.monthly_usd", 1)
    status = budget_status(load(d), estimate(load(d)))
    assert status.over
    assert model_only(d, RULE) == [f"{status.message} (over by ${status.monthly_total - 1:,.2f}; see `queuekit cost`)"]

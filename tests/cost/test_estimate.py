"""The estimate as a whole: totals, month length, JSON shape, compare, diff, chart, budget."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from cost.chart import RATES, break_even, crossovers, curves
from cost.estimate import budget_status, chart, compare, diff, estimate, render_json, render_markdown, render_table
from cost.lines import FREE_TIER, INSTANCES
from cost.render import change
from queuekit.model import Budget, Source, Volume


def test_gross_is_before_free_tiers_and_total_after(base) -> None:
    est = estimate(base)
    credits = sum(x.monthly for x in est.lines if x.component == FREE_TIER)
    assert credits < 0
    assert est.monthly_total == pytest.approx(est.monthly_gross + credits)
    assert est.monthly_total == pytest.approx(sum(est.by_resource().values()))


def test_a_31_day_month_is_reproducible(base) -> None:
    jan = [render_json(estimate(base, hours_per_month=744)) for _ in range(2)]
    assert jan[0] == jan[1]
    data = json.loads(jan[0])
    assert data["hours_per_month"] == 744
    [events] = [x for x in data["lines"] if x["resource"] == "events" and x["component"] == INSTANCES]
    assert events["quantity"] == 3 * 744
    assert estimate(base, hours_per_month=744).monthly_total > estimate(base).monthly_total


def test_json_shape(base) -> None:
    data = json.loads(render_json(estimate(base), compare(base)))
    assert data["currency"] == "USD"
    assert set(data) == {"currency", "hours_per_month", "monthly_gross", "monthly_total", "lines", "compare"}
    assert {"resource", "backend", "component", "quantity", "unit", "unit_price", "monthly", "source"} <= set(
        data["lines"][0])
    assert set(data["compare"]) == {"sqs", "pubsub", "rabbitmq", "kafka", "amazon-mq", "msk"}


def test_compare_prices_the_same_topology_everywhere(only, sqs_queue) -> None:
    spec = only(queues=[sqs_queue()])
    result = compare(spec)
    assert result["sqs"] == pytest.approx(estimate(spec).monthly_total)
    # 26 M messages/month of 2 KiB is small: the serverless backends beat any 3-node cluster
    assert max(result["sqs"], result["pubsub"]) < min(result["rabbitmq"], result["kafka"], result["msk"])


def test_diff_is_a_pr_comment(only, sqs_queue) -> None:
    before = only(queues=[sqs_queue()])
    q = sqs_queue()
    after = only(queues=[replace(q, volume=replace(q.volume, messages_per_month=52_000_000))])
    text = diff(estimate(before), estimate(after))
    assert "| image-resize | +$12.48 ($12.78 → $25.26) |" in text
    assert "**Total:** +$12.48 ($12.38 → $24.86), +100.8%" in text
    assert change(9, 17) == "+$8 ($9 → $17)"
    assert change(17, 9) == "-$8 ($17 → $9)"


def test_diff_marks_new_resources(only, sqs_queue) -> None:
    text = diff(estimate(only(queues=[sqs_queue()])), estimate(only(queues=[sqs_queue(), sqs_queue(name="new")])))
    assert "| new (new) |" in text


def test_chart_writes_a_png_with_crossovers(base, tmp_path: Path) -> None:
    out = tmp_path / "chart.png"
    points = chart(base, out)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert points


def test_break_even_points_are_real_crossings(base, prices) -> None:
    series = curves(base, prices, 730.0)
    points = break_even(RATES, series, crossovers(RATES, series))
    assert points
    for below, above, rate in points:
        k = max(i for i in range(len(RATES)) if RATES[i] <= rate)
        assert series[below][k] < series[above][k]
        assert series[below][k + 1] > series[above][k + 1]


def test_budget_status(base) -> None:
    est = estimate(base)
    assert not budget_status(base, est).over
    tight = replace(base, budget=Budget(monthly_usd=10.0, source=Source("spec.yaml", 1, 1)))
    status = budget_status(tight, est)
    assert status.over and status.limit == 10.0
    assert status.message.startswith(f"estimate ${est.monthly_total:,.2f}/month is over the budget of $10.00")
    assert not budget_status(replace(base, budget=None), est).over


def test_renderers_mark_usage_based_lines(base) -> None:
    est = estimate(base)
    table = render_table(est, compare(base))
    assert "SQS requests *" in table and "Instances *" not in table
    assert "Same topology on each backend" in table
    boxed = [line for line in table.splitlines() if line[:1] in "┌├│└"]
    # Estimate box: 4 rules, header, 2 footer rows around the lines; compare box: 3 rules and a header.
    assert len(boxed) == (len(est.lines) + 7) + (len(compare(base)) + 4)
    assert {len(line) for line in boxed[:len(est.lines) + 7]} == {len(boxed[0])}  # one width per table
    assert [line.split("│")[-2].strip() for line in boxed if "│ Total " in line] == [f"${est.monthly_total:,.2f}"]
    md = render_markdown(est)
    assert md.startswith("| Resource | Backend | Component |")
    assert "| image-resize | sqs | SQS requests * |" in md


def test_undeclared_volumes_show_fixed_costs_only(base) -> None:
    quiet = replace(base, queues=tuple(replace(q, volume=Volume()) for q in base.queues),
                    topics=tuple(replace(t, volume=Volume()) for t in base.topics))
    est = estimate(quiet)
    assert {x.component for x in est.lines if x.usage_based} <= {"Cross-zone replication", "Cross-zone client traffic"}
    assert all(x.monthly == 0 for x in est.lines if x.usage_based)

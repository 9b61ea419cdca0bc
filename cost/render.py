"""Estimate output: a rich table for terminals, markdown for PRs, and the cost diff comment."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from cost.estimate import Estimate


def money(v: float) -> str:
    """``$9`` for whole dollars, ``$9.12`` otherwise, ``-$0.39`` for credits."""
    sign = "-" if v < -0.0049 else ""
    v = abs(v)
    text = f"{round(v):,}" if abs(v - round(v)) < 0.005 else f"{v:,.2f}"
    return f"{sign}${text}"


def quantity(q: float) -> str:
    if q == int(q):
        return f"{int(q):,}"
    return f"{q:,.4f}" if q < 1000 else f"{q:,.0f}"


def unit_price(p: float) -> str:
    """Tiny per-unit prices read better per million (``$0.40/M``)."""
    if p and abs(p) < 0.001:
        return f"{'-' if p < 0 else ''}${abs(p) * 1e6:.4g}/M"
    return f"{'-' if p < 0 else ''}${abs(p):.6g}"


def render_table(est: Estimate, compared: dict[str, float] | None = None, width: int = 160) -> str:
    table = Table(title=f"Monthly cost estimate ({est.hours_per_month:g} h/month, USD)")
    for col in ("Resource", "Backend", "Component", "Quantity", "Unit", "Unit price", "Monthly"):
        table.add_column(col, justify="right" if col in ("Quantity", "Unit price", "Monthly") else "left")
    for x in est.lines:
        table.add_row(x.resource, x.backend, x.component + (" *" if x.usage_based else ""), quantity(x.quantity),
                      x.unit, unit_price(x.unit_price), money(x.monthly))
    table.add_section()
    table.add_row("Gross (before free tiers)", "", "", "", "", "", money(est.monthly_gross))
    table.add_row("Total", "", "", "", "", "", money(est.monthly_total))
    out = io.StringIO()
    console = Console(file=out, width=width, force_terminal=False, color_system=None)
    console.print(table)
    console.print("* usage-based: follows the volumes declared in the spec")
    if compared:
        ct = Table(title="Same topology on each backend (USD/month)", min_width=60)
        ct.add_column("Backend")
        ct.add_column("Monthly", justify="right")
        for name, total in sorted(compared.items(), key=lambda kv: kv[1]):
            ct.add_row(name, money(total))
        console.print(ct)
    return out.getvalue()


def render_markdown(est: Estimate, compared: dict[str, float] | None = None) -> str:
    rows = ["| Resource | Backend | Component | Quantity | Unit | Unit price | Monthly |",
            "|---|---|---|---:|---|---:|---:|"]
    for x in est.lines:
        rows.append(f"| {x.resource} | {x.backend} | {x.component}{' *' if x.usage_based else ''} | "
                    f"{quantity(x.quantity)} | {x.unit} | {unit_price(x.unit_price)} | {money(x.monthly)} |")
    rows += ["", f"**Gross:** {money(est.monthly_gross)} · **Total:** {money(est.monthly_total)} per month "
                 f"({est.hours_per_month:g} h). `*` usage-based."]
    if compared:
        rows += ["", "| Backend | Monthly |", "|---|---:|"]
        rows += [f"| {k} | {money(v)} |" for k, v in sorted(compared.items(), key=lambda kv: kv[1])]
    return "\n".join(rows) + "\n"


def change(before: float, after: float) -> str:
    """``+$8 ($9 → $17)``."""
    delta = after - before
    sign = "+" if delta >= 0 else "-"
    return f"{sign}{money(abs(delta))} ({money(before)} → {money(after)})"


def render_diff(base: Estimate, head: Estimate) -> str:
    """A markdown PR comment: per-resource change, totals and percentage."""
    b, h = base.by_resource(), head.by_resource()
    names = list(dict.fromkeys([*b, *h]))
    rows = ["### queuekit cost diff", "", "| Resource | Monthly change |", "|---|---|"]
    for name in names:
        before, after = b.get(name, 0.0), h.get(name, 0.0)
        if abs(after - before) < 0.005:
            continue
        label = name + (" (new)" if name not in b else " (removed)" if name not in h else "")
        rows.append(f"| {label} | {change(before, after)} |")
    if len(rows) == 4:
        rows.append("| (no resource changed) | $0 |")
    total_b, total_h = base.monthly_total, head.monthly_total
    if total_b:
        pct = f"{(total_h - total_b) / total_b * 100:+.1f}%"
    else:
        pct = "new" if total_h else "+0.0%"
    rows += ["", f"**Total:** {change(total_b, total_h)}, {pct}"]
    return "\n".join(rows) + "\n"

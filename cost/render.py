"""Estimate output: a box-drawn table for terminals, markdown for PRs, and the cost diff comment."""

from __future__ import annotations

from typing import TYPE_CHECKING

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


def _box(title: str, header: tuple[str, ...], rows: list[tuple[str, ...]], right: set[int],
         footer: list[tuple[str, ...]] = ()) -> list[str]:  # type: ignore[assignment]
    """A plain box-drawn table. Hand-written because a 1,000-queue estimate has ~5,000 lines and a general
    table library spent seconds measuring them; this is one pass for widths and one for text."""
    widths = [max(len(r[i]) for r in (header, *rows, *footer)) for i in range(len(header))]

    def line(cells: tuple[str, ...]) -> str:
        return "│ " + " │ ".join(c.rjust(w) if i in right else c.ljust(w)
                                   for i, (c, w) in enumerate(zip(cells, widths, strict=True))) + " │"

    def rule(left: str, mid: str, end: str) -> str:
        return left + mid.join("─" * (w + 2) for w in widths) + end

    total = sum(widths) + 3 * len(widths) + 1
    out = [title.center(total).rstrip(), rule("┌", "┬", "┐"), line(header), rule("├", "┼", "┤")]
    out += [line(r) for r in rows]
    if footer:
        out.append(rule("├", "┼", "┤"))
        out += [line(r) for r in footer]
    out.append(rule("└", "┴", "┘"))
    return out


def render_table(est: Estimate, compared: dict[str, float] | None = None) -> str:
    header = ("Resource", "Backend", "Component", "Quantity", "Unit", "Unit price", "Monthly")
    rows = [(x.resource, x.backend, x.component + (" *" if x.usage_based else ""), quantity(x.quantity), x.unit,
             unit_price(x.unit_price), money(x.monthly)) for x in est.lines]
    footer = [("Gross (before free tiers)", "", "", "", "", "", money(est.monthly_gross)),
              ("Total", "", "", "", "", "", money(est.monthly_total))]
    out = _box(f"Monthly cost estimate ({est.hours_per_month:g} h/month, USD)", header, rows, {3, 5, 6}, footer)
    out.append("* usage-based: follows the volumes declared in the spec")
    if compared:
        ranked = [(name, money(total)) for name, total in sorted(compared.items(), key=lambda kv: kv[1])]
        out += _box("Same topology on each backend (USD/month)", ("Backend", "Monthly"), ranked, {1})
    return "\n".join(out) + "\n"


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

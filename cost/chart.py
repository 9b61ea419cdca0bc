"""The break-even chart: monthly cost against message rate for each backend, crossovers marked.

The spec's topology is scaled to each rate (``cost.retarget.scaled``) and priced on every
backend; where two curves change order between neighbouring rates, the crossover is placed by
linear interpolation and marked.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from cost.catalog import Catalog
from cost.estimate import compare
from cost.retarget import scaled
from queuekit.model import Spec

RATES: tuple[float, ...] = tuple(10 ** (i / 4) for i in range(-4, 22))  # 0.1 .. ~178k msg/s


def curves(spec: Spec, prices: Catalog, hours: float, rates: tuple[float, ...] = RATES) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for rate in rates:
        for name, total in compare(scaled(spec, rate, hours), prices, hours).items():
            out.setdefault(name, []).append(total)
    return out


def crossovers(rates: tuple[float, ...], series: dict[str, list[float]]) -> list[tuple[str, str, float]]:
    """(cheaper below, cheaper above, rate) for each pair of curves that cross."""
    names = sorted(series)
    found = []
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            for k in range(len(rates) - 1):
                d0 = series[a][k] - series[b][k]
                d1 = series[a][k + 1] - series[b][k + 1]
                if d0 == 0 or d0 * d1 >= 0:
                    continue
                rate = rates[k] + (rates[k + 1] - rates[k]) * d0 / (d0 - d1)
                below, above = (b, a) if d0 > 0 else (a, b)
                found.append((below, above, rate))
    return found


def break_even(rates: tuple[float, ...], series: dict[str, list[float]],
               points: list[tuple[str, str, float]]) -> list[tuple[str, str, float]]:
    """The crossovers where the cheapest backend changes: the ones worth labelling."""
    out = []
    for below, above, rate in points:
        k = max(i for i in range(len(rates)) if rates[i] <= rate)
        j = min(k + 1, len(rates) - 1)
        lowest = {min(series, key=lambda n: series[n][k]), min(series, key=lambda n: series[n][j])}
        if lowest == {below, above}:
            out.append((below, above, rate))
    return out


def draw(spec: Spec, path: Path, prices: Catalog, hours: float) -> list[tuple[str, str, float]]:
    series = curves(spec, prices, hours)
    points = crossovers(RATES, series)
    cheapest = set(break_even(RATES, series, points))
    fig, ax = plt.subplots(figsize=(10, 6))
    for name, costs in sorted(series.items()):
        style = "--" if name in ("amazon-mq", "msk") else "-"
        ax.plot(RATES, [max(c, 0.01) for c in costs], label=name, linestyle=style)
    for below, above, rate in points:
        y = series[below][0]
        for k in range(len(RATES) - 1):
            if RATES[k] <= rate <= RATES[k + 1]:
                t = (rate - RATES[k]) / (RATES[k + 1] - RATES[k])
                y = series[below][k] + t * (series[below][k + 1] - series[below][k])
        ax.plot([rate], [max(y, 0.01)], "ko", markersize=4)
        if (below, above, rate) not in cheapest:
            continue
        ax.annotate(f"{below}/{above}\n{rate:,.0f} msg/s", (rate, max(y, 0.01)), fontsize=7,
                    textcoords="offset points", xytext=(4, 6))
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("average published messages per second (spec topology scaled)")
    ax.set_ylabel(f"USD per month ({hours:g} h)")
    ax.set_title(f"{spec.project}: monthly cost by backend")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return points

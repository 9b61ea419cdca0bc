"""``queuekit cost SPEC`` and ``queuekit cost refresh-prices``.

Exit codes follow ``queuekit.cli``: 0 ok, 1 refresh failed, 2 invalid input (spec, prices file,
flags).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cost.catalog import CATALOG_DIR, CatalogError
from cost.catalog import load as load_catalog
from queuekit.model import DEFAULT_HOURS_PER_MONTH

REFRESH = "refresh-prices"


def _hours(text: str) -> float:
    value = float(text)
    if not 0 < value <= 744:
        raise argparse.ArgumentTypeError("must be between 0 and 744 (a 31-day month)")
    return value


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "cost", help="estimate the monthly cost of a spec (or: cost refresh-prices)",
        description="Estimate the monthly bill from the spec's volumes, priced from a catalog whose every price "
                    f"names its source. `queuekit cost {REFRESH} [--prices FILE]` updates AWS prices through the "
                    "AWS Price List API when credentials exist.")
    p.add_argument("spec", metavar="SPEC", help=f"the spec file, or {REFRESH}")
    p.add_argument("--format", choices=("table", "json", "markdown"), default="table")
    p.add_argument("--compare", action="store_true", help="also price the same topology on every backend")
    p.add_argument("--base", metavar="BASE_SPEC", help="print the cost diff from BASE_SPEC as a markdown PR comment")
    p.add_argument("--chart", metavar="OUT.png", help="write a break-even chart (cost vs message rate per backend)")
    p.add_argument("--prices", action="append", default=[], metavar="FILE",
                   help="a price catalog overriding the built-in one key by key (repeatable); with "
                        f"{REFRESH}: the file to update (default: the built-in AWS catalog)")
    p.add_argument("--hours-per-month", type=_hours, default=DEFAULT_HOURS_PER_MONTH, metavar="N",
                   help="billing month length (default 730; 744 for a 31-day month)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.spec == REFRESH:
        return run_refresh(args)
    from cost.estimate import chart, compare, diff, estimate, render_json, render_markdown, render_table
    from queuekit.spec import SpecError, load

    try:
        prices = load_catalog(args.prices)
        spec = load(args.spec)
        base = load(args.base) if args.base else None
    except SpecError as error:
        print(str(error), file=sys.stderr)
        return 2
    except CatalogError as error:
        print(f"queuekit cost: {error}", file=sys.stderr)
        return 2
    hours = args.hours_per_month
    try:
        est = estimate(spec, prices, hours)
        compared = compare(spec, prices, hours) if args.compare else None
        if base is not None:
            sys.stdout.write(diff(estimate(base, prices, hours), est))
        elif args.format == "json":
            print(render_json(est, compared))
        elif args.format == "markdown":
            sys.stdout.write(render_markdown(est, compared))
        else:
            sys.stdout.write(render_table(est, compared))
        if args.chart:
            points = chart(spec, args.chart, prices, hours)
            print(f"queuekit cost: wrote {args.chart} ({len(points)} crossovers)", file=sys.stderr)
    except CatalogError as error:
        print(f"queuekit cost: {error}", file=sys.stderr)
        return 2
    return 0


def run_refresh(args: argparse.Namespace) -> int:
    from cost.refresh import NoCredentials, default_client, refresh

    target = Path(args.prices[0]) if args.prices else CATALOG_DIR / "aws-us-east-1.yaml"
    try:
        client = default_client()
    except NoCredentials as error:
        print(f"queuekit cost {REFRESH}: {error}; prices unchanged", file=sys.stderr)
        return 1
    for line in refresh(target, client):
        print(line)
    return 0

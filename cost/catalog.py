"""The price catalog: every price with its unit, source URL and the date it was read.

Prices live in YAML files (``cost/catalog/<provider>-<region>.yaml``), never in code, so a
reviewer can check each number against the provider's page and ``--prices FILE`` can swap a
file without touching a model. A model asks for a price by key and gets the :class:`Price`
back, so the source travels with every cost line.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

CATALOG_DIR = Path(__file__).parent / "catalog"
DEFAULT_FILES: tuple[Path, ...] = (CATALOG_DIR / "aws-us-east-1.yaml", CATALOG_DIR / "gcp-us-central1.yaml")


class CatalogError(ValueError):
    """A catalog file that is missing, malformed, or lacks a price a model needs."""


@dataclass(frozen=True)
class Tier:
    """``usd`` per ``Price.per`` units for usage up to ``upto`` units a month (None: no limit)."""

    upto: float | None
    usd: float


@dataclass(frozen=True)
class Price:
    """One catalog entry. ``usd`` buys ``per`` units of ``unit``; ``amount`` is a quantity (free tiers)."""

    key: str
    unit: str
    source: str
    usd: float = 0.0
    per: float = 1.0
    amount: float | None = None
    tiers: tuple[Tier, ...] = ()
    read: str | None = None
    verified: bool = False
    note: str = ""
    price_list: Mapping[str, Any] | None = None

    @property
    def unit_price(self) -> float:
        """USD for one ``unit`` (e.g. one request, not one million)."""
        return self.usd / self.per

    def tiered_cost(self, quantity: float) -> float:
        """USD for ``quantity`` units a month, walking the volume tiers (flat when there are none)."""
        if not self.tiers:
            return quantity * self.unit_price
        cost, floor = 0.0, 0.0
        for tier in self.tiers:
            ceiling = quantity if tier.upto is None else min(quantity, tier.upto)
            if ceiling > floor:
                cost += (ceiling - floor) * tier.usd / self.per
            if tier.upto is None or quantity <= tier.upto:
                break
            floor = tier.upto
        return cost


@dataclass(frozen=True)
class Catalog:
    """Prices by key, merged from the built-in files (keys unique across them) and ``--prices`` overrides."""

    prices: Mapping[str, Price]
    files: tuple[str, ...] = field(default=())

    def __getitem__(self, key: str) -> Price:
        try:
            return self.prices[key]
        except KeyError:
            raise CatalogError(f"no price {key!r} in the catalog ({', '.join(self.files)})") from None

    def __contains__(self, key: object) -> bool:
        return key in self.prices

    def amount(self, key: str) -> float:
        price = self[key]
        if price.amount is None:
            raise CatalogError(f"catalog entry {key!r} has no amount")
        return price.amount


def _price(key: str, raw: Any, file: str) -> Price:
    if not isinstance(raw, Mapping) or "unit" not in raw or "source" not in raw:
        raise CatalogError(f"{file}: price {key!r} needs at least unit and source")
    if "usd" not in raw and "amount" not in raw:
        raise CatalogError(f"{file}: price {key!r} needs usd or amount")
    tiers = tuple(Tier(None if t.get("upto") is None else float(t["upto"]), float(t["usd"]))
                  for t in raw.get("tiers", ()))
    return Price(
        key=key,
        unit=str(raw["unit"]),
        source=str(raw["source"]),
        usd=float(raw.get("usd", 0.0)),
        per=float(raw.get("per", 1)),
        amount=None if raw.get("amount") is None else float(raw["amount"]),
        tiers=tiers,
        read=None if raw.get("read") is None else str(raw["read"]),
        verified=bool(raw.get("verified", False)),
        note=str(raw.get("note", "")),
        price_list=raw.get("price_list"),
    )


def _read(path: str | Path) -> tuple[str | None, dict[str, Price]]:
    try:
        data = yaml.safe_load(Path(path).read_text())
    except OSError as exc:
        raise CatalogError(f"cannot read price catalog {path}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise CatalogError(f"price catalog {path} is not valid YAML: {exc}") from None
    if not isinstance(data, Mapping) or not isinstance(data.get("prices"), Mapping):
        raise CatalogError(f"price catalog {path} has no 'prices' mapping")
    provider = None if data.get("provider") is None else str(data["provider"])
    return provider, {str(k): _price(str(k), v, str(path)) for k, v in data["prices"].items()}


def read_file(path: str | Path) -> dict[str, Price]:
    """The prices in one catalog file."""
    return _read(path)[1]


def _merge(files: Iterable[Path], *, overrides: Mapping[str, tuple[Path, str | None]] | None = None,
           ) -> dict[str, tuple[Path, str | None, Price]]:
    """Key → (file, provider, price). A key defined by two of ``files`` is an error: with several
    providers' files merged, "the later file wins" would silently bill AWS traffic at a GCP price."""
    seen: dict[str, tuple[Path, str | None, Price]] = {}
    for path in files:
        provider, prices = _read(path)
        for key, price in prices.items():
            if key in seen:
                raise CatalogError(f"price {key!r} is defined in both {seen[key][0]} and {path}; "
                                   "keys must be unique across catalog files (namespace them per provider)")
            base = (overrides or {}).get(key)
            if base and provider and base[1] and provider != base[1]:
                raise CatalogError(f"{path}: price {key!r} is a {base[1]} price ({base[0]}), "
                                   f"but this file is for provider {provider}")
            seen[key] = (path, provider, price)
    return seen


def load(extra: Iterable[str | Path] = (), defaults: Iterable[str | Path] = DEFAULT_FILES) -> Catalog:
    """The built-in catalogs, then each ``--prices`` file in ``extra`` replacing whole entries by key.

    Keys must be unique across the built-in files and across the ``extra`` files; an ``extra`` file
    that names its provider may only replace that provider's prices.
    """
    base_files, extra_files = [Path(f) for f in defaults], [Path(f) for f in extra]
    base = _merge(base_files)
    replaced = _merge(extra_files, overrides={k: (v[0], v[1]) for k, v in base.items()})
    prices = {k: v[2] for k, v in {**base, **replaced}.items()}
    return Catalog(prices, tuple(str(f) for f in (*base_files, *extra_files)))


def main(argv: list[str] | None = None) -> int:
    """``python -m cost.catalog [--prices FILE]``: list every price with its source."""
    parser = argparse.ArgumentParser(prog="python -m cost.catalog")
    parser.add_argument("--prices", action="append", default=[], metavar="FILE")
    args = parser.parse_args(argv)
    catalog = load(args.prices)
    for key, p in sorted(catalog.prices.items()):
        value = f"amount {p.amount:g}" if p.amount is not None else f"${p.usd:g} per {p.per:g} {p.unit}"
        print(f"{key:32} {value:40} {p.source} ({p.read or 'not re-verified'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

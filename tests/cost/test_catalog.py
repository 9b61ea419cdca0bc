"""The catalog: every price is sourced; tiers walk correctly; --prices overrides key by key."""

from __future__ import annotations

from pathlib import Path

import pytest

from cost.catalog import DEFAULT_FILES, CatalogError, load, read_file


def test_every_price_names_a_provider_page_and_a_unit() -> None:
    for path in DEFAULT_FILES:
        for key, price in read_file(path).items():
            assert price.source.startswith("https://"), key
            assert price.unit, key
            assert price.usd > 0 or price.amount is not None, key
            assert price.verified == (price.read is not None), key


def test_sqs_standard_tiers_at_the_boundaries() -> None:
    price = load()["sqs.standard.requests"]
    assert price.tiered_cost(100_000_000_000) == pytest.approx(40_000.0)
    assert price.tiered_cost(100_000_000_001) == pytest.approx(40_000.0 + 0.30e-6)
    assert price.tiered_cost(200_000_000_000) == pytest.approx(70_000.0)
    assert price.tiered_cost(300_000_000_000) == pytest.approx(94_000.0)


def test_fifo_tiers() -> None:
    price = load()["sqs.fifo.requests"]
    assert price.tiered_cost(250_000_000_000) == pytest.approx(50_000 + 40_000 + 17_500)


def test_prices_file_overrides_only_its_keys(tmp_path: Path) -> None:
    other = tmp_path / "eu.yaml"
    other.write_text("prices:\n  sqs.standard.requests:\n    unit: requests\n    per: 1000000\n    usd: 0.44\n"
                     "    source: https://aws.amazon.com/sqs/pricing/\n")
    catalog = load([other])
    assert catalog["sqs.standard.requests"].usd == 0.44
    assert catalog["sqs.standard.requests"].tiers == ()
    assert catalog["sns.publishes"].usd == 0.50


def test_a_broken_prices_file_is_a_catalog_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("prices:\n  x:\n    usd: 1\n")
    with pytest.raises(CatalogError, match="needs at least unit and source"):
        load([bad])
    with pytest.raises(CatalogError, match="cannot read price catalog"):
        load([tmp_path / "missing.yaml"])
    with pytest.raises(CatalogError, match=r"no price 'ec2\.z9\.huge'"):
        load()["ec2.z9.huge"]

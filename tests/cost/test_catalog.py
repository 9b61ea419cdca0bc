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


PRICE = "    unit: GB\n    per: 1\n    usd: {usd}\n    source: https://example.com/{name}\n"


def _catalog(path: Path, provider: str, usd: float, key: str = "transfer.inter_zone") -> Path:
    path.write_text(f"provider: {provider}\nprices:\n  {key}:\n" + PRICE.format(usd=usd, name=provider))
    return path


def test_a_key_defined_in_two_catalog_files_is_a_load_error(tmp_path: Path) -> None:
    aws, gcp = _catalog(tmp_path / "aws.yaml", "aws", 0.01), _catalog(tmp_path / "gcp.yaml", "gcp", 0.02)
    with pytest.raises(CatalogError, match=r"'transfer\.inter_zone' is defined in both .*aws\.yaml and .*gcp\.yaml"):
        load(defaults=[aws, gcp])
    with pytest.raises(CatalogError, match="defined in both"):
        load([aws, gcp])  # two --prices files: no silent "later file wins" either


def test_the_built_in_catalogs_share_no_key() -> None:
    aws, gcp = (set(read_file(path)) for path in DEFAULT_FILES)
    assert aws & gcp == set()
    assert {"aws.transfer.inter_zone", "gcp.transfer.inter_zone"} <= set(load().prices)


def test_a_prices_file_may_not_replace_another_providers_price(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match=r"'sqs\.standard\.requests' is a aws price .* provider gcp"):
        load([_catalog(tmp_path / "gcp.yaml", "gcp", 0.5, key="sqs.standard.requests")])


def test_each_cloud_prices_cross_zone_traffic_at_its_own_rate(base, only, tmp_path: Path) -> None:
    from cost.estimate import estimate
    from cost.lines import CROSS_ZONE_REPLICATION

    spec = only(queues=[base.queues_on("kafka")[0], base.queues_on("rabbitmq")[0]], brokers=("events", "jobs"))
    catalog = load([_catalog(tmp_path / "aws.yaml", "aws", 0.05, key="aws.transfer.inter_zone")])
    lines = {x.resource: x for x in estimate(spec, catalog).component(CROSS_ZONE_REPLICATION)}
    assert lines["events"].unit_price == pytest.approx(2 * 0.05)  # AWS (Kafka): both directions at the AWS rate
    assert lines["jobs"].unit_price == pytest.approx(0.01)  # GCP (RabbitMQ): egress once at the GCP rate
    assert lines["events"].source == "https://example.com/aws"
    assert lines["jobs"].source == "https://cloud.google.com/vpc/network-pricing"

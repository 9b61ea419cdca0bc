"""``queuekit cost refresh-prices``: update AWS prices from the AWS Price List API.

Only catalog entries with a ``price_list`` filter are refreshed: the filter names the service
code and the product attributes (TERM_MATCH) that identify exactly one on-demand price. Each
``PriceList`` item is a JSON string in the documented price-list format
(https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/reading-service-price-list-file-for-services.html):
``terms.OnDemand.<sku>.<sku.offerTermCode>.priceDimensions.<rateCode>.pricePerUnit.USD``.
An entry whose filter matches no product, or several different prices, is left unchanged and
reported, never guessed.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

PRICING_REGION = "us-east-1"  # the Price List API endpoint; it serves every region's prices
SOURCE = "AWS Price List API (pricing:GetProducts)"


class NoCredentials(RuntimeError):
    """Refreshing needs AWS credentials; without them the catalog stays as it is."""


def on_demand_prices(price_list: list[str]) -> set[float]:
    """Every non-zero USD on-demand price in a GetProducts ``PriceList``.

    The API nests ``terms.OnDemand.<offer term>.priceDimensions`` (AWS's published GetProducts example,
    shipped in botocore); the bulk price-list files add a level, ``terms.OnDemand.<sku>.<offer term>``.
    Both are read, so a catalog can be checked against either.
    """
    found: set[float] = set()
    for item in price_list:
        product = json.loads(item)
        for term in product.get("terms", {}).get("OnDemand", {}).values():
            offers = [term] if "priceDimensions" in term else [o for o in term.values() if isinstance(o, dict)]
            for offer in offers:
                for dim in offer.get("priceDimensions", {}).values():
                    usd = float(dim.get("pricePerUnit", {}).get("USD", "0"))
                    if usd:
                        found.add(usd)
    return found


def fetch(client: Any, price_list: Mapping[str, Any]) -> set[float]:
    filters = [{"Type": "TERM_MATCH", "Field": k, "Value": str(v)} for k, v in price_list["filters"].items()]
    items: list[str] = []
    token = None
    while True:
        kwargs: dict[str, Any] = {"ServiceCode": price_list["service_code"], "Filters": filters, "MaxResults": 100}
        if token:
            kwargs["NextToken"] = token
        page = client.get_products(**kwargs)
        items += page.get("PriceList", [])
        token = page.get("NextToken")
        if not token:
            return on_demand_prices(items)


def refresh(path: Path, client: Any, today: datetime.date | None = None) -> list[str]:
    """Update the prices in ``path`` in place; returns one report line per entry."""
    data = yaml.safe_load(path.read_text())
    report = []
    read = (today or datetime.date.today()).isoformat()
    for key, entry in data["prices"].items():
        spec = entry.get("price_list")
        if not spec:
            continue
        prices = fetch(client, spec)
        if len(prices) != 1:
            report.append(f"{key}: left unchanged ({len(prices)} distinct prices matched the filter)")
            continue
        new = prices.pop()
        old = entry.get("usd")
        entry.update(usd=new, read=read, verified=True, note=f"{SOURCE}; was {old}")
        report.append(f"{key}: {old} -> {new}")
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return report


def default_client() -> Any:
    import boto3

    session = boto3.Session()
    if session.get_credentials() is None:
        raise NoCredentials("no AWS credentials found: set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY")
    return session.client("pricing", region_name=PRICING_REGION)

"""``cost refresh-prices`` against a stubbed Price List API (botocore Stubber, no network)."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import boto3
import pytest
import yaml
from botocore.stub import Stubber

from cost.catalog import read_file
from cost.refresh import on_demand_prices, refresh
from queuekit.cli import main

FIXTURE = Path(__file__).parent / "fixtures" / "pricing_get_products_m6i_large.json"
M6I_FILTERS = {"instanceType": "m6i.large", "location": "US East (N. Virginia)", "operatingSystem": "Linux",
               "tenancy": "Shared", "preInstalledSw": "NA", "capacitystatus": "Used"}


def catalog_file(tmp_path: Path) -> Path:
    path = tmp_path / "aws.yaml"
    path.write_text(yaml.safe_dump({"prices": {
        "ec2.m6i.large": {"unit": "instance-hours", "per": 1, "usd": 0.1, "source": "https://aws.amazon.com/ec2/pricing/",
                          "read": None, "verified": False,
                          "price_list": {"service_code": "AmazonEC2", "filters": M6I_FILTERS}},
        "ec2.m6i.xlarge": {"unit": "instance-hours", "per": 1, "usd": 0.192, "source": "https://aws.amazon.com/ec2/",
                           "price_list": {"service_code": "AmazonEC2", "filters": {"instanceType": "m6i.xlarge"}}},
        "kms.key_month": {"unit": "key-months", "usd": 1.0, "source": "https://aws.amazon.com/kms/pricing/"},
    }}, sort_keys=False))
    return path


def filters(d: dict[str, str]) -> list[dict[str, str]]:
    return [{"Type": "TERM_MATCH", "Field": k, "Value": v} for k, v in d.items()]


def test_reads_the_on_demand_price_from_a_price_list_item() -> None:
    response = json.loads(FIXTURE.read_text())["response"]
    assert on_demand_prices(response["PriceList"]) == {0.096}


def test_refresh_updates_matched_prices_and_leaves_the_rest(tmp_path: Path) -> None:
    path = catalog_file(tmp_path)
    client = boto3.client("pricing", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
    with Stubber(client) as stub:
        stub.add_response("get_products", json.loads(FIXTURE.read_text())["response"],
                          {"ServiceCode": "AmazonEC2", "Filters": filters(M6I_FILTERS), "MaxResults": 100})
        stub.add_response("get_products", {"FormatVersion": "aws_v1", "PriceList": []},
                          {"ServiceCode": "AmazonEC2", "Filters": filters({"instanceType": "m6i.xlarge"}),
                           "MaxResults": 100})
        report = refresh(path, client, today=datetime.date(2026, 12, 4))
        stub.assert_no_pending_responses()
    assert report == ["ec2.m6i.large: 0.1 -> 0.096",
                      "ec2.m6i.xlarge: left unchanged (0 distinct prices matched the filter)"]
    prices = read_file(path)
    assert (prices["ec2.m6i.large"].usd, prices["ec2.m6i.large"].read, prices["ec2.m6i.large"].verified) == (
        0.096, "2026-12-04", True)
    assert prices["ec2.m6i.xlarge"].usd == 0.192
    assert prices["kms.key_month"].usd == 1.0


def test_without_credentials_the_command_fails_and_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    path = catalog_file(tmp_path)
    before = path.read_text()
    assert main(["cost", "refresh-prices", "--prices", str(path)]) == 1
    assert "no AWS credentials found" in capsys.readouterr().err
    assert path.read_text() == before


def test_parses_the_get_products_response_aws_publishes() -> None:
    """AWS's own documented GetProducts example (shipped in botocore's service data, not written by us)."""
    import botocore

    examples = Path(botocore.__file__).parent / "data" / "pricing" / "2017-10-15" / "examples-1.json"
    (example,) = json.loads(examples.read_text())["examples"]["GetProducts"]
    assert on_demand_prices(example["output"]["PriceList"]) == {0.138}  # "$0.138 per GB-month of ... io1"
    client = boto3.client("pricing", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    request = {"ServiceCode": "AmazonEC2", **example["input"]}  # the example predates ServiceCode being required
    with Stubber(client) as stub:  # the response passes the real client's response-shape validation
        stub.add_response("get_products", example["output"], request)
        assert client.get_products(**request)["PriceList"] == example["output"]["PriceList"]

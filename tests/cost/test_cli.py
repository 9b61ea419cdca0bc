"""``queuekit cost`` end to end through the real CLI and the real spec loader."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from factories import changed, spec_dict, to_yaml

from queuekit.cli import main


def write(tmp_path: Path, name: str, d: dict) -> str:
    path = tmp_path / name
    path.write_bytes(to_yaml(d))
    return str(path)


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["cost", write(tmp_path, "s.yaml", spec_dict()), "--format", "json", "--compare"], capsys)
    assert code == 0
    data = json.loads(out)
    assert data["currency"] == "USD" and data["monthly_total"] > 0 and "compare" in data


def test_hours_per_month_744_is_reproducible(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "s.yaml", spec_dict())
    first = run(["cost", path, "--format", "json", "--hours-per-month", "744"], capsys)[1]
    second = run(["cost", path, "--format", "json", "--hours-per-month", "744"], capsys)[1]
    assert first == second
    assert json.loads(first)["hours_per_month"] == 744


def test_table_and_markdown(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "s.yaml", spec_dict())
    assert "SQS requests *" in run(["cost", path], capsys)[1]
    assert run(["cost", path, "--format", "markdown"], capsys)[1].startswith("| Resource |")


def test_base_prints_the_diff(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = write(tmp_path, "base.yaml", spec_dict())
    head = write(tmp_path, "head.yaml", changed("queues.0.volume.messages_per_month", 52_000_000))
    code, out, _ = run(["cost", head, "--base", base], capsys)
    assert code == 0
    assert out.startswith("### queuekit cost diff")
    assert "| image-resize | +$12.48 ($12.78 → $25.26) |" in out


def test_chart(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    png = tmp_path / "c.png"
    code, _, err = run(["cost", write(tmp_path, "s.yaml", spec_dict()), "--chart", str(png)], capsys)
    assert code == 0 and png.stat().st_size > 10_000
    assert f"wrote {png}" in err


def test_invalid_spec_exits_2_with_located_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "bad.yaml", changed("queues.0.backend", "kinesis"))
    code, out, err = run(["cost", path], capsys)
    assert code == 2 and out == ""
    assert err.startswith(f"{path}:")


def test_bad_prices_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "s.yaml", spec_dict())
    code, _, err = run(["cost", path, "--prices", str(tmp_path / "missing.yaml")], capsys)
    assert code == 2 and "cannot read price catalog" in err


def test_prices_file_changes_the_estimate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "s.yaml", spec_dict())
    prices = tmp_path / "p.yaml"
    prices.write_text("prices:\n  sns.publishes:\n    unit: requests\n    per: 1000000\n    usd: 1.00\n"
                      "    source: https://aws.amazon.com/sns/pricing/\n")
    default = json.loads(run(["cost", path, "--format", "json"], capsys)[1])
    other = json.loads(run(["cost", path, "--format", "json", "--prices", str(prices)], capsys)[1])
    [sns] = [x for x in other["lines"] if x["component"] == "SNS publishes"]
    assert sns["monthly"] == pytest.approx(26.28)
    assert other["monthly_total"] > default["monthly_total"]


def test_hours_out_of_range_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["cost", write(tmp_path, "s.yaml", spec_dict()), "--hours-per-month", "800"])
    assert exc.value.code == 2

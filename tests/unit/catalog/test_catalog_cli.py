"""`tender catalog`: JSON and table output, filters, and bad input (exit 2, no traceback)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
import typer
from typer.testing import CliRunner, Result

from tender.catalog import Query, search
from tender.cli import catalog as catalog_command
from tender.cli.catalog import JSON_KEYS, render_json


def build_app() -> typer.Typer:
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)

    @app.callback()
    def root() -> None:
        """Test root, so `catalog` stays a sub-command."""

    catalog_command.register(app)
    return app


APP = build_app()


def run(*args: str) -> Result:
    return CliRunner().invoke(APP, ["catalog", *args], env={"COLUMNS": "200"})


def run_json(*args: str) -> list[dict[str, object]]:
    result = run(*args, "--json", "-")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout, parse_float=Decimal)
    assert isinstance(data, list)
    return data


def test_h100_json_lists_at_least_100_positive_per_gpu_prices() -> None:
    data = run_json("--gpu", "H100")
    assert len(data) >= 100
    for item in data:
        assert tuple(item) == JSON_KEYS
        assert item["accelerator"] == "H100"
        price = item["on_demand_per_gpu_hour"]
        assert isinstance(price, (Decimal, int)) and price > 0
        assert item["spot_per_gpu_hour"] is None or item["spot_per_gpu_hour"] > 0  # type: ignore[operator]
        assert item["flags"] == []
    prices = [item["on_demand_per_gpu_hour"] for item in data]
    assert prices == sorted(prices)  # type: ignore[type-var]


def test_json_prices_keep_every_digit_of_the_decimal() -> None:
    data = run_json("--gpu", "V100-32GB", "--provider", "aws")
    assert Decimal("5.347875") in [item["on_demand_per_gpu_hour"] for item in data]


def test_json_matches_the_query_and_is_byte_identical_between_runs() -> None:
    first = run("--gpu", "a100-80gb", "--json", "-")
    second = run("--gpu", "a100-80gb", "--json", "-")
    assert first.stdout == second.stdout
    assert len(json.loads(first.stdout)) == len(search(Query(gpu="A100-80GB")))
    assert render_json(()) == "[]"


@pytest.mark.parametrize(
    ("args", "check"),
    [
        (("--provider", "LAMBDA"), lambda item: item["provider"] == "Lambda"),
        (("--region", "us-east-1"), lambda item: item["region"] == "us-east-1"),
        (("--max-price", "1.5"), lambda item: item["on_demand_per_gpu_hour"] <= Decimal("1.5")),
        (("--spot",), lambda item: item["spot_per_gpu_hour"] > 0),
        (("--spot", "--max-price", "1"), lambda item: item["spot_per_gpu_hour"] <= 1),
    ],
)
def test_filters(args: tuple[str, ...], check: object) -> None:
    data = run_json(*args)
    assert data
    assert all(check(item) for item in data)  # type: ignore[operator]


def test_limit_and_include_flagged() -> None:
    assert len(run_json("--limit", "3")) == 3
    flagged = run_json("--gpu", "H100", "--provider", "Mithril", "--include-flagged")
    assert [item["flags"] for item in flagged] == [["placeholder_price"], ["placeholder_price"]]
    assert run_json("--gpu", "H100", "--provider", "Mithril") == []
    gcp = run_json("--provider", "gcp", "--include-flagged", "--limit", "1")
    assert gcp[0]["flags"] == ["gpu_only_price"]


def test_spot_only_rows_are_listed_with_spot() -> None:
    data = run_json("--provider", "PrimeIntellect", "--spot")
    assert any(item["flags"] == ["spot_only"] and item["on_demand_per_gpu_hour"] is None for item in data)


def test_table_output() -> None:
    result = run("--gpu", "h100", "--limit", "5")
    assert result.exit_code == 0, result.output
    for header in ("provider", "instance type", "$/gpu-h on-demand", "flags"):
        assert header in result.stdout
    assert "Hyperbolic" in result.stdout
    assert f"5 of {len(search(Query(gpu='H100')))} offerings" in result.stdout


def test_no_match_says_so() -> None:
    result = run("--gpu", "H100", "--max-price", "0")
    assert result.exit_code == 0
    assert "no offerings match" in result.stderr
    assert run_json("--gpu", "H100", "--max-price", "0") == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--gpu", "H1000"), "--gpu: unknown accelerator 'H1000'; did you mean H100"),
        (("--gpu", "tpu-v5e"), "--gpu: unknown accelerator 'tpu-v5e'"),
        (("--provider", "lamda"), "--provider: unknown provider 'lamda'; did you mean Lambda?"),
        (("--max-price", "-1"), "--max-price: expected a non-negative number"),
        (("--max-price", "cheap"), "--max-price: expected a non-negative number"),
        (("--max-price", "nan"), "--max-price: expected a non-negative number"),
    ],
)
def test_bad_input_exits_2_with_a_message_and_no_traceback(args: tuple[str, ...], message: str) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_bad_limit_is_a_usage_error() -> None:
    result = run("--limit", "0")
    assert result.exit_code == 2
    assert "Traceback" not in result.output

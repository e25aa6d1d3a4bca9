"""`tender actuals import`: FOCUS rows as the clouds export them into the ledger database.

Fixtures in data/ (see data/README.md): `cloud_export.csv` (columns in a cloud's order, an unknown
column, an x_ column, a cell spanning two lines, `null` cells, Z and +00:00 timestamps) with
`mapping.yaml`, and files of the FOCUS specification's own examples (CC-BY-4.0).
Each bad input is one line `FILE:LINE: column: problem`, exit 2, no traceback, and nothing stored
even when good rows came before it (one transaction).
"""

from __future__ import annotations

import csv
import io
import json
import random
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from tender.cli.app import app

DATA = Path(__file__).parent / "data"
EXPORT = DATA / "cloud_export.csv"
MAPPING = DATA / "mapping.yaml"
MINIMAL = Path(__file__).parents[3] / "examples" / "minimal.yaml"


def invoke(db: Path, *args: str) -> Result:
    return CliRunner().invoke(
        app, ["actuals", "import", *args, "--database-url", f"sqlite:///{db}"], env={"COLUMNS": "200"}
    )


def stored(db: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT line, provider, region, accelerator, sku, period, spend_category, billed_cost, "
            "effective_cost, gpu_hours, row_json FROM actual_costs ORDER BY line"
        ).fetchall()


def test_import_maps_rows_and_twice_adds_nothing(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    args = (str(EXPORT), "--mapping", str(MAPPING), "--scenario", str(MINIMAL))
    first = invoke(db, *args)
    assert first.exit_code == 0, first.output
    assert "4 rows read, 4 added, 0 already stored" in first.stdout
    rows = stored(db)
    # line: 100 h of p5.48xlarge (catalog: 8 x H100) = 800 GPU-h; 10 h of VM_LARGE (mapping: 8 x H100) = 80;
    # a tax line (no SKU, no GPU-hours); the fourth record starts on line 5 and spans two lines.
    assert [r[:10] for r in rows] == [
        (
            2,
            "primary-cloud",
            "us-central",
            "H100",
            "p5.48xlarge",
            "2026-07",
            "compute_on_demand",
            "6880.00",
            "6880.00",
            "800",
        ),
        (
            3,
            "primary-cloud",
            "us-central",
            "H100",
            "VM_LARGE",
            "2026-07",
            "compute_contract",
            "0.00",
            "150.00",
            "80",
        ),
        (4, "primary-cloud", "", "", "", "2026-07", "tax", "12.34", "12.34", "0"),
        (
            5,
            "primary-cloud",
            "us-central",
            "H100",
            "p5.48xlarge",
            "2026-08",
            "compute_on_demand",
            "3440.00",
            "3440.00",
            "400",
        ),
    ]
    kept = json.loads(str(rows[0][10]))
    assert kept["x_UsageType"] == "USE1-BoxUsage:p5.48xlarge" and "Bogus" not in kept
    again = invoke(db, *args)
    assert again.exit_code == 0 and "4 rows read, 0 added, 4 already stored" in again.stdout
    assert stored(db) == rows


def _table(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def _write(path: Path, rows: list[list[str]]) -> Path:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1))
def test_column_order_is_free(tmp_path_factory: pytest.TempPathFactory, seed: int) -> None:
    """The same rows with their columns shuffled are the same rows: the shuffled file adds nothing."""
    tmp = tmp_path_factory.mktemp("order")
    table = _table(EXPORT)
    order = list(range(len(table[0])))
    random.Random(seed).shuffle(order)
    shuffled = _write(tmp / "shuffled.csv", [[row[i] for i in order] for row in table])
    db = tmp / "t.db"
    assert invoke(db, str(EXPORT), "--mapping", str(MAPPING)).exit_code == 0
    result = invoke(db, str(shuffled), "--mapping", str(MAPPING))
    assert result.exit_code == 0 and "4 rows read, 0 added" in result.stdout, result.output


def _bad(tmp_path: Path, record: int, column: str, value: str) -> Path:
    """cloud_export.csv with one cell of data record `record` (1-based) replaced."""
    table = _table(EXPORT)
    table[record][table[0].index(column)] = value
    return _write(tmp_path / "bad.csv", table)


@pytest.mark.parametrize(
    ("record", "column", "value", "line", "problem"),
    [
        (2, "BilledCost", "12,50", 3, "not a decimal number: '12,50'"),
        (3, "BilledCost", "NaN", 4, "not a finite decimal number"),
        (2, "BillingCurrency", "EUR", 3, "'EUR': the ledger is kept in USD"),
        (
            4,
            "ChargePeriodStart",
            "2025-06-01T00:00:00Z",
            5,
            "outside the horizon of minimal (2026-07..2027-06)",
        ),
        (2, "ChargePeriodStart", "2026-07-01T00:00:00", 3, "timestamp without a UTC offset"),
        (2, "ChargePeriodEnd", "2026-07-01T30:00:00Z", 3, "not an ISO 8601 timestamp"),
        (3, "SkuId", "gpu-xl-unknown", 4, "unmapped SKU 'gpu-xl-unknown'"),
        (2, "ProviderName", "Cloud Z", 3, "provider 'Cloud Z' is not in scenario minimal"),
        (1, "ChargeCategory", "Refund", 2, "'Refund' is not one of Adjustment, Credit, Purchase, Tax, Usage"),
    ],
)
def test_bad_row_names_file_line_column_and_stores_nothing(
    tmp_path: Path, record: int, column: str, value: str, line: int, problem: str
) -> None:
    bad = _bad(tmp_path, record, column, value)
    db = tmp_path / "t.db"
    result = invoke(db, str(bad), "--mapping", str(MAPPING), "--scenario", str(MINIMAL))
    assert result.exit_code == 2, result.output
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{bad}:{line}: {column}: ") and problem in first, first
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert stored(db) == []  # the good rows before it were rolled back


def test_missing_required_column_in_the_specification_example(tmp_path: Path) -> None:
    """The FOCUS spec's own usage example has no BillingCurrency column: the header (line 1) is named."""
    spec = DATA / "focus_spec_usage_scenario_4.csv"
    db = tmp_path / "t.db"
    result = invoke(db, str(spec), "--provider", "primary-cloud")
    assert result.exit_code == 2
    assert (
        result.stderr.splitlines()[0]
        == f"{spec}:1: BillingCurrency: required FOCUS column missing from the header"
    )
    assert stored(db) == []


def test_specification_example_with_a_currency_imports(tmp_path: Path) -> None:
    """The spec's flexibility example (blank lines, `null` cells, a Purchase row), given a currency."""
    table = [r for r in _table(DATA / "focus_spec_flexibility_1_resource.csv") if r]
    table = [[*table[0], "BillingCurrency"]] + [[*r, "USD"] for r in table[1:]]
    path = _write(tmp_path / "flex.csv", table)
    db = tmp_path / "t.db"
    mapping = _write_text(
        tmp_path / "m.yaml",
        "skus:\n  VM_SMALL: {accelerator: none}\n  VM_LARGE: {accelerator: H100, count: 1}\n",
    )
    result = invoke(db, str(path), "--provider", "cloud-x", "--mapping", str(mapping))
    assert result.exit_code == 0, result.output
    rows = stored(db)
    assert [(r[3], r[6], r[7], r[9]) for r in rows] == [
        ("", "compute_contract", "0.50", "0"),  # the commitment purchase: no PricingCategory
        ("H100", "compute_contract", "0.00", "1.00"),  # Committed usage, 1 Hour
        ("H100", "compute_on_demand", "2.25", "1.00"),  # Standard usage
    ]
    assert sum(Decimal(str(r[7])) for r in rows) == Decimal("2.75")


def _write_text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("skus:\n  X: {accelerator: H100, count: 0}\n", "skus.X.count: expected a positive integer, got 0"),
        ("skus:\n  X: {accelerator: H100, gpus: 8}\n", "skus.X.gpus: unknown field"),
        ("skus:\n  X: {accelerator: H100, quantity: days}\n", "skus.X.quantity: expected one of"),
        ("regions: [a, b]\n", "regions: expected a mapping of names to names"),
        ("skus: {X: [\n", "invalid YAML"),
        ("key_columns: [SkuId, InstanceType]\n", "key_columns[1]: 'InstanceType' is neither"),
    ],
)
def test_bad_mapping_file(tmp_path: Path, text: str, message: str) -> None:
    mapping = _write_text(tmp_path / "m.yaml", text)
    result = invoke(tmp_path / "t.db", str(EXPORT), "--mapping", str(mapping))
    assert result.exit_code == 2 and message in result.stderr.splitlines()[0], result.output
    assert str(mapping) in result.stderr


def test_catalog_defaults() -> None:
    from tender.ledger.actuals import catalog_skus

    skus = catalog_skus()
    assert (skus["p5.48xlarge"].accelerator, skus["p5.48xlarge"].count) == ("H100", 8)
    assert (skus["p4d.24xlarge"].accelerator, skus["p4d.24xlarge"].count) == ("A100", 8)


def test_unreachable_database_is_one_line() -> None:
    url = "postgresql://nobody:x@127.0.0.1:1/none"  # nothing listens on port 1
    result = CliRunner().invoke(app, ["actuals", "import", str(EXPORT), "--database-url", url])
    assert result.exit_code == 2
    assert (
        result.stderr.startswith("--database-url: cannot use the database (")
        and "Traceback" not in result.output
    )

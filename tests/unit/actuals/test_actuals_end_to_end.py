"""Import -> report (-> re-plan) end to end through the CLI, on SQLite and on a real PostgreSQL.

1. `tender plan` the two-cloud scenario to a plan JSON.
2. The runtime meters one attempt on a cloud-b pool (`runtime_ledger.append_usage`, as its meter does).
3. `tender actuals import` a FOCUS file for cloud-a: rows added; the same file again adds nothing;
   a copy with one bad row (its last) exits 2 naming that row, and stores nothing.
4. `tender actuals report --json`: the actual spend per provider-month equals the sums of the file's
   BilledCost (read here with csv + Decimal) and the runtime's cost; the planned figures equal the plan's
   own ledger rows.
5. `tender plan --actuals`: months 1-2 are fixed (no award in them); what c-a drew is the file's
   compute_contract spend (Committed rows) up to its total, the month-2 shortfall what that leaves of
   4,000; `tender check` passes on the re-plan, and fails once its `fixed` drawn amount is altered.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from fresh_database import fresh_postgres_database
from tender.cli.app import app
from tender.ledger.sql import Database, upgrade
from tender.ledger.sql.actuals_store import count_rows
from tender.ledger.sql.runtime_ledger import UsageEntry, append_usage

DATA = Path(__file__).parent / "data"
SCENARIO = DATA / "two_clouds.yaml"
HEADER = [
    "BillingCurrency", "ChargePeriodStart", "ChargePeriodEnd", "ChargeCategory", "PricingCategory",
    "SkuId", "ConsumedQuantity", "ConsumedUnit", "BilledCost", "EffectiveCost", "RegionId", "x_Team",
]  # fmt: skip


def _focus_rows() -> list[list[str]]:
    rows = []
    for day in range(1, 29):  # cloud-a: January and February, daily rows of p5.48xlarge (8 x H100)
        for month, price in ((1, "68.80"), (2, "55.04")):
            start = f"2026-{month:02d}-{day:02d}T00:00:00Z"
            end = f"2026-{month:02d}-{day:02d}T23:59:59Z"
            hours = 3 + day % 5
            cost = str(Decimal(price) * hours)
            pricing = "Committed" if day % 2 else "Standard"
            rows.append(
                [
                    "USD",
                    start,
                    end,
                    "Usage",
                    pricing,
                    "p5.48xlarge",
                    str(hours),
                    "Hours",
                    cost,
                    cost,
                    "us-east",
                    f"t{day % 3}",
                ]
            )
    return rows


def _write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([HEADER, *rows])
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tender.db'}"
        return
    import psycopg

    base = request.getfixturevalue("postgres_url")
    with ExitStack() as stack:
        try:
            url = stack.enter_context(fresh_postgres_database(base, "tender_actuals"))
        except psycopg.Error as exc:
            pytest.skip(f"cannot create a PostgreSQL database: {exc}")
        yield url


def run(*args: str) -> Result:
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})


def _meter(url: str) -> Decimal:
    """One finished attempt of 4 GPUs x 2.5 h on pool cloud-b/H100/us-west at 3.00: 10 GPU-h, 30.00."""
    db = Database(url)
    try:
        upgrade(db)
        entry = UsageEntry(
            "att-1", "job-1", "cloud-b/H100/us-west", "cloud-b", 4, Decimal(9000), Decimal(10),
            Decimal("3.00"), "succeeded", "engine", datetime(2026, 1, 15, 12, tzinfo=UTC),
        )  # fmt: skip
        with db.write() as s:
            append_usage(s, entry, datetime(2026, 1, 15, 12, tzinfo=UTC))
    finally:
        db.dispose()
    return entry.cost


def _stored(url: str) -> int:
    db = Database(url)
    try:
        with db.read() as s:
            return count_rows(s)
    finally:
        db.dispose()


def test_import_report_end_to_end(db_url: str, tmp_path: Path) -> None:
    plan_json = tmp_path / "plan.json"
    assert run("plan", str(SCENARIO), "--json", str(plan_json), "-q").exit_code == 0
    runtime_cost = _meter(db_url)
    rows = _focus_rows()
    focus = _write(tmp_path / "cloud-a.csv", rows)
    common = ("--provider", "cloud-a", "--scenario", str(SCENARIO), "--database-url", db_url)

    first = run("actuals", "import", str(focus), *common)
    assert first.exit_code == 0, first.output
    assert f"{len(rows)} rows read, {len(rows)} added" in first.stdout
    again = run("actuals", "import", str(focus), *common)
    assert again.exit_code == 0 and f"{len(rows)} rows read, 0 added" in again.stdout
    assert _stored(db_url) == len(rows)

    bad_rows = [*_focus_rows()[:5], ["USD", "2026-03-01T00:00:00Z", "2026-03-02T00:00:00Z", "Usage", "Standard", "p5.48xlarge", "1", "Hours", "1O.00", "10.00", "us-east", "t0"]]  # fmt: skip
    bad = _write(tmp_path / "bad.csv", [[*r[:11], "new"] for r in bad_rows])
    failed = run("actuals", "import", str(bad), *common)
    assert failed.exit_code == 2
    assert failed.stderr.splitlines()[0] == f"{bad}:7: BilledCost: not a decimal number: '1O.00'"
    assert _stored(db_url) == len(rows)  # the five good rows before it (new x_Team) were not kept

    out = tmp_path / "report.json"
    html = tmp_path / "report.html"
    result = run("actuals", "report", str(SCENARIO), "--plan", str(plan_json), "--database-url", db_url,
                 "--json", str(out), "--report", str(html))  # fmt: skip
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    plan = json.loads(plan_json.read_text())
    by = {(r["provider"], r["month"]): r for r in doc["provider_months"]}
    for month in (1, 2):
        billed = sum((Decimal(r[8]) for r in rows if r[1].startswith(f"2026-{month:02d}")), Decimal(0))
        hours = sum((Decimal(r[6]) * 8 for r in rows if r[1].startswith(f"2026-{month:02d}")), Decimal(0))
        assert Decimal(by[("cloud-a", month)]["actual_usd"]) == billed
        assert Decimal(by[("cloud-a", month)]["actual_gpu_hours"]) == hours
    assert Decimal(by[("cloud-b", 1)]["actual_usd"]) == runtime_cost
    assert Decimal(by[("cloud-b", 1)]["actual_gpu_hours"]) == Decimal(10)
    planned: dict[tuple[str, int], Decimal] = {}
    for r in plan["ledger"]:  # a provider-month has its billing row plus one row per other commitment
        key = (r["provider"], r["month"])
        planned[key] = planned.get(key, Decimal(0)) + Decimal(r["billed_cost_usd"])
    for key, usd in planned.items():
        assert Decimal(by[key]["planned_usd"]) == usd
    assert doc["as_of_month"] == 3
    assert "Plotly" in html.read_text()


def test_replan_from_actuals(db_url: str, tmp_path: Path) -> None:
    rows = _focus_rows()
    focus = _write(tmp_path / "cloud-a.csv", rows)
    imported = run("actuals", "import", str(focus), "--provider", "cloud-a", "--scenario", str(SCENARIO),
                   "--database-url", db_url)  # fmt: skip
    assert imported.exit_code == 0, imported.output
    replan = tmp_path / "replan.json"
    result = run("plan", str(SCENARIO), "--actuals", "--database-url", db_url, "--json", str(replan), "-q")
    assert result.exit_code == 0, result.output
    doc = json.loads(replan.read_text())
    assert doc["fixed"]["months"] == [1, 2] and doc["fixed"]["as_of"] == "2026-03"
    assert doc["awards"] and all(a["month"] >= 3 for a in doc["awards"])
    committed = sum((Decimal(r[8]) for r in rows if r[4] == "Committed"), Decimal(0))
    drawn = {c["contract"]: c for c in doc["fixed"]["commitments"]}
    assert Decimal(drawn["c-a"]["drawn_usd"]) == min(committed, Decimal(10000))
    assert Decimal(drawn["c-a"]["shortfall_charged_usd"]) == max(
        Decimal(0), 4000 - min(committed, Decimal(10000))
    )
    assert {m["by_month"] for m in doc["milestones"]} == {4}  # the month-2 milestone is settled
    checked = run("check", str(SCENARIO), str(replan))
    assert checked.exit_code == 0, checked.output
    doc["fixed"]["commitments"][0]["drawn_usd"] = "0"
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(doc))
    assert run("check", str(SCENARIO), str(tampered)).exit_code == 1


@pytest.mark.slow
def test_replan_of_the_example_passes_the_checker(tmp_path: Path) -> None:
    """frontier-lab re-planned from month 13 after a year of primary-cloud bills ($75M a month, all
    committed): c-primary-commit drew $0.9B and was charged $0.5B at month 12 ($1.4B due); rival-cloud-a
    billed nothing, so c-rival-a-commit was charged its whole $0.3B. The re-plan is clean for `tender check`."""
    example = Path(__file__).parents[3] / "examples" / "frontier-lab.yaml"
    header = ["BillingCurrency", "ChargePeriodStart", "ChargePeriodEnd", "ChargeCategory", "PricingCategory",
              "SkuId", "ConsumedQuantity", "ConsumedUnit", "BilledCost"]  # fmt: skip
    rows = []
    for m in range(12):
        year, month = 2026 + (6 + m) // 12, (6 + m) % 12 + 1
        start, end = f"{year}-{month:02d}-01T00:00:00Z", f"{year}-{month:02d}-28T00:00:00Z"
        rows.append(
            ["USD", start, end, "Usage", "Committed", "H100-HOUR", "25000000", "Hours", "75000000.00"]
        )
    focus = tmp_path / "primary.csv"
    with focus.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([header, *rows])
    mapping = tmp_path / "map.yaml"
    mapping.write_text("skus:\n  H100-HOUR: {accelerator: H100, quantity: gpu_hours}\n", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 't.db'}"
    imported = run("actuals", "import", str(focus), "--provider", "primary-cloud", "--mapping", str(mapping),
                   "--scenario", str(example), "--database-url", url)  # fmt: skip
    assert imported.exit_code == 0, imported.output
    out = tmp_path / "replan.json"
    planned = run(
        "plan", str(example), "--actuals", "--as-of", "13", "--database-url", url, "--json", str(out), "-q"
    )
    assert planned.exit_code == 0, planned.output
    doc = json.loads(out.read_text())
    drawn = {c["contract"]: (c["drawn_usd"], c["shortfall_charged_usd"]) for c in doc["fixed"]["commitments"]}
    assert drawn["c-primary-commit"] == ("900000000.00", "500000000.00")
    assert drawn["c-rival-a-commit"] == ("0.00", "300000000.00")
    due = {m["contract"]: m["cumulative_usd"] for m in doc["milestones"]}
    assert due["c-primary-commit"] == "2200000000.00"  # 3.6B - 0.9B drawn - 0.5B charged
    assert all(a["month"] >= 13 for a in doc["awards"]) and doc["check_violations"] == []
    checked = run("check", str(example), str(out))
    assert checked.exit_code == 0, checked.output

"""`tender ledger export --focus`: FOCUS 1.0 rows that the FinOps Foundation's validator accepts.

1. The example plan (`tender plan examples/frontier-lab.yaml --json`) exported, and a runtime
   session's metered usage (real `true` processes on the local backend, SQLite ledger) exported:
   focus-validator 1.0.0 finds no failure (its own venv; under CI=true a missing validator fails).
2. The rows add up to the plan's own books, exactly (a check independent of the row builders):
   BilledCost = compute + revenue share + shortfall penalties, EffectiveCost per provider and month
   = the ledger's effective cost + penalties + revenue share, ConsumedQuantity of Usage rows not on a
   commitment's Unused row = the ledger's GPU-hours; the runtime export bills what the meter wrote.
3. The header is FOCUS 1.0's columns in order, then the later columns filled, then `x_` ones;
   the same plan exports to the same bytes.
4. Bad input: a missing plan, a plan of another scenario, an unwritable output: one line, exit 2.
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from focus_validator import validate
from tender.backends import LocalBackend
from tender.cli.app import app
from tender.clocks import SystemClock
from tender.domain.provider import BackendSpec
from tender.ledger.focus import COLUMNS, FOCUS_1_0, PREVIEW_NAMES
from tender.ledger.sql import runtime_ledger
from tender.runtime.driver import Runtime
from tender.runtime.pools import PoolConfig, RuntimeConfig
from tender.runtime.spec import JobSpec
from tender.runtime.store import Store

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "frontier-lab.yaml"
ZERO = Decimal(0)
pytestmark = pytest.mark.requires_engine


def _invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def plan_json(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("plan") / "plan.json"
    code, output = _invoke("plan", str(EXAMPLE), "--json", str(out), "--quiet")
    assert code == 0, output
    return out


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def _dec(text: str) -> Decimal:
    return Decimal(text) if text else ZERO


def test_the_example_plans_focus_export_passes_focus_validator(
    plan_json: Path, tmp_path: Path, focus_validator_path: Path
) -> None:
    out = tmp_path / "focus.csv"
    code, output = _invoke(
        "ledger", "export", "--focus", str(out), "--plan", str(plan_json), str(EXAMPLE), "--preview-names"
    )
    assert code == 0, output
    passed, report = validate(focus_validator_path, out)
    assert passed, report
    rows = _rows(out)
    assert {r["ChargeCategory"] for r in rows} == {"Usage", "Purchase", "Adjustment"}
    assert {r["CommitmentDiscountStatus"] for r in rows} == {"", "Used", "Unused"}
    assert any(r["x_ChargeKind"] == "revenue_share" and r["x_RevenueShare"] for r in rows)
    assert all(r[alias] == r[name] for r in rows for alias, name in PREVIEW_NAMES.items())


def test_the_focus_rows_add_up_to_the_plans_books(plan_json: Path, tmp_path: Path) -> None:
    out = tmp_path / "focus.csv"
    assert _invoke("ledger", "export", "--focus", str(out), "--plan", str(plan_json), str(EXAMPLE))[0] == 0
    doc = json.loads(plan_json.read_text(encoding="utf-8"))
    rows = _rows(out)
    breakdown = {k: Decimal(v) for k, v in doc["cost_breakdown_usd"].items()}
    billed = sum((_dec(r["BilledCost"]) for r in rows), ZERO)
    expected = breakdown["compute"] + breakdown["revenue_share"] + breakdown["shortfall_penalty"]
    assert abs(billed - expected) <= Decimal("0.02"), (billed, expected)  # the three items are cents
    effective: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    hours: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    for r in rows:
        key = (r["ProviderName"], int(r["x_PlanMonth"]))
        effective[key] += _dec(r["EffectiveCost"])
        if r["ChargeCategory"] == "Usage" and r["CommitmentDiscountStatus"] != "Unused":
            hours[key] += _dec(r["ConsumedQuantity"])
    books: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    gpu_hours: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    for r in doc["ledger"]:
        key = (r["provider"], r["month"])
        books[key] += sum(
            Decimal(r[k]) for k in ("effective_cost_usd", "shortfall_accrual_usd", "revenue_share_usd")
        )
        gpu_hours[key] += Decimal(r["gpu_hours"])
    for key in sorted(set(books) | set(effective)):
        assert abs(effective[key] - books[key]) <= Decimal("0.01"), (key, effective[key], books[key])
        assert hours[key] == gpu_hours[key], (key, hours[key], gpu_hours[key])


def test_the_header_and_the_bytes(plan_json: Path, tmp_path: Path) -> None:
    one, two = tmp_path / "one.csv", tmp_path / "two.csv"
    for path in (one, two):
        assert (
            _invoke("ledger", "export", "--focus", str(path), "--plan", str(plan_json), str(EXAMPLE))[0] == 0
        )
    assert one.read_bytes() == two.read_bytes()
    header = one.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert tuple(header) == COLUMNS and tuple(header[: len(FOCUS_1_0)]) == FOCUS_1_0
    assert all(c.startswith("x_") for c in header[len(COLUMNS) - 9 :])


def _runtime_session(tmp_path: Path, url: str) -> Store:
    """Three real `sleep` jobs on a local-backend pool, metered into the ledger at `url`."""
    pool = PoolConfig(
        "local-h100",
        "on-prem",
        "us-west",
        "H100",
        2,
        BackendSpec("local"),
        price_per_gpu_hour=Decimal("2.49"),
    )
    store = Store(url)
    backend = LocalBackend(tmp_path / "local", gpus=2)
    runtime = Runtime(
        store, RuntimeConfig((pool,), {}), SystemClock(), tmp_path, backends={"local-h100": backend}
    )
    for i in range(3):
        runtime.submit(JobSpec(f"focus-{i}", "sleep 0.2", gpus=1 + i % 2))
    for _ in range(200):
        runtime.tick()
        if {j["state"] for j in store.jobs()} <= {"succeeded", "failed", "cancelled", "lost"}:
            break
        time.sleep(0.1)
    return store


def test_a_runtime_sessions_focus_export_passes_focus_validator(
    tmp_path: Path, focus_validator_path: Path, serve_db: str
) -> None:
    """On SQLite and on PostgreSQL (`serve_db`): the export reads the runtime's metered usage."""
    store = _runtime_session(tmp_path, serve_db)
    try:
        assert {j["state"] for j in store.jobs()} == {"succeeded"}
        with store.db.read() as s:
            metered = runtime_ledger.usage_entries(s)
    finally:
        store.close()
    assert len(metered) == 3
    out = tmp_path / "runtime-focus.csv"
    code, output = _invoke(
        "ledger", "export", "--focus", str(out), "--database-url", serve_db, "--preview-names"
    )
    assert code == 0, output
    passed, report = validate(focus_validator_path, out)
    assert passed, report
    rows = _rows(out)
    assert sorted(_dec(r["BilledCost"]) for r in rows) == sorted(
        Decimal(str(m["billed_cost_usd"])) for m in metered
    )
    assert sorted(r["x_Job"] for r in rows) == sorted(str(m["job_id"]) for m in metered)
    for r in rows:
        assert _dec(r["BilledCost"]) == _dec(r["PricingQuantity"]) * Decimal("2.49")
        assert r["ChargePeriodStart"] <= r["ChargePeriodEnd"]


def test_bad_input_is_one_line_and_exit_2(plan_json: Path, tmp_path: Path) -> None:
    out = tmp_path / "never.csv"
    cases = [
        (["--plan", str(tmp_path / "missing.json"), str(EXAMPLE)], "missing.json: file not found"),
        (["--plan", str(plan_json), str(ROOT / "examples" / "minimal.yaml")], "not 'minimal'"),
        (["--plan", str(plan_json)], "needs the SCENARIO"),
        ([], "either --plan"),
    ]
    for args, needle in cases:
        code, output = _invoke("ledger", "export", "--focus", str(out), *args)
        assert code == 2 and needle in output and "Traceback" not in output, (args, output)
        assert len(output.strip().splitlines()) == 1, output
    blocked = tmp_path / "file"
    blocked.write_text("x")
    code, output = _invoke(
        "ledger", "export", "--focus", str(blocked / "out.csv"), "--plan", str(plan_json), str(EXAMPLE)
    )
    assert code == 2 and "cannot write" in output and len(output.strip().splitlines()) == 1, output
    assert not out.exists()

"""Import actuals -> answer a notice -> re-plan, end to end on SQLite and on a real PostgreSQL.

The lab of tests/scenarios/replan/lab.yaml (its header works the re-plan out by hand, $128,480):
1. `tender actuals import` a FOCUS file: pretrain billed on `slow` and the fleet's 16 H100 on `booked`
   (Committed) in January and February 2027, each row's SubAccountId the workload;
2. the server (`tender serve`'s app, same database) raises the need for finetune in February and the
   holder `primary` declines its notice through the API (the notices table);
3. `tender plan --actuals` re-plans from month 3: its `fixed` object names the pinned run, the capacity
   held and the answered notice, read from the database; the awards and total are the hand-computed
   ones; `tender check` passes, and refuses the re-plan once pretrain is moved;
4. importing the file again adds nothing, and the re-plan is byte for byte the same.
"""

from __future__ import annotations

import csv
import json
import warnings
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from tender.cli.app import app
from tender.ledger.sql import Database, token_store, upgrade
from tender.service import ManualClock, Settings, create_app

LAB = Path(__file__).parents[1] / "scenarios" / "replan" / "lab.yaml"
HEADER = ["BillingCurrency", "ChargePeriodStart", "ChargePeriodEnd", "ChargeCategory", "PricingCategory",
          "ProviderName", "RegionId", "SkuId", "ConsumedQuantity", "ConsumedUnit", "BilledCost", "SubAccountId"]  # fmt: skip
MAPPING = "skus:\n  H100-HOUR: {accelerator: H100, quantity: gpu_hours}\n"


def run(*args: str) -> Result:
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})


def _bills(path: Path) -> Path:
    rows = []
    for month in ("01", "02"):
        start, end = f"2027-{month}-01T00:00:00Z", f"2027-{month}-28T00:00:00Z"
        rows.append(["USD", start, end, "Usage", "Committed", "slow", "us-east", "H100-HOUR", "5840", "GPU-Hours", "17520.00", "pretrain"])  # fmt: skip
        rows.append(["USD", start, end, "Usage", "Committed", "booked", "us-west", "H100-HOUR", "11680", "GPU-Hours", "29200.00", "serve"])  # fmt: skip
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([HEADER, *rows])
    return path


def _decline_finetune(url: str) -> str:
    """The holder declines the notice for finetune on 2027-02-10, through the server's API."""
    from starlette.exceptions import StarletteDeprecationWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StarletteDeprecationWarning)
        from starlette.testclient import TestClient

    clock = ManualClock(datetime(2027, 2, 10, tzinfo=UTC))
    application = create_app(
        Settings(database_url=url, clock=clock, background_tasks=False, token_cache_seconds=0)
    )
    db: Database = application.state.ctx.db
    upgrade(db)
    tokens = {}
    for role in ("admin", "planner", "provider:primary"):
        r, subject = token_store.parse_role(role)
        with db.write() as session:
            tokens[role] = token_store.create(session, role=r, subject=subject, now=clock.now(), created_by="test").token  # fmt: skip
    with TestClient(application) as client:

        def call(role: str, path: str, body: object) -> dict[str, object]:
            r = client.post(path, json=body, headers={"Authorization": f"Bearer {tokens[role]}"})
            assert r.status_code in (200, 201), r.text
            return dict(r.json())

        scenario = call("admin", "/api/v1/scenarios", {"name": "lab.yaml", "yaml": LAB.read_text("utf-8")})[
            "id"
        ]
        need = {"id": "finetune-h100", "workload": "finetune", "workload_class": "training", "gpu": "H100",
                "gpus": 8, "region": "us-central", "start": "2027-05-01", "months": 2, "price": "2.0"}  # fmt: skip
        raised = call("planner", "/api/v1/needs", {"scenario": scenario, "need": need,
                      "quotes": [{"provider": "rival", "price": "2.0", "gpus": 8}]})  # fmt: skip
        notices = raised["notices"]
        assert isinstance(notices, list) and len(notices) == 1
        nid = str(notices[0]["id"])
        assert (
            call("provider:primary", f"/api/v1/notices/{nid}/respond", {"action": "decline"})["status"]
            == "declined"
        )
    return nid


@pytest.mark.timeout(300)
def test_import_answer_replan(serve_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TENDER_AUDIT_KEY", "test-audit-key")
    bills = _bills(tmp_path / "bills.csv")
    mapping = tmp_path / "map.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    imported = run("actuals", "import", str(bills), "--mapping", str(mapping), "--scenario", str(LAB), "--database-url", serve_db)  # fmt: skip
    assert imported.exit_code == 0 and "4 rows read, 4 added" in imported.stdout, imported.output
    nid = _decline_finetune(serve_db)

    out = tmp_path / "replan.json"
    planned = run("plan", str(LAB), "--actuals", "--database-url", serve_db, "--json", str(out), "-q")
    assert planned.exit_code == 0, planned.output
    doc = json.loads(out.read_text())
    fixed = doc["fixed"]
    assert fixed["months"] == [1, 2]
    assert fixed["pinned_runs"] == [
        {"run": "pretrain", "provider": "slow", "gpu": "H100", "region": "us-east", "start_month": 1, "end_month": 4}
    ]  # fmt: skip
    assert fixed["held_capacity"] == [
        {"provider": "booked", "gpu": "H100", "region": "us-west", "gpus": 16, "until_month": 4, "clause": "held:booked/H100/us-west"}
    ]  # fmt: skip
    [answered] = fixed["answered_notices"]
    assert (answered["notice"], answered["demand"], answered["holder"]) == (nid, "finetune", "primary")
    assert (answered["exercised_gpus"], answered["declined"]) == (0, True)
    awards = sorted((a["demand"], a["provider"], a["month"], a["gpus"]) for a in doc["awards"])
    assert awards == [
        ("finetune", "rival", 5, 8), ("finetune", "rival", 6, 8),
        ("pretrain", "slow", 3, 8), ("pretrain", "slow", 4, 8),
        ("serve", "booked", 3, 16), ("serve", "booked", 4, 16), ("serve", "cheap", 5, 8), ("serve", "cheap", 6, 8),
    ]  # fmt: skip
    assert Decimal(doc["cost_total_usd"]) == 8 * 3 * 730 * 2 + 16 * Decimal("2.5") * 730 * 2 + 8 * 730 * 2 + 8 * 2 * 730 * 2  # fmt: skip
    checked = run("check", str(LAB), str(out))
    assert checked.exit_code == 0, checked.output

    moved = json.loads(out.read_text())
    for a in moved["awards"]:
        if a["demand"] == "pretrain":
            a["provider"] = "cheap"
    tampered = tmp_path / "moved.json"
    tampered.write_text(json.dumps(moved))
    refused = run("check", str(LAB), str(tampered))
    assert refused.exit_code == 1 and "run_pinned" in refused.stdout

    again = run("actuals", "import", str(bills), "--mapping", str(mapping), "--scenario", str(LAB), "--database-url", serve_db)  # fmt: skip
    assert again.exit_code == 0 and "4 rows read, 0 added" in again.stdout, again.output
    out2 = tmp_path / "replan2.json"
    assert (
        run("plan", str(LAB), "--actuals", "--database-url", serve_db, "--json", str(out2), "-q").exit_code
        == 0
    )
    assert out2.read_bytes() == out.read_bytes()

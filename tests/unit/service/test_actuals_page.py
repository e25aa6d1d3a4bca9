"""`/actuals`: the dashboard's plan-vs-actual charts agree with `tender actuals report --json`.

A plan of the minimal scenario is run through the API; a FOCUS file for primary-cloud is imported into
the server's database; the page's chart data (the JSON handed to plotly.js) must hold, per provider and
month, the actual spend and GPU-hours the CLI's report writes, and each commitment's actual cumulative
drawdown. Provider tokens are refused (403).
"""

from __future__ import annotations

import json
import re
import time
from decimal import Decimal
from pathlib import Path

from service_support import MINIMAL, Service
from typer.testing import CliRunner

from tender.cli.app import app as cli

DATA = Path(__file__).resolve().parents[1] / "actuals" / "data"


def _charts(page: str) -> list[dict[str, object]]:
    found = re.search(r'<script type="application/json" id="charts-data">(.*?)</script>', page, re.S)
    assert found, page[:500]
    return list(json.loads(found.group(1)))


def _trace(charts: list[dict[str, object]], index: int, name: str) -> dict[str, object]:
    data = charts[index]["data"]
    assert isinstance(data, list)
    return next(t for t in data if t["name"] == name)


def test_actuals_page_matches_the_cli_report(service: Service, tmp_path: Path) -> None:
    scenario = service.upload_minimal()
    r = service.call("planner", "POST", "/api/v1/plans", json={"scenario": scenario, "seed": 0})
    plan = int(r.json()["id"])
    for _ in range(600):
        if service.call("planner", "GET", f"/api/v1/plans/{plan}").json()["status"] == "done":
            break
        time.sleep(0.05)
    source = tmp_path / "minimal.yaml"
    source.write_text(MINIMAL, encoding="utf-8")
    plan_json = tmp_path / "plan.json"
    plan_json.write_bytes(service.call("admin", "GET", f"/api/v1/plans/{plan}/plan.json").content)
    url = service.db.url
    runner = CliRunner()
    imported = runner.invoke(
        cli,
        ["actuals", "import", str(DATA / "cloud_export.csv"), "--mapping", str(DATA / "mapping.yaml"),
         "--scenario", str(source), "--database-url", url],
    )  # fmt: skip
    assert imported.exit_code == 0, imported.output
    out = tmp_path / "actuals.json"
    report = runner.invoke(
        cli, ["actuals", "report", str(source), "--plan", str(plan_json), "--database-url", url, "--json", str(out), "-q"]
    )  # fmt: skip
    assert report.exit_code == 0, report.output
    doc = json.loads(out.read_text())

    service.client.cookies.set("tender_token", service.tokens["planner"])
    page = service.client.get("/actuals")
    assert page.status_code == 200
    charts = _charts(page.text)
    spend = _trace(charts, 0, "primary-cloud actual")
    hours = _trace(charts, 1, "primary-cloud actual")
    rows = [
        r for r in doc["provider_months"] if r["provider"] == "primary-cloud" and r["actual_usd"] is not None
    ]
    assert spend["x"] == [r["period"] for r in rows] == ["2026-07", "2026-08"]
    assert [Decimal(str(y)) * 1_000_000 for y in spend["y"]] == [Decimal(r["actual_usd"]) for r in rows]  # type: ignore[union-attr]
    assert [Decimal(str(y)) for y in hours["y"]] == [Decimal(r["actual_gpu_hours"]) for r in rows]  # type: ignore[union-attr]
    burn = _trace(charts, 2, "c-commit actual")
    actual_burn = [b for b in doc["burn_down"] if b["contract"] == "c-commit" and b["actual_cumulative_usd"]]
    assert [Decimal(str(y)) * 1_000_000 for y in burn["y"]] == [
        Decimal(b["actual_cumulative_usd"]) for b in actual_burn
    ]  # type: ignore[union-attr]

    service.client.cookies.set("tender_token", service.tokens["provider:primary-cloud"])
    assert service.client.get("/actuals").status_code == 403

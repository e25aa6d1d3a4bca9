"""The burn-down charts a finance reader sees agree with the milestones, per commitment (issue 13).

A real `tender serve` plans examples/frontier-lab.yaml (c-primary-commit-2 draws after
c-primary-commit); headless Chromium opens the dashboard and the plan's HTML report, and the chart
data plotly actually holds in the page (`div.data`) is compared with the plan's own milestones from
`plan.json`: the report's cumulative drawdown line and the dashboard's remaining line at every
milestone month, per commitment, and neither ever draws past the commitment's last milestone.
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from serve_process import ServeProcess, tokens

pytestmark = [pytest.mark.e2e, pytest.mark.requires_engine]
REPO = Path(__file__).resolve().parents[2]
EXAMPLE = (REPO / "examples" / "frontier-lab.yaml").read_text(encoding="utf-8")
TRACES = "(id) => document.getElementById(id).data.map(t => ({name: t.name, x: t.x, y: Array.from(t.y)}))"


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)


def _trace(traces: list[dict[str, Any]], name: str) -> dict[str, Any]:
    found = [t for t in traces if t["name"] == name]
    assert len(found) == 1, (name, [t["name"] for t in traces])
    return found[0]


def _plan(base: str, tok: dict[str, str]) -> int:
    admin = {"Authorization": f"Bearer {tok['admin']}"}
    planner = {"Authorization": f"Bearer {tok['planner']}"}
    sc = httpx.post(
        f"{base}/api/v1/scenarios", json={"name": "frontier-lab.yaml", "yaml": EXAMPLE}, headers=admin
    )
    assert sc.status_code in (200, 201), sc.text
    plan = httpx.post(f"{base}/api/v1/plans", json={"scenario": sc.json()["id"]}, headers=planner).json()
    for _ in range(1200):
        status = httpx.get(f"{base}/api/v1/plans/{plan['id']}", headers=planner).json()["status"]
        if status in ("done", "failed"):
            break
        time.sleep(0.1)
    assert status == "done"
    return int(plan["id"])


def test_dashboard_and_report_burn_down_agree_with_the_milestones(chromium_path: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    url = f"sqlite:///{tmp_path / 'tender.db'}"
    tok = tokens(url, ("admin", "planner"), created_by="e2e-burndown")
    with ServeProcess(url, tmp_path) as server:
        base = server.base
        plan_id = _plan(base, tok)
        planner = {"Authorization": f"Bearer {tok['planner']}"}
        doc = json.loads(httpx.get(f"{base}/api/v1/plans/{plan_id}/plan.json", headers=planner).text)
        report = tmp_path / "report.html"
        report.write_text(httpx.get(f"{base}/api/v1/plans/{plan_id}/report", headers=planner).text)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium_path, headless=True, args=["--no-sandbox"])
            try:
                page = browser.new_page(viewport={"width": 1280, "height": 1400})
                page.goto(f"{base}/login")
                page.fill("#token", tok["planner"])
                page.click("#login")
                page.wait_for_url(f"{base}/")
                page.wait_for_selector("#chart-burndown .main-svg", timeout=20_000)
                dashboard = page.evaluate(TRACES, "chart-burndown")
                offline = browser.new_page()
                offline.route(
                    "**/*", lambda r: r.abort() if not r.request.url.startswith("file:") else r.continue_()
                )
                offline.goto(report.as_uri())
                offline.wait_for_selector("#chart-1 .main-svg", timeout=20_000)
                spend = offline.evaluate(TRACES, "chart-1")
            finally:
                browser.close()
    milestones = doc["milestones"]
    contracts = sorted({m["contract"] for m in milestones})
    assert "c-primary-commit-2" in contracts
    for contract in contracts:
        mine = [m for m in milestones if m["contract"] == contract]
        total = max(float(m["cumulative_usd"]) for m in mine)
        drawn = _trace(spend, f"{contract} drawdown")["y"]  # USD millions, cumulative
        remaining = _trace(dashboard, f"{contract} remaining")["y"]  # USD
        for m in mine:
            k = m["by_month"] - 1
            assert _close(drawn[k], float(m["drawdown_usd"]) / 1e6), (contract, m, drawn[k])
            assert _close(remaining[k], max(total - float(m["drawdown_usd"]), 0.0)), (
                contract,
                m,
                remaining[k],
            )
        assert max(drawn) <= total / 1e6 + 1e-9 and min(remaining) >= 0.0, contract

"""Headless Chromium against a real `tender serve`: `/actuals` draws what `tender actuals report` computes.

A plan of the minimal scenario is run through the API; a FOCUS file is imported into the server's
database with the CLI; in the browser, plotly's own data of the burn-down and spend charts (read from
the drawn chart elements) must equal the CLI report's `--json` figures. Screenshot in test-artifacts/.
"""

from __future__ import annotations

import json
import time
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from serve_process import ServeProcess, tokens
from tender.cli.app import app as cli

pytestmark = [pytest.mark.e2e, pytest.mark.requires_engine]
REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
DATA = REPO / "tests" / "unit" / "actuals" / "data"
MINIMAL = REPO / "examples" / "minimal.yaml"


def _plan(base: str, tok: dict[str, str], tmp_path: Path) -> Path:
    admin = {"Authorization": f"Bearer {tok['admin']}"}
    planner = {"Authorization": f"Bearer {tok['planner']}"}
    body = {"name": "minimal.yaml", "yaml": MINIMAL.read_text(encoding="utf-8")}
    scenario = httpx.post(f"{base}/api/v1/scenarios", json=body, headers=admin).json()["id"]
    plan = httpx.post(f"{base}/api/v1/plans", json={"scenario": scenario}, headers=planner).json()["id"]
    for _ in range(600):
        if httpx.get(f"{base}/api/v1/plans/{plan}", headers=planner).json()["status"] in ("done", "failed"):
            break
        time.sleep(0.1)
    path = tmp_path / "plan.json"
    path.write_bytes(httpx.get(f"{base}/api/v1/plans/{plan}/plan.json", headers=planner).content)
    return path


def test_actuals_page_in_chromium(chromium_path: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    url = f"sqlite:///{tmp_path / 'tender.db'}"
    tok = tokens(url, ("admin", "planner"), created_by="e2e")
    with ServeProcess(url, tmp_path) as server:
        plan_json = _plan(server.base, tok, tmp_path)
        runner = CliRunner()
        imported = runner.invoke(
            cli,
            ["actuals", "import", str(DATA / "cloud_export.csv"), "--mapping", str(DATA / "mapping.yaml"),
             "--scenario", str(MINIMAL), "--database-url", url],
        )  # fmt: skip
        assert imported.exit_code == 0, imported.output
        out = tmp_path / "actuals.json"
        args = ["actuals", "report", str(MINIMAL), "--plan", str(plan_json), "--database-url", url]
        assert runner.invoke(cli, [*args, "--json", str(out), "-q"]).exit_code == 0
        doc = json.loads(out.read_text())

        ARTIFACTS.mkdir(exist_ok=True)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium_path, headless=True, args=["--disable-gpu"])
            try:
                page = browser.new_page(viewport={"width": 1280, "height": 1400})
                page.goto(f"{server.base}/login")
                page.fill("#token", tok["planner"])
                page.click("#login")
                page.wait_for_url(f"{server.base}/")
                page.goto(f"{server.base}/actuals")
                for chart in ("actuals-0", "actuals-1", "actuals-2"):
                    page.wait_for_selector(f"#{chart} .main-svg", timeout=20_000)
                traces = page.evaluate(
                    "() => [0, 1, 2].map(i => document.getElementById('actuals-' + i).data"
                    ".map(t => ({name: t.name, x: Array.from(t.x), y: Array.from(t.y)})))"
                )
                page.screenshot(path=str(ARTIFACTS / "serve-actuals.png"), full_page=True)
            finally:
                browser.close()
    burn = next(t for t in traces[2] if t["name"] == "c-commit actual")
    want = [b for b in doc["burn_down"] if b["contract"] == "c-commit" and b["actual_cumulative_usd"]]
    assert burn["x"] == [b["period"] for b in want]
    assert [Decimal(str(y)) * 1_000_000 for y in burn["y"]] == [
        Decimal(b["actual_cumulative_usd"]) for b in want
    ]
    spend = next(t for t in traces[0] if t["name"] == "primary-cloud actual")
    rows = [r for r in doc["provider_months"] if r["provider"] == "primary-cloud" and r["actual_usd"]]
    assert [Decimal(str(y)) * 1_000_000 for y in spend["y"]] == [Decimal(r["actual_usd"]) for r in rows]

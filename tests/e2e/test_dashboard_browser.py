"""Headless Chromium (Debian's /usr/bin/chromium via Playwright) against a real `tender serve`:

1. a planner logs in with a token and sees the dashboard's four plotly charts, the open notice and the
   job a team queued through the API;
2. the ROFR holder logs in with its provider token and exercises part of its notice in the portal;
3. the plan's report (served under a sandboxing CSP) and the API docs (Swagger UI served by the server
   itself) render;
4. no page logs an error or a Content-Security-Policy violation (the strict CSP still lets plotly and
   Swagger UI work);
5. the charts read at a glance (issue 18 item 12): on the dashboard and in the report every legend lies
   inside its figure, no legend entry twice, every chart has a y-axis title, no legend covers an x-axis
   title (`chart_dom`); a provider has the same colour in the dashboard and in the report; the portal and
   the dashboard show deadlines as `YYYY-MM-DD HH:MM UTC` (no raw ISO), no Python `None` / `False`, and
   no space before a comma;
6. screenshots of each page go to test-artifacts/.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from chart_dom import chart_problems
from serve_process import ServeProcess, tokens

pytestmark = [pytest.mark.e2e, pytest.mark.requires_engine]
REPO = Path(__file__).resolve().parents[2]
COLOURS = "(id) => Object.fromEntries(document.getElementById(id).data.map(t => [t.name, t.marker.color]))"
HUMAN = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC")


def _reads_well(text: str) -> None:
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:", text), text  # no raw ISO timestamps
    assert " ," not in text, text
    for word in ("None", "False", "True"):
        assert word not in text.split(), (word, text)


ARTIFACTS = REPO / "test-artifacts"
MINIMAL = (REPO / "examples" / "minimal.yaml").read_text(encoding="utf-8")


def test_dashboard_and_portal_in_chromium(chromium_path: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    url = f"sqlite:///{tmp_path / 'tender.db'}"
    tok = tokens(url, ("admin", "planner", "team:research", "provider:primary-cloud"), created_by="e2e")
    with ServeProcess(url, tmp_path) as server:
        base = server.base
        admin = {"Authorization": f"Bearer {tok['admin']}"}
        planner = {"Authorization": f"Bearer {tok['planner']}"}
        sc = httpx.post(
            f"{base}/api/v1/scenarios", json={"name": "minimal.yaml", "yaml": MINIMAL}, headers=admin
        )
        scenario = sc.json()["id"]
        plan = httpx.post(f"{base}/api/v1/plans", json={"scenario": scenario}, headers=planner).json()
        for _ in range(600):
            status = httpx.get(f"{base}/api/v1/plans/{plan['id']}", headers=planner).json()["status"]
            if status in ("done", "failed"):
                break
            time.sleep(0.1)
        assert status == "done"
        need = {
            "scenario": scenario,
            "need": {
                "id": "e2e-need",
                "workload": "pretrain-x",
                "workload_class": "training",
                "gpu": "GB200",
                "gpus": 9216,
                "region": "us-central",
                "start": "2026-10-01",
                "months": 4,
                "price": "6.5",
            },
            "quotes": [{"provider": "rival-cloud-a", "price": "5.2", "gpus": 9216}],
        }
        assert httpx.post(f"{base}/api/v1/needs", json=need, headers=planner).status_code == 201
        team = {"Authorization": f"Bearer {tok['team:research']}"}
        job = {"name": "e2e-train", "run": "true", "resources": {"accelerators": "H100:2"}}
        assert httpx.post(f"{base}/api/v1/jobs", json=job, headers=team).status_code == 201

        ARTIFACTS.mkdir(exist_ok=True)
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=chromium_path,
                headless=True,
                args=[
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                ],
            )
            try:
                page = browser.new_page(viewport={"width": 1280, "height": 1400})
                problems: list[str] = []

                def watch(target: Any) -> None:
                    target.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
                    target.on("pageerror", lambda e: problems.append(str(e)))

                watch(page)
                page.goto(f"{base}/login")
                page.screenshot(path=str(ARTIFACTS / "serve-login.png"))
                page.fill("#token", tok["planner"])
                page.click("#login")
                page.wait_for_url(f"{base}/")
                for chart in ("chart-capacity", "chart-spend", "chart-burndown", "chart-unmet"):
                    page.wait_for_selector(f"#{chart} .main-svg", timeout=20_000)
                assert page.locator("#open-notices tbody tr").count() == 1
                assert "c-rofr:e2e-need:1" in page.inner_text("#open-notices")
                jobs = page.inner_text("#jobs")
                assert "e2e-train-1" in jobs and "queued" in jobs and "research" in jobs
                page.screenshot(path=str(ARTIFACTS / "serve-dashboard.png"), full_page=True)
                count, chart_issues = chart_problems(page)
                assert count == 4 and not chart_issues, chart_issues
                _reads_well(page.inner_text("#open-notices") + page.inner_text("#jobs"))
                assert HUMAN.search(page.inner_text("#open-notices"))
                dashboard_colours = page.evaluate(COLOURS, "chart-capacity")

                page.click("#plan-summary a")  # the plan's report, sandboxed by its CSP, still draws
                page.wait_for_selector("#chart-3 .main-svg", timeout=20_000)
                assert page.locator("#chart-0 g.trace").count() >= 1
                count, chart_issues = chart_problems(page)
                assert count == 4 and not chart_issues, chart_issues
                report_colours = page.evaluate(COLOURS, "chart-0")
                assert dashboard_colours and dashboard_colours == report_colours, (
                    dashboard_colours,
                    report_colours,
                )
                assert len(set(report_colours.values())) == len(report_colours)
                page.goto(f"{base}/docs")
                page.wait_for_selector(".swagger-ui .info .title", timeout=20_000)
                assert "Tender" in page.inner_text(".swagger-ui .info .title")
                page.screenshot(path=str(ARTIFACTS / "serve-docs.png"))

                portal = browser.new_context().new_page()
                watch(portal)
                portal.goto(f"{base}/login")
                portal.fill("#token", tok["provider:primary-cloud"])
                portal.click("#login")
                portal.wait_for_url(f"{base}/portal")
                text = portal.inner_text("main")
                assert "rival-cloud-a" not in text and "5.2" in text
                _reads_well(text)
                assert HUMAN.search(text), text
                portal.screenshot(path=str(ARTIFACTS / "serve-portal-open.png"), full_page=True)
                portal.fill("#notice-1 input[name=gpus]", "4608")
                portal.click("#notice-1 button.exercise")
                portal.wait_for_selector("#flash")
                assert "partially_exercised" in portal.inner_text("#flash")
                assert "partially_exercised" in portal.inner_text("#history")
                _reads_well(portal.inner_text("#history"))
                assert HUMAN.search(portal.inner_text("#history"))
                portal.screenshot(path=str(ARTIFACTS / "serve-portal-answered.png"), full_page=True)
                assert not problems, problems
            finally:
                browser.close()
        notice = httpx.get(f"{base}/api/v1/notices/c-rofr:e2e-need:1", headers=planner).json()
        assert notice["status"] == "partially_exercised" and notice["exercised_gpus"] == 4608

"""The `tender plan --report` and `tender simulate --report` pages open offline in headless Chromium and their
charts read at a glance (issue 18 item 12).

1. the plan report's four plotly charts render with data;
2. in both reports every legend lies inside its figure, no legend entry is listed twice, every chart has a
   y-axis title and no legend covers an x-axis title (`chart_dom.chart_problems`, read from the DOM);
3. the simulate report of the small example trace draws its JCT CDF on a log axis (its JCTs span more than
   two decades), its cost-by-provider bars in two different colours, and its metrics table shows no Python
   `None` / `True` / `False`;
4. screenshots go to test-artifacts/.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from chart_dom import chart_problems
from tender.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
SIM_POOLS = """pools:
  - {id: a, provider: primary-cloud, region: r, gpu: V100, count: 32, price_per_gpu_hour: "3.00"}
  - {id: b, provider: neocloud-a, region: r, gpu: V100, count: 32, price_per_gpu_hour: "2.10"}
"""


@pytest.fixture
def browser(chromium_path: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=chromium_path, args=["--no-sandbox"])
        try:
            yield chromium
        finally:
            chromium.close()


def _offline(browser: Any, page_file: Path) -> Any:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.route(
        "**/*",
        lambda route: route.abort() if not route.request.url.startswith("file:") else route.continue_(),
    )
    page.goto(page_file.as_uri())
    return page


@pytest.mark.timeout(180)
def test_plan_report_renders_readable_charts(browser: Any, tmp_path: Path) -> None:
    report = tmp_path / "plan.html"
    result = CliRunner().invoke(
        app, ["plan", str(ROOT / "examples" / "frontier-lab.yaml"), "--report", str(report), "--quiet"]
    )
    assert result.exit_code == 0, result.output
    ARTIFACTS.mkdir(exist_ok=True)
    page = _offline(browser, report)
    page.wait_for_selector("#chart-3 .main-svg", timeout=20_000)
    for k in range(4):
        assert page.locator(f"#chart-{k} .main-svg").count() >= 1
        assert page.locator(f"#chart-{k} g.trace").count() >= 1  # plotted data, not just axes
    assert "contract-blind baseline" in page.inner_text("#summary")
    page.screenshot(path=str(ARTIFACTS / "plan-report.png"), full_page=True)
    count, problems = chart_problems(page)
    assert count == 4 and not problems, problems


@pytest.mark.timeout(180)
def test_simulate_report_renders_readable_charts(browser: Any, tmp_path: Path) -> None:
    report, pools = tmp_path / "sim.html", tmp_path / "pools.yaml"
    pools.write_text(SIM_POOLS, encoding="utf-8")
    trace = ROOT / "examples" / "trace.csv"
    args = [
        "simulate",
        "--trace",
        str(trace),
        "--pools",
        str(pools),
        "--policy",
        "fifo",
        "--report",
        str(report),
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    ARTIFACTS.mkdir(exist_ok=True)
    page = _offline(browser, report)
    page.screenshot(path=str(ARTIFACTS / "simulate-report.png"), full_page=True)
    count, problems = chart_problems(page)
    assert count == 4 and not problems, problems
    assert "log scale" in page.text_content("figure:first-of-type text.xtitle") or ""
    fills = page.eval_on_selector_all(
        "figure svg rect[fill] > title", "ts => ts.map(t => t.parentElement.getAttribute('fill'))"
    )
    assert len(fills) == 2 and len(set(fills)) == 2, fills
    table = page.inner_text("table")
    for word in ("None", "True", "False"):
        assert word not in table.split(), (word, table)

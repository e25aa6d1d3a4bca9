"""The `tender plan --report` page opens offline in headless Chromium and its four charts render."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from tender.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"


def test_report_renders_charts(chromium_path: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    report = tmp_path / "plan.html"
    result = CliRunner().invoke(
        app, ["plan", str(ROOT / "examples" / "frontier-lab.yaml"), "--report", str(report), "--quiet"]
    )
    assert result.exit_code == 0, result.output
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.route(
                "**/*",
                lambda route: (
                    route.abort() if not route.request.url.startswith("file:") else route.continue_()
                ),
            )
            page.goto(report.as_uri())
            page.wait_for_selector("#chart-3 .main-svg", timeout=20_000)
            for k in range(4):
                assert page.locator(f"#chart-{k} .main-svg").count() >= 1
                assert page.locator(f"#chart-{k} g.trace").count() >= 1  # plotted data, not just axes
            assert "contract-blind baseline" in page.inner_text("#summary")
            page.screenshot(path=str(ARTIFACTS / "plan-report.png"), full_page=True)
        finally:
            browser.close()

"""`POST /api/v1/studies`: a `tender plan --robust` study as a background job, its outputs the CLI's bytes.

The study of tests/scenarios/risk/book_or_buy.yaml through the API must store exactly the JSON and HTML
that `tender plan FILE --robust --samples K --eval-samples N --seed S --json --report` writes; only
planners may start one (a provider or a team gets 403); a scenario with nothing uncertain is a 422
naming `scenario`, and a study's outputs are a 409 until it is done.
"""

from __future__ import annotations

import time
from pathlib import Path

from service_support import MINIMAL, REPO, Service
from typer.testing import CliRunner

from tender.cli.app import app as cli

CASE = REPO / "tests" / "scenarios" / "risk" / "book_or_buy.yaml"


def _finished(svc: Service, study: int) -> dict[str, object]:
    for _ in range(1200):
        body: dict[str, object] = svc.call("planner", "GET", f"/api/v1/studies/{study}").json()
        if body["status"] in ("done", "failed"):
            return body
        time.sleep(0.05)
    raise AssertionError(f"study {study} did not finish")


def test_a_study_stores_the_clis_bytes(service: Service, tmp_path: Path) -> None:
    up = service.call(
        "admin", "POST", "/api/v1/scenarios", json={"name": CASE.name, "yaml": CASE.read_text()}
    )
    assert up.status_code == 201, up.text
    scenario = int(up.json()["id"])
    body = {"scenario": scenario, "seed": 2, "samples": 6, "eval_samples": 5}
    for role in ("provider:primary-cloud", "team:research"):
        assert service.call(role, "POST", "/api/v1/studies", json=body).status_code == 403
    r = service.call("planner", "POST", "/api/v1/studies", json=body)
    assert r.status_code == 202, r.text
    study = int(r.json()["id"])
    assert service.call("planner", "GET", f"/api/v1/studies/{study}/risk.json").status_code in (200, 409)
    done = _finished(service, study)
    assert done["status"] == "done", done

    out_json, out_html = tmp_path / "risk.json", tmp_path / "risk.html"
    args = ["plan", str(CASE), "--robust", "--samples", "6", "--eval-samples", "5", "--seed", "2"]
    run = CliRunner().invoke(cli, [*args, "--json", str(out_json), "--report", str(out_html)])
    assert run.exit_code == 0, run.output
    got = service.call("admin", "GET", f"/api/v1/studies/{study}/risk.json")
    assert got.headers["content-type"].startswith("application/json")
    assert got.content == out_json.read_bytes()
    assert done["result"] == got.json()
    report = service.call("planner", "GET", f"/api/v1/studies/{study}/report")
    assert report.headers["content-type"].startswith("text/html")
    assert report.content == out_html.read_bytes()
    listed = service.call("admin", "GET", "/api/v1/studies").json()
    assert [s["id"] for s in listed] == [study]


def test_nothing_uncertain_and_unknown_studies(service: Service) -> None:
    minimal = service.upload_minimal()
    assert "uncertainty" not in MINIMAL
    r = service.call("planner", "POST", "/api/v1/studies", json={"scenario": minimal})
    assert r.status_code == 422 and r.json()["error"]["field"] == "scenario", r.text
    r = service.call("planner", "POST", "/api/v1/studies", json={"scenario": minimal, "samples": 0})
    assert r.status_code == 422, r.text
    assert service.call("planner", "GET", "/api/v1/studies/77").status_code == 404
    assert service.call("planner", "GET", "/api/v1/studies/77/report").status_code == 404


def test_the_dashboard_links_the_latest_study(service: Service) -> None:
    up = service.call(
        "admin", "POST", "/api/v1/scenarios", json={"name": CASE.name, "yaml": CASE.read_text()}
    )
    scenario = int(up.json()["id"])
    service.client.cookies.set("tender_token", service.tokens["planner"])  # the dashboard reads the cookie
    first = service.client.get("/")
    assert first.status_code == 200 and "Dashboard" in first.text and "study-summary" not in first.text
    r = service.call(
        "planner", "POST", "/api/v1/studies", json={"scenario": scenario, "samples": 4, "eval_samples": 3}
    )
    study = int(r.json()["id"])
    assert _finished(service, study)["status"] == "done"
    doc = service.call("planner", "GET", f"/api/v1/studies/{study}/risk.json").json()
    page = service.client.get("/").text
    assert f'href="/api/v1/studies/{study}/report"' in page
    assert f"${float(doc['hedge']['cost_usd']):,.2f}" in page

"""A plan run through the API stores the planner's own outputs: the bytes `tender plan` writes.

`POST /api/v1/plans` then `GET /plans/{id}/plan.json`, `/report`, `/ledger.csv` must equal what
`tender plan SCENARIO --seed N --out DIR` writes for the same scenario and seed; the ledger export's
rows are `PLAN,` + the planner's CSV lines.
"""

from __future__ import annotations

import time
from pathlib import Path

from service_support import MINIMAL, Service
from typer.testing import CliRunner

from tender.cli.app import app as cli


def _finished(svc: Service, plan: int) -> dict[str, object]:
    for _ in range(600):
        body: dict[str, object] = svc.call("planner", "GET", f"/api/v1/plans/{plan}").json()
        if body["status"] in ("done", "failed"):
            return body
        time.sleep(0.05)
    raise AssertionError(f"plan {plan} did not finish")


def test_plan_outputs_are_the_planners_bytes(service: Service, tmp_path: Path) -> None:
    scenario = service.upload_minimal()
    r = service.call("planner", "POST", "/api/v1/plans", json={"scenario": scenario, "seed": 3})
    assert r.status_code == 202, r.text
    plan = int(r.json()["id"])
    assert service.call("planner", "GET", f"/api/v1/plans/{plan}/plan.json").status_code in (200, 409)
    body = _finished(service, plan)
    assert body["status"] == "done", body

    source = tmp_path / "minimal.yaml"
    source.write_text(MINIMAL, encoding="utf-8")
    out = tmp_path / "out"
    run = CliRunner().invoke(cli, ["plan", str(source), "--seed", "3", "--out", str(out), "--quiet"])
    assert run.exit_code == 0, run.output

    got = service.call("admin", "GET", f"/api/v1/plans/{plan}/plan.json")
    assert got.headers["content-type"].startswith("application/json")
    assert got.content == (out / "plan.json").read_bytes()
    assert body["result"] == got.json()
    report = service.call("planner", "GET", f"/api/v1/plans/{plan}/report")
    assert report.headers["content-type"].startswith("text/html")
    assert report.content == (out / "plan.html").read_bytes()
    ledger = service.call("planner", "GET", f"/api/v1/plans/{plan}/ledger.csv")
    assert ledger.content == (out / "ledger.csv").read_bytes()

    export = service.call("planner", "GET", "/api/v1/ledger/export.csv", params={"plan": plan}).text
    header, *lines = (out / "ledger.csv").read_text(encoding="utf-8").splitlines()
    assert export.splitlines() == [f"plan,{header}", *(f"{plan},{line}" for line in lines)]
    rows = service.call("planner", "GET", "/api/v1/ledger", params={"plan": plan}).json()
    assert len(rows) == len(lines) > 0


def test_outputs_of_unknown_or_unfinished_plan(service: Service) -> None:
    for suffix in ("plan.json", "report", "ledger.csv"):
        r = service.call("planner", "GET", f"/api/v1/plans/999/{suffix}")
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"

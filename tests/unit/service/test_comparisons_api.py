"""`POST /api/v1/comparisons`: `tender compare` as a background job, on SQLite and PostgreSQL.

- the result is the CLI's document (`tender compare --json` of the same scenario, overlay and seed),
  the report the CLI's page (only the `file` fields differ: the upload's names);
- only the planner and admin roles may run or read one: a provider token (the primary's or a rival's)
  and a team token get 403 on every route — the lab's negotiation analysis never reaches a provider;
- a bad overlay is refused at once (422) naming `variants[0].overlay` with line and column.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from service_support import MINIMAL, Service, without_files
from typer.testing import CliRunner

from tender.cli.app import app as cli

OPEN = "variant: {name: open}\ncontracts:\n  remove: [c-rofr, c-api-exclusive]\n"
BAD = "contracts:\n  remove: [c-nope]\n"
DENIED = ("provider:primary-cloud", "provider:rival-cloud-a", "team:research")


def _finished(svc: Service, cid: int) -> dict[str, Any]:
    for _ in range(1200):
        body: dict[str, Any] = svc.call("planner", "GET", f"/api/v1/comparisons/{cid}").json()
        if body["status"] in ("done", "failed"):
            return body
        time.sleep(0.05)
    raise AssertionError(f"comparison {cid} did not finish")


def test_comparison_is_the_clis_document(service: Service, tmp_path: Path) -> None:
    scenario = service.upload_minimal()
    body = {"scenario": scenario, "variants": [{"overlay": OPEN}], "seed": 2}
    r = service.call("planner", "POST", "/api/v1/comparisons", json=body)
    assert r.status_code == 202, r.text
    cid = int(r.json()["id"])
    done = _finished(service, cid)
    assert done["status"] == "done", done
    assert done["variants"] == ["minimal", "open"]

    (tmp_path / "minimal.yaml").write_text(MINIMAL, encoding="utf-8")
    (tmp_path / "open.yaml").write_text(OPEN, encoding="utf-8")
    out, html = tmp_path / "c.json", tmp_path / "c.html"
    argv = ["compare", str(tmp_path / "minimal.yaml"), str(tmp_path / "open.yaml"), "--seed", "2",
            "--json", str(out), "--report", str(html)]  # fmt: skip
    run = CliRunner().invoke(cli, argv)
    assert run.exit_code == 0, run.output
    assert without_files(done["result"]) == without_files(json.loads(out.read_text()))
    page = service.call("admin", "GET", f"/api/v1/comparisons/{cid}/report")
    assert page.status_code == 200 and page.text == html.read_text()


def test_only_planner_and_admin_see_comparisons(service: Service) -> None:
    scenario = service.upload_minimal()
    body = {"scenario": scenario, "variants": [{"overlay": OPEN}]}
    cid = service.call("admin", "POST", "/api/v1/comparisons", json=body).json()["id"]
    for role in DENIED:
        assert service.call(role, "POST", "/api/v1/comparisons", json=body).status_code == 403, role
        assert service.call(role, "GET", f"/api/v1/comparisons/{cid}").status_code == 403, role
        assert service.call(role, "GET", f"/api/v1/comparisons/{cid}/report").status_code == 403, role
    assert service.call(None, "GET", f"/api/v1/comparisons/{cid}").status_code == 401
    _finished(service, cid)


def test_bad_overlay_is_422_at_its_line(service: Service) -> None:
    scenario = service.upload_minimal()
    r = service.call(
        "planner", "POST", "/api/v1/comparisons", json={"scenario": scenario, "variants": [{"overlay": BAD}]}
    )
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["field"] == "variants[0].overlay"
    assert err["message"].startswith(
        "variants[0].overlay:2:12: contracts.remove[0]: unknown contract 'c-nope'"
    )
    missing = service.call("planner", "POST", "/api/v1/comparisons", json={"scenario": 999})
    assert missing.status_code == 404


def test_dashboard_lists_comparisons_and_shows_the_report(service: Service) -> None:
    scenario = service.upload_minimal()
    body = {"scenario": scenario, "variants": [{"overlay": OPEN}]}
    cid = service.call("planner", "POST", "/api/v1/comparisons", json=body).json()["id"]
    _finished(service, cid)
    report = service.call("planner", "GET", f"/api/v1/comparisons/{cid}/report").text
    service.client.cookies.set("tender_token", service.tokens["planner"])
    listing = service.client.get("/comparisons")
    assert listing.status_code == 200 and f'href="/comparisons/{cid}"' in listing.text
    assert "minimal, open" in listing.text
    assert service.client.get(f"/comparisons/{cid}").text == report
    service.client.cookies.set("tender_token", service.tokens["provider:primary-cloud"])
    assert service.client.get("/comparisons").status_code == 403
    assert service.client.get(f"/comparisons/{cid}").status_code == 403

"""Issue 15, findings 1-10, through the app (SQLite and PostgreSQL): each test reproduces one finding.

The live-process measurements (time, RSS, bytes read before a 413, keep-alive) are in
tests/integration/test_serve_hostile.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from service_support import Service

from audit_tamper import cut_audit_tail
from tender.service.policy import DEFAULT_BODY, SPEC_BODY

# A 9 x 9 x ... alias tree ("billion laughs"): 236 bytes that expand to over 9^7 values.
# Tests of the edge and the parsers alone run on SQLite only; those that touch the stores run on both.
SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
BOMB = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
    f"{b}: &{b} [{','.join([f'*{a}'] * 9)}]\n" for a, b in zip("abcdef", "bcdefg", strict=True)
)


@SQLITE_ONLY
def test_the_alias_bomb_is_236_bytes_and_refused_with_its_position(service: Service) -> None:
    assert len(BOMB.encode()) == 236
    r = service.call(
        "planner", "POST", "/api/v1/scenarios/validate", json={"name": "bomb.yaml", "yaml": BOMB}
    )
    assert r.status_code == 422, r.text  # refused by a limit: nothing is expanded
    error = r.json()["error"]
    assert error["code"] == "input_too_large"
    (problem,) = error["problems"]
    assert "aliases" in problem["message"] and problem["line"] > 1 and problem["field"]
    r = service.call("admin", "POST", "/api/v1/scenarios", json={"name": "bomb.yaml", "yaml": BOMB})
    assert r.status_code == 422 and "bomb.yaml:" in r.json()["error"]["message"]


@SQLITE_ONLY
def test_json_job_bodies_are_not_read_as_yaml(service: Service) -> None:
    """C1 control characters are valid JSON string content (the YAML reader refused them)."""
    spec = {"name": "c1-job", "command": "echo \u0085\u009f done", "gpus": 1}
    r = service.call("team:research", "POST", "/api/v1/jobs", json=spec)
    assert r.status_code == 201, r.text
    assert r.json()["name"] == "c1-job"
    r = service.call("team:research", "POST", "/api/v1/jobs", json={**spec, "gpus": True})
    assert r.status_code == 422 and r.json()["error"]["field"] == "gpus", r.text


def _need(scenario: int, **change: Any) -> dict[str, Any]:
    need = {
        "id": "n-strict",
        "workload": "pretrain-x",
        "workload_class": "training",
        "gpu": "GB200",
        "gpus": 64,
        "region": "us-central",
        "start": "2026-10-01",
        "months": 4,
        "price": "6.5",
    }
    return {"scenario": scenario, "need": {**need, **change}, "quotes": []}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"gpus": True}, "need.gpus"),
        ({"gpus": "64"}, "need.gpus"),
        ({"gpus": 64.5}, "need.gpus"),
        ({"months": True}, "need.months"),
        ({"start": 0}, "need.start"),
        ({"new_capacity": 1}, "need.new_capacity"),
        ({"gpu": "TPU-v9"}, "need.gpu"),
        ({"region": "mars-north"}, "need.region"),
    ],
)
def test_needs_are_strict_and_checked_against_the_scenario(
    service: Service, change: dict[str, Any], field: str
) -> None:
    scenario = service.upload_minimal()
    r = service.call("planner", "POST", "/api/v1/needs", json=_need(scenario, **change))
    assert r.status_code == 422, r.text
    assert r.json()["error"]["field"] == field
    assert service.call("planner", "GET", "/api/v1/notices").json() == []  # nothing was issued


@SQLITE_ONLY
def test_body_limits_answer_413(service: Service) -> None:
    big = {"name": "x", "command": "y" * SPEC_BODY, "gpus": 1}
    r = service.call("team:research", "POST", "/api/v1/jobs", json=big)
    assert r.status_code == 413 and r.json()["error"]["code"] == "body_too_large"
    r = service.call(None, "POST", "/api/v1/tokens", content=b"{" + b" " * DEFAULT_BODY + b"}")
    assert r.status_code == 413  # before authentication: an anonymous body is not read either


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/scenarios/32771238289377869824",
        "/api/v1/scenarios/2147483648",
        "/api/v1/plans/9223372036854775809",
        "/api/v1/plans/9223372036854775809/report",
        "/api/v1/plans/9223372036854775809/plan.json",
        "/api/v1/plans/1180591620717411303424/ledger.csv",
    ],
)
def test_ids_beyond_the_column_are_404(service: Service, path: str) -> None:
    r = service.call("admin", "GET", path)
    assert r.status_code == 404, r.text
    assert r.json()["error"]["code"] == "not_found"


@SQLITE_ONLY
def test_validate_is_not_read_as_an_id_and_allow_lists_every_route(service: Service) -> None:
    r = service.call("admin", "GET", "/api/v1/scenarios/validate")
    assert r.status_code == 405 and r.headers["allow"] == "POST"
    r = service.call("admin", "DELETE", "/api/v1/tokens")
    assert r.status_code == 405 and r.headers["allow"] == "GET, POST"
    r = service.call("admin", "PUT", "/api/v1/jobs/x1/cancel")
    assert r.status_code == 405 and r.headers["allow"] == "POST"


@SQLITE_ONLY
def test_security_headers_on_every_response(service: Service) -> None:
    token = service.tokens["planner"]
    service.client.cookies.set("tender_token", token)
    for path in ("/api/v1/plans", "/login", "/", "/healthz", "/nowhere", "/docs"):
        r = service.client.get(path, headers=service.h("planner") if path.startswith("/api") else {})
        assert r.headers["x-content-type-options"] == "nosniff", path
        assert r.headers["x-frame-options"] == "DENY", path
        assert r.headers["referrer-policy"] == "same-origin", path
        csp = r.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "default-src 'none'" in csp, path
        assert "unsafe-eval" not in csp and ("script-src 'self'" in csp or "script-src" not in csp), path
    assert service.client.get("/").headers["cache-control"] == "no-store"
    assert service.client.get("/static/plotly.min.js").headers["cache-control"].startswith("public")
    service.client.cookies.clear()


@SQLITE_ONLY
def test_docs_are_served_offline(service: Service) -> None:
    page = service.client.get("/docs")
    assert page.status_code == 200
    assert "http" not in page.text  # every asset from this server: no CDN
    for asset in ("/docs/swagger-ui-bundle.js", "/docs/swagger-ui.css", "/docs/docs.js"):
        assert service.client.get(asset).status_code == 200, asset


def _job(service: Service) -> str:
    r = service.call(
        "team:research", "POST", "/api/v1/jobs", json={"name": "j", "command": "true", "gpus": 1}
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def test_cookie_writes_need_the_servers_own_origin(service: Service) -> None:
    job = _job(service)
    own = "http://testserver"
    cookie = {"Cookie": f"tender_token={service.tokens['team:research']}"}
    cancel = f"/api/v1/jobs/{job}/cancel"
    for hostile in (
        {"Origin": "http://127.0.0.1:9999"},
        {},
        {"Referer": "http://127.0.0.1:9999/x"},
        {"Origin": "http://127.0.0.1:9999", "Authorization": "Basic eDp5"},  # not a bearer: the cookie counts
    ):
        r = service.client.post(cancel, headers={**cookie, **hostile})
        assert r.status_code == 403 and r.json()["error"]["code"] == "cross_origin", hostile
    assert service.call("team:research", "GET", f"/api/v1/jobs/{job}").json()["state"] == "queued"
    audit = service.call("admin", "GET", "/api/v1/audit", params={"kind": "access.denied"}).json()
    assert any(a["record"]["data"]["code"] == "cross_origin" for a in audit)
    # bearer tokens are not affected, whatever the Origin
    r = service.client.post(cancel, headers={**service.h("team:research"), "Origin": "http://127.0.0.1:9999"})
    assert r.status_code == 200 and r.json()["cancelled"] is True
    # the same origin with the cookie works
    other = _job(service)
    r = service.client.post(f"/api/v1/jobs/{other}/cancel", headers={**cookie, "Origin": own})
    assert r.status_code == 200 and r.json()["cancelled"] is True, r.text


@SQLITE_ONLY
def test_ops_endpoints_are_closed_except_healthz(service: Service) -> None:
    assert service.call(None, "GET", "/healthz").status_code == 200
    for path in ("/readyz", "/metrics"):
        assert service.call(None, "GET", path).status_code == 401, path
        assert service.call("provider:primary-cloud", "GET", path).status_code == 403, path
        r = service.call("planner", "GET", path)
        assert r.status_code == 200, path
    service.client.app.state.ctx.settings.public_endpoints = frozenset({"healthz", "readyz"})  # type: ignore[attr-defined]
    assert service.call(None, "GET", "/readyz").status_code == 200
    assert service.call(None, "GET", "/metrics").status_code == 401


def test_lists_are_paged_with_totals(service: Service) -> None:
    ids = [service.upload_minimal() for _ in range(3)]
    r = service.call("admin", "GET", "/api/v1/scenarios", params={"limit": 2})
    assert [s["id"] for s in r.json()] == ids[:2]
    assert r.headers["x-total-count"] == "3" and 'rel="next"' in r.headers["link"]
    r = service.call("admin", "GET", "/api/v1/scenarios", params={"limit": 2, "offset": 2})
    assert [s["id"] for s in r.json()] == ids[2:] and "link" not in r.headers
    for i in range(3):
        service.raise_need(ids[0], need_id=f"n{i}")
    r = service.call("planner", "GET", "/api/v1/needs", params={"limit": 1, "offset": 1})
    assert [n["id"] for n in r.json()] == ["n1"] and r.headers["x-total-count"] == "3"
    assert r.json()[0]["notices"]  # each need still carries its notices
    notices = service.call("planner", "GET", "/api/v1/notices").json()
    r = service.call("planner", "GET", "/api/v1/notices", params={"limit": 1})
    assert r.headers["x-total-count"] == str(len(notices)) and len(r.json()) == 1
    for path in ("/api/v1/plans", "/api/v1/jobs", "/api/v1/tokens", "/api/v1/ledger", "/api/v1/audit"):
        r = service.call("admin", "GET", path, params={"limit": 1})
        assert r.status_code == 200 and "x-total-count" in r.headers, path


def test_a_cut_audit_tail_is_detected(service: Service, db_url: str) -> None:
    service.raise_need(service.upload_minimal())
    before = service.call("admin", "GET", "/api/v1/audit/verify").json()
    assert before["ok"] and before["anchored_records"] == before["records"] > 3
    checkpoint = service.call("admin", "GET", "/api/v1/audit/checkpoint").json()
    assert checkpoint["record"] == before["records"] and checkpoint["hash"] == before["head"]
    cut_audit_tail(db_url, 3)
    after = service.call("admin", "GET", "/api/v1/audit/verify").json()
    assert after["ok"] is False and after["records"] == before["records"] - 3
    assert "truncated" in after["message"] and f"ends at record {after['records']}" in after["message"]


@SQLITE_ONLY
def test_secure_cookies_and_login_from_another_origin(service: Service) -> None:
    form = {"token": service.tokens["planner"]}
    r = service.client.post(
        "/login", data=form, headers={"Origin": "http://127.0.0.1:9999"}, follow_redirects=False
    )
    assert r.status_code == 403 and r.json()["error"]["code"] == "cross_origin"
    r = service.client.post("/login", data=form, follow_redirects=False)
    assert r.status_code == 303 and "secure" not in r.headers["set-cookie"].lower()
    service.client.app.state.ctx.settings.secure_cookies = True  # type: ignore[attr-defined]
    own = {"Origin": "http://testserver"}  # now a cookie is set: the form must name its origin
    r = service.client.post("/login", data=form, headers=own, follow_redirects=False)
    cookie = r.headers["set-cookie"].lower()
    assert "secure" in cookie and "httponly" in cookie and "samesite=strict" in cookie
    service.client.cookies.clear()


def test_serve_refuses_an_unknown_public_endpoint() -> None:
    from typer.testing import CliRunner

    from tender.cli.app import app

    result = CliRunner().invoke(app, ["serve", "--public", "tokens"])
    assert result.exit_code == 2 and "--public" in result.output
    assert "--secure-cookies" in CliRunner().invoke(app, ["serve", "--help"]).output

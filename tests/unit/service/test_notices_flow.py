"""Raising a need issues the ROFR notice; the holder answers it once; deadlines expire on the clock."""

from __future__ import annotations

from datetime import timedelta

from service_support import Service


def test_need_issues_notice_to_holder_only(service: Service) -> None:
    scenario = service.upload_minimal()
    need = service.raise_need(scenario)
    assert [n["holder"] for n in need["notices"]] == ["primary-cloud"]
    notice = need["notices"][0]
    assert notice["best_quote_provider"] == "rival-cloud-a"
    assert notice["status"] == "open"

    mine = service.call("provider:primary-cloud", "GET", "/api/v1/notices").json()
    assert [n["id"] for n in mine] == [notice["id"]]
    assert mine[0]["best_third_party_price"] == "5.2"
    assert "holder" not in mine[0] and "best_quote_provider" not in mine[0]
    assert "rival-cloud-a" not in str(mine)
    assert service.call("provider:rival-cloud-a", "GET", "/api/v1/notices").json() == []


def test_partial_exercise_then_second_answer_refused(service: Service) -> None:
    scenario = service.upload_minimal()
    nid = service.raise_need(scenario)["notices"][0]["id"]
    r = service.call(
        "provider:primary-cloud",
        "POST",
        f"/api/v1/notices/{nid}/respond",
        json={"action": "exercise", "gpus": 2304 * 4},
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "partially_exercised"
    assert r.json()["exercised_gpus"] == 9216
    again = service.call(
        "provider:primary-cloud", "POST", f"/api/v1/notices/{nid}/respond", json={"action": "decline"}
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "notice_not_open"


def test_below_min_block_is_422_on_gpus(service: Service) -> None:
    scenario = service.upload_minimal()
    nid = service.raise_need(scenario)["notices"][0]["id"]
    r = service.call(
        "provider:primary-cloud",
        "POST",
        f"/api/v1/notices/{nid}/respond",
        json={"action": "exercise", "gpus": 100},
    )
    assert r.status_code == 422
    assert r.json()["error"] == {
        "code": "below_min_block",
        "message": r.json()["error"]["message"],
        "field": "gpus",
    }


def test_after_deadline_refused_with_reason_and_expiry(service: Service) -> None:
    scenario = service.upload_minimal()
    nid = service.raise_need(scenario)["notices"][0]["id"]
    service.clock.advance(timedelta(days=30, seconds=1))
    r = service.call(
        "provider:primary-cloud", "POST", f"/api/v1/notices/{nid}/respond", json={"action": "decline"}
    )
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "after_deadline"
    got = service.call("planner", "GET", f"/api/v1/notices/{nid}").json()
    assert got["status"] == "expired"


def test_answer_exactly_at_deadline_is_on_time(service: Service) -> None:
    scenario = service.upload_minimal()
    nid = service.raise_need(scenario)["notices"][0]["id"]
    service.clock.advance(timedelta(days=30))
    r = service.call(
        "provider:primary-cloud", "POST", f"/api/v1/notices/{nid}/respond", json={"action": "decline"}
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "declined"


def test_idempotency_key_replays_first_outcome(service: Service) -> None:
    scenario = service.upload_minimal()
    nid = service.raise_need(scenario)["notices"][0]["id"]
    path = f"/api/v1/notices/{nid}/respond"
    key = {"Idempotency-Key": "k-1"}
    first = service.call("provider:primary-cloud", "POST", path, json={"action": "exercise"}, headers=key)
    second = service.call("provider:primary-cloud", "POST", path, json={"action": "exercise"}, headers=key)
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    other = service.call("provider:primary-cloud", "POST", path, json={"action": "decline"}, headers=key)
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    audit = service.call("admin", "GET", "/api/v1/audit", params={"kind": "rofr.holder_exercised"}).json()
    assert len(audit) == 1


def test_accept_or_decline_shows_no_third_party_price(service: Service) -> None:
    from service_support import MINIMAL

    text = MINIMAL.replace("match_mode: match_best_offer", "match_mode: accept_or_decline")
    r = service.call("admin", "POST", "/api/v1/scenarios", json={"name": "first-look.yaml", "yaml": text})
    nid = service.raise_need(int(r.json()["id"]))["notices"][0]["id"]
    seen = service.call("provider:primary-cloud", "GET", f"/api/v1/notices/{nid}").json()
    assert seen["best_third_party_price"] is None
    assert seen["terms"]["price"] == "6.5"  # the lab's own terms: a first look


def test_deadline_expires_on_restart_and_while_running(db_url: str, clock: object) -> None:
    from service_support import START, make_token
    from starlette.testclient import TestClient

    from tender.service import ManualClock, Settings, create_app

    assert isinstance(clock, ManualClock)
    settings = Settings(database_url=db_url, clock=clock, background_tasks=False, token_cache_seconds=0)
    app = create_app(settings)
    with TestClient(app) as client:
        svc = Service(client, app.state.ctx.db, clock)
        for role in ("admin", "planner", "provider:primary-cloud"):
            svc.tokens[role] = make_token(svc.db, role, START)
        nid = svc.raise_need(svc.upload_minimal())["notices"][0]["id"]
    clock.advance(timedelta(days=31))  # the server is down while the deadline passes
    app2 = create_app(
        Settings(database_url=db_url, clock=clock, background_tasks=False, token_cache_seconds=0)
    )
    with TestClient(app2) as client:  # start-up expires it
        svc.client = client
        assert svc.call("planner", "GET", f"/api/v1/notices/{nid}").json()["status"] == "expired"
        metrics = svc.call("planner", "GET", "/metrics").text  # /metrics is not public by default
        assert "tender_deadlines_missed_total 1.0" in metrics
    # while running: the background task ticks on the injected clock
    app3 = create_app(
        Settings(database_url=db_url, clock=clock, expiry_interval_seconds=0.05, token_cache_seconds=0)
    )
    with TestClient(app3) as client:
        svc.client = client
        nid2 = svc.raise_need(1, need_id="n2")["notices"][0]["id"]
        clock.advance(timedelta(days=30, seconds=1))
        import time

        for _ in range(100):
            if svc.call("planner", "GET", f"/api/v1/notices/{nid2}").json()["status"] == "expired":
                break
            time.sleep(0.05)
        assert svc.call("planner", "GET", f"/api/v1/notices/{nid2}").json()["status"] == "expired"
        assert svc.call("admin", "GET", "/api/v1/audit/verify").json()["ok"]

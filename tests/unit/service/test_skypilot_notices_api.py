"""The SkyPilot policy endpoint reads the ROFR notices the server holds (issue 17).

Scenario examples/frontier-lab.yaml, month 3 (the test clock starts at 2026-07 = month 1, so month 3
is 2026-09). The task `pretrain-v6` (a training demand) asks `infra: aws`, GB200:4 x 2 nodes = a gang
of 8 GPUs: the only offering is rival-cloud-a us-east (AWS us-east-1, 10,000 GB200 from month 1).
rival-cloud-a holds no reservation, so it is new capacity, inside `c-primary-rofr` (holder
primary-cloud, applies_to new_capacity, in force months 1-16; its training carve-out covers only
jv-datacenter and on-prem). Hence, from the clauses:
- no stored need, or a stored need not covering the task: `rofr_pending [c-primary-rofr]`;
- a need raised for pretrain-v6, GB200, us-east, months 3-4, 2,304 GPUs (the clause's minimum
  block), quoted by rival-cloud-a, whose notice is unanswered: still `rofr_pending`, naming the notice;
- the holder declines (its right then releases the need's capacity for the 60-day close window):
  the same request is allowed at rival-cloud-a (AWS us-east-1);
- the holder exercises all 2,304 GPUs: refused `rofr_exercised_by_holder [c-primary-rofr]`.
"""

from __future__ import annotations

from typing import Any

from service_support import Service, make_token
from test_skypilot_policy_api import TRAIN, _ask, _upload

NEED = {
    "id": "n-pretrain-east",
    "workload": "pretrain-v6",
    "workload_class": "training",
    "gpu": "GB200",
    "gpus": 2304,
    "region": "us-east",
    "start": "2026-09-01",
    "months": 2,
    "price": "6.5",
}


def _raise(svc: Service, scenario: int) -> str:
    body = {
        "scenario": scenario,
        "need": NEED,
        "quotes": [{"provider": "rival-cloud-a", "price": "5.2", "gpus": 2304}],
    }
    r = svc.call("planner", "POST", "/api/v1/needs", json=body)
    assert r.status_code == 201, r.text
    notices = r.json()["notices"]
    assert [n["holder"] for n in notices] == ["primary-cloud"]
    return str(notices[0]["id"])


def _respond(svc: Service, notice: str, body: dict[str, Any]) -> None:
    r = svc.call("provider:primary-cloud", "POST", f"/api/v1/notices/{notice}/respond", json=body)
    assert r.status_code == 200, r.text


def _error(svc: Service, token: str, task: dict[str, Any], month: int = 3) -> str:
    r = _ask(svc, token, task, month=month)
    assert r.status_code == 400, r.text
    assert r.json()["error"]["code"] == "rejected_by_contract"
    return str(r.json()["error"]["message"])


def test_unanswered_notice_is_pending_and_names_it(service: Service) -> None:
    scenario = _upload(service)
    token = make_token(service.db, "skypilot")
    assert "rival-cloud-a/us-east GB200: rofr_pending [c-primary-rofr]" in _error(service, token, TRAIN)
    notice = _raise(service, scenario)
    message = _error(service, token, TRAIN)
    assert "rofr_pending [c-primary-rofr]" in message
    assert f"notice {notice} is open" in message


def test_declined_need_releases_the_capacity_to_the_rival(service: Service) -> None:
    scenario = _upload(service)
    token = make_token(service.db, "skypilot")
    _respond(service, _raise(service, scenario), {"action": "decline"})
    r = _ask(service, token, TRAIN)
    assert r.status_code == 200, r.text
    records = service.call("admin", "GET", "/api/v1/audit", params={"kind": "skypilot.decision"}).json()
    allowed = records[-1]["record"]["data"]["allowed"]
    assert [(a["provider"], a["region"], a["infra"]) for a in allowed] == [
        ("rival-cloud-a", "us-east", "aws/us-east-1")
    ]


def test_a_decline_covers_only_what_the_need_covers(service: Service) -> None:
    """Month 5 is after the need's months (3-4); a gang of 2,312 GPUs exceeds its 2,304: both stay
    pending under the right, as with no stored need."""
    scenario = _upload(service)
    token = make_token(service.db, "skypilot")
    _respond(service, _raise(service, scenario), {"action": "decline"})
    later = _error(service, token, TRAIN, month=5)
    assert "rofr_pending [c-primary-rofr]" in later and "must be offered this first" in later
    bigger = {**TRAIN, "num_nodes": 578}  # 578 x 4 = 2,312 GPUs
    assert "rofr_pending [c-primary-rofr]" in _error(service, token, bigger)
    other = {
        **TRAIN,
        "resources": {"infra": "aws", "accelerators": "GB200:4", "labels": {"tender.workload": "inference"}},
    }
    assert "rofr_pending [c-primary-rofr]" in _error(service, token, other)


def test_full_exercise_is_refused_as_exercised_by_holder(service: Service) -> None:
    scenario = _upload(service)
    token = make_token(service.db, "skypilot")
    _respond(service, _raise(service, scenario), {"action": "exercise", "gpus": 2304})
    assert "rofr_exercised_by_holder [c-primary-rofr]" in _error(service, token, TRAIN)

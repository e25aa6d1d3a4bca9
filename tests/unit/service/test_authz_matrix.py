"""Every endpoint x every role: allowed, 403, or 404 where existence would leak; 401 without a token.

Every denial must also leave an `access.denied` audit record.
"""

from __future__ import annotations

from typing import Any

from service_support import MINIMAL, Service

LAB = {"admin", "planner"}
PRIMARY = "provider:primary-cloud"
RIVAL = "provider:rival-cloud-a"
TEAM = "team:research"
OTHER_TEAM = "team:vision"
EVERY = ("admin", "planner", TEAM, OTHER_TEAM, PRIMARY, RIVAL)
JOB = {"name": "matrix", "command": "true", "gpus": 1}
SKY_CPU_TASK = {"task": "name: matrix\nrun: 'true'\n", "skypilot_config": "{}\n"}  # no GPUs: passes through


def _matrix(
    scenario: int, notice: str, plan: int, job: str
) -> list[tuple[str, str, dict[str, Any], set[str], set[str]]]:
    """(method, path, request kwargs, roles allowed, roles that get 404 instead of 403)."""
    need = {
        "scenario": scenario,
        "need": {
            "id": "n2",
            "workload": "w",
            "workload_class": "training",
            "gpu": "GB200",
            "gpus": 4608,
            "region": "us-central",
            "start": "2026-10-01",
            "months": 2,
            "price": "6",
        },
    }
    return [
        ("GET", "/api/v1/tokens", {}, {"admin"}, set()),
        ("POST", "/api/v1/tokens", {"json": {"role": "planner"}}, {"admin"}, set()),
        ("DELETE", "/api/v1/tokens/tok_missing", {}, {"admin"}, set()),
        ("GET", "/api/v1/scenarios", {}, LAB, set()),
        ("GET", f"/api/v1/scenarios/{scenario}", {}, LAB, set()),
        ("POST", "/api/v1/scenarios", {"json": {"name": "m.yaml", "yaml": MINIMAL}}, {"admin"}, set()),
        ("POST", "/api/v1/scenarios/validate", {"json": {"yaml": MINIMAL}}, LAB, set()),
        ("GET", "/api/v1/plans", {}, LAB, set()),
        ("POST", "/api/v1/plans", {"json": {"scenario": scenario}}, {"planner"}, set()),
        ("GET", f"/api/v1/plans/{plan}", {}, LAB, set()),
        ("GET", f"/api/v1/plans/{plan}/report", {}, LAB, set()),
        ("GET", f"/api/v1/plans/{plan}/plan.json", {}, LAB, set()),
        ("GET", f"/api/v1/plans/{plan}/ledger.csv", {}, LAB, set()),
        ("GET", "/api/v1/studies", {}, LAB, set()),
        ("POST", "/api/v1/studies", {"json": {"scenario": 2**31 - 1}}, {"planner"}, set()),
        ("GET", "/api/v1/studies/1", {}, LAB, set()),
        ("GET", "/api/v1/studies/1/report", {}, LAB, set()),
        ("GET", "/api/v1/studies/1/risk.json", {}, LAB, set()),
        ("GET", "/api/v1/needs", {}, LAB, set()),
        ("GET", "/api/v1/needs/n1", {}, LAB, set()),
        ("POST", "/api/v1/needs", {"json": need}, {"planner"}, set()),
        ("GET", "/api/v1/notices", {}, LAB | {PRIMARY, RIVAL}, set()),
        ("GET", f"/api/v1/notices/{notice}", {}, LAB | {PRIMARY}, {RIVAL}),
        ("GET", "/api/v1/jobs", {}, LAB | {TEAM, OTHER_TEAM}, set()),
        ("POST", "/api/v1/jobs", {"json": JOB}, {TEAM, OTHER_TEAM}, set()),
        ("GET", f"/api/v1/jobs/{job}", {}, LAB | {TEAM}, {OTHER_TEAM}),
        ("POST", f"/api/v1/jobs/{job}/cancel", {}, {"admin", TEAM}, {OTHER_TEAM}),
        ("GET", "/api/v1/ledger", {}, LAB, set()),
        ("GET", "/api/v1/ledger/export.csv", {}, LAB, set()),
        ("GET", "/api/v1/audit", {}, LAB, set()),
        ("GET", "/api/v1/audit/verify", {}, LAB, set()),
        ("POST", f"/api/v1/notices/{notice}/respond", {"json": {"action": "decline"}}, {PRIMARY}, {RIVAL}),
        ("POST", "/api/v1/integrations/skypilot/policy", {"json": SKY_CPU_TASK}, {"admin"}, set()),
    ]


def _denials(svc: Service) -> int:
    return len(
        svc.call("admin", "GET", "/api/v1/audit", params={"kind": "access.denied", "limit": 1000}).json()
    )


def test_every_endpoint_by_every_role(service: Service) -> None:
    scenario = service.upload_minimal()
    notice = service.raise_need(scenario)["notices"][0]["id"]
    plan = service.call("planner", "POST", "/api/v1/plans", json={"scenario": scenario}).json()["id"]
    job = service.call(TEAM, "POST", "/api/v1/jobs", json=JOB).json()["id"]
    wrong: list[str] = []
    for method, path, kw, allowed, hidden in _matrix(scenario, notice, plan, job):
        for role in (None, *EVERY):
            before = _denials(service)
            r = service.call(role, method, path, **kw)
            after = _denials(service)
            if role is None:
                expected = {401}
            elif role in allowed:
                expected = {
                    200,
                    201,
                    202,
                    404,
                    409,
                }  # allowed through auth (404/409 = the resource's own state)
            elif role in hidden:
                expected = {404}
            else:
                expected = {403}
            if r.status_code not in expected:
                wrong.append(
                    f"{method} {path} as {role}: {r.status_code} (expected {sorted(expected)}) {r.text[:120]}"
                )
            denied = role is None or role not in allowed
            if denied and after != before + 1:
                wrong.append(f"{method} {path} as {role}: denial not audited ({before} -> {after})")
            if denied:
                assert r.json()["error"]["code"] in {"unauthenticated", "forbidden", "not_found"}
    assert not wrong, "\n".join(wrong)


def test_provider_never_sees_rival_name_or_other_notices(service: Service) -> None:
    scenario = service.upload_minimal()
    notice = service.raise_need(scenario)["notices"][0]["id"]
    r = service.call(RIVAL, "GET", f"/api/v1/notices/{notice}")
    assert r.status_code == 404
    assert r.json() == service.call(RIVAL, "GET", "/api/v1/notices/nope").json() | {
        "error": {**r.json()["error"], "message": r.json()["error"]["message"]}
    }
    mine = service.call(PRIMARY, "GET", f"/api/v1/notices/{notice}").json()
    assert "rival-cloud-a" not in str(mine)
    assert set(mine) == {
        "id",
        "need",
        "clause",
        "match_mode",
        "status",
        "issued_at",
        "deadline",
        "seconds_left",
        "requested_gpus",
        "exercised_gpus",
        "partial_exercise",
        "min_block_gpus",
        "terms",
        "best_third_party_price",
        "decided_at",
    }
    assert (
        service.call(PRIMARY, "GET", "/api/v1/notices", params={"holder": "rival-cloud-a"}).status_code == 403
    )

"""POST /api/v1/integrations/skypilot/policy in SkyPilot's RESTful admin-policy wire format.

SkyPilot's client posts `requests.post(url, json=user_request.encode())`: the body is a JSON *string*
whose text is `{"task": YAML, "skypilot_config": YAML, "request_name": ..., ...}`; it reads the
answer with `MutatedUserRequest.decode(response.json(), ...)`: a JSON string holding the mutated task
and config YAML texts; a 400's text is shown to the user. (The real SkyPilot client is exercised in
tests/skypilot/test_rest_policy.py.) Expectations are the example scenario's clauses.
"""

from __future__ import annotations

import base64
import json

import yaml
from service_support import REPO, Service, make_token

EXAMPLE = (REPO / "examples" / "frontier-lab.yaml").read_text(encoding="utf-8")
URL = "/api/v1/integrations/skypilot/policy"


def _encoded(task: dict[str, object], request_name: str = "launch") -> str:
    body = {
        "task": yaml.safe_dump(task),
        "skypilot_config": "{}\n",
        "request_name": request_name,
        "request_options": None,
        "at_client_side": False,
        "user": "",
    }
    return json.dumps(body)  # what UserRequest.encode() returns; requests then JSON-encodes that string


def _upload(svc: Service) -> int:
    r = svc.call("admin", "POST", "/api/v1/scenarios", json={"name": "frontier-lab.yaml", "yaml": EXAMPLE})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def _ask(svc: Service, token: str, task: dict[str, object], month: int = 3, basic: bool = False):  # type: ignore[no-untyped-def]
    auth = "Basic " + base64.b64encode(f"skypilot:{token}".encode()).decode() if basic else f"Bearer {token}"
    return svc.client.post(URL, json=_encoded(task), params={"month": month}, headers={"Authorization": auth})


API = {
    "name": "api-replica",
    "run": "python serve.py",
    "resources": {"accelerators": "H100:8", "labels": {"tender.workload": "api-serving"}},
}
TRAIN = {
    "name": "pretrain-v6",
    "run": "torchrun",
    "num_nodes": 2,
    "resources": {"infra": "aws", "accelerators": "GB200:4"},
}


def test_allowed_request_answers_the_rewritten_task_in_skypilot_format(service: Service) -> None:
    _upload(service)
    token = make_token(service.db, "skypilot")
    r = _ask(service, token, API, basic=True)
    assert r.status_code == 200, r.text
    answer = json.loads(r.json())  # a JSON string holding {task, skypilot_config}
    assert set(answer) == {"task", "skypilot_config"}
    task = yaml.safe_load(answer["task"])
    assert task["run"] == "python serve.py"
    assert [e["infra"] for e in task["resources"]["ordered"]] == ["azure/centralus", "azure/westeurope"]
    assert yaml.safe_load(answer["skypilot_config"]) == {}


def test_rejection_is_400_with_codes_and_clauses_and_every_decision_is_audited(service: Service) -> None:
    _upload(service)
    token = make_token(service.db, "skypilot")
    r = _ask(service, token, TRAIN)
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "rejected_by_contract"
    assert "rofr_pending [c-primary-rofr]" in r.text
    _ask(service, token, API)
    records = service.call("admin", "GET", "/api/v1/audit", params={"kind": "skypilot.decision"}).json()
    assert [(x["record"]["data"]["task"], x["record"]["data"]["rejected"], x["actor"]) for x in records] == [
        ("pretrain-v6", True, "skypilot"),
        ("api-replica", False, "skypilot"),
    ]
    assert records[0]["record"]["data"]["refused"][0]["clause"] == "c-primary-rofr"
    assert service.call("admin", "GET", "/api/v1/audit/verify").json()["ok"] is True


def test_only_the_skypilot_role_or_admin_may_ask(service: Service) -> None:
    _upload(service)
    assert service.client.post(URL, json=_encoded(API)).status_code == 401
    bad = "Basic " + base64.b64encode(b"skypilot:nope").decode()
    assert service.client.post(URL, json=_encoded(API), headers={"Authorization": bad}).status_code == 401
    team = service.call("team:research", "POST", URL, json=_encoded(API), params={"month": 3})
    assert team.status_code == 403
    assert service.call("admin", "POST", URL, json=_encoded(API), params={"month": 3}).status_code == 200


def test_bad_requests_name_the_field(service: Service) -> None:
    token = make_token(service.db, "skypilot")
    assert _ask(service, token, API).json()["error"]["field"] == "scenario"  # nothing uploaded yet
    _upload(service)
    r = service.client.post(URL, json="not json", headers={"Authorization": f"Bearer {token}"})
    assert (r.status_code, r.json()["error"]["field"]) == (422, "body")
    r = _ask(service, token, API, month=25)
    assert (r.status_code, r.json()["error"]["field"]) == (422, "month")
    r = _ask(service, token, {"name": "x", "resources": {"accelerators": "H100:0.5"}})
    assert r.status_code == 400 and "whole accelerators" in r.json()["error"]["message"]


def test_default_month_is_the_server_clock(service: Service) -> None:
    _upload(service)  # the clock is at 2026-07: month 1 of the example
    token = make_token(service.db, "skypilot")
    r = service.client.post(URL, json=_encoded(TRAIN), headers={"Authorization": f"Bearer {token}"})
    assert "in month 1" in r.json()["error"]["message"]

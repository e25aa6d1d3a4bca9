"""/api/v1/jobs on the live runtime's store (SQLite and PostgreSQL): submit, list, get, cancel, bad input,
and a job submitted through the API run to completion by the runtime's own loop (`Runtime.tick`, what
`tender agent` calls) on a local pool in the same database.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from service_support import Service

from tender.backends import FakeBackend
from tender.clocks import SystemClock
from tender.runtime.driver import Runtime
from tender.runtime.pools import from_scenario, load_pools_text, to_json
from tender.runtime.spec import parse_job_text
from tender.runtime.store import Store

TEAM, OTHER = "team:research", "team:vision"
SPEC = {"name": "train-a", "command": "true", "gpus": 1, "accelerators": ["H100"], "max_retries": 1}
SKY = {"name": "sky-a", "run": "echo sky", "resources": {"accelerators": {"H100": 2}}, "envs": {"A": "1"}}
SKY_ACC = "resources.accelerators"
# Hostile bodies and the field the 422 must name (the CLI's table: tests/unit/runtime/test_spec_hostile.py).
HOSTILE: list[tuple[str, dict[str, Any], str]] = [
    ("sky-1e999", {"run": "x", "resources": {"accelerators": "H100:1e999"}}, SKY_ACC),
    ("sky-nan", {"run": "x", "resources": {"accelerators": "H100:nan"}}, SKY_ACC),
    ("sky-inf", {"run": "x", "resources": {"accelerators": "H100:inf"}}, SKY_ACC),
    ("sky-negative", {"run": "x", "resources": {"accelerators": "H100:-2"}}, SKY_ACC),
    ("sky-fraction", {"run": "x", "resources": {"accelerators": "H100:1.5"}}, SKY_ACC),
    ("sky-huge", {"run": "x", "resources": {"accelerators": "H100:" + "9" * 40}}, SKY_ACC),
    ("sky-dict-huge", {"run": "x", "resources": {"accelerators": {"H100": 10**30}}}, SKY_ACC),
    ("sky-dict-negative", {"run": "x", "resources": {"accelerators": {"H100": -1}}}, SKY_ACC),
    ("sky-no-gpus", {"run": "x", "resources": {}}, SKY_ACC),
    ("sky-run-list", {"run": ["a"], "resources": {"accelerators": "H100:1"}}, "run"),
    ("sky-unknown", {"run": "x", "resourcez": {}}, "resourcez"),
    ("gpus-zero", {**SPEC, "gpus": 0}, "gpus"),
    ("gpus-negative", {**SPEC, "gpus": -3}, "gpus"),
    ("gpus-float", {**SPEC, "gpus": 1.5}, "gpus"),
    ("gpus-huge", {**SPEC, "gpus": 10**30}, "gpus"),
    ("gpus-string", {**SPEC, "gpus": "1e999"}, "gpus"),
    ("gpus-bool", {**SPEC, "gpus": True}, "gpus"),
    ("retries-huge", {**SPEC, "max_retries": 10**20}, "max_retries"),
    ("command-list", {**SPEC, "command": ["python", "x.py"]}, "command"),
    ("command-number", {**SPEC, "command": 7}, "command"),
    ("command-nul", {**SPEC, "command": "a\u0000b"}, "command"),
    ("name-too-long", {**SPEC, "name": "n" * 80}, "name"),
    ("class-too-long", {**SPEC, "workload_class": "c" * 65}, "workload_class"),
    ("env-bad-key", {**SPEC, "env": {"A=B": "1"}}, "env"),
    ("env-number", {**SPEC, "env": {"A": 1}}, "env.A"),
    ("unknown-field", {**SPEC, "colour": "red"}, "colour"),
]
POOLS = """pools:
  - {id: local-h100, provider: primary-cloud, gpu: H100, gpus: 2, backend: {kind: local}}
"""


def _submit(svc: Service, role: str, spec: dict[str, Any]) -> Any:
    return svc.call(role, "POST", "/api/v1/jobs", json=spec)


def _configure(svc: Service) -> Store:
    store = Store(str(svc.db.writer.url.render_as_string(hide_password=False)))
    store.put_setting("config", to_json(load_pools_text(POOLS, "pools.yaml")))
    return store


def test_submit_list_get_cancel(service: Service) -> None:
    r = _submit(service, TEAM, SPEC)
    assert r.status_code == 201, r.text
    job = r.json()
    assert (job["state"], job["team"], job["submitted_by"], job["gpus"]) == ("queued", "research", TEAM, 1)
    assert job["accelerators"] == ["h100"] and job["id"] == "train-a-1"
    sky = _submit(service, OTHER, SKY)
    assert sky.status_code == 201, sky.text
    assert (sky.json()["gpus"], sky.json()["accelerators"], sky.json()["team"]) == (2, ["h100"], "vision")

    def ids(role: str) -> list[str]:
        return [j["id"] for j in service.call(role, "GET", "/api/v1/jobs").json()]

    assert ids(TEAM) == [job["id"]]
    assert ids(OTHER) == [sky.json()["id"]]
    assert ids("admin") == ids("planner") == [sky.json()["id"], job["id"]]
    assert service.call(TEAM, "GET", f"/api/v1/jobs/{job['id']}").json() == job
    assert service.call(OTHER, "GET", f"/api/v1/jobs/{job['id']}").status_code == 404
    assert service.call(TEAM, "GET", "/api/v1/jobs/nope-1").status_code == 404

    assert service.call(OTHER, "POST", f"/api/v1/jobs/{job['id']}/cancel").status_code == 404
    assert service.call("planner", "POST", f"/api/v1/jobs/{job['id']}/cancel").status_code == 403
    first = service.call(TEAM, "POST", f"/api/v1/jobs/{job['id']}/cancel").json()
    assert first["cancelled"] is True and first["job"]["state"] == "cancelled"
    again = service.call(TEAM, "POST", f"/api/v1/jobs/{job['id']}/cancel").json()
    assert again["cancelled"] is False
    assert service.call("admin", "POST", f"/api/v1/jobs/{sky.json()['id']}/cancel").json()["cancelled"]
    kinds = [r["kind"] for r in service.call("admin", "GET", "/api/v1/audit", params={"limit": 1000}).json()]
    # both were still queued: cancelled at once, each move one audit record
    assert kinds.count("job.submitted") == 2 and kinds.count("job.cancelled") == 2
    assert service.call("admin", "GET", "/api/v1/audit/verify").json()["ok"] is True


def test_rows_are_what_the_runtime_writes(service: Service, tmp_path: Path) -> None:
    """The API's row for a spec equals `Runtime.submit`'s for the same spec (ids and times aside)."""
    store = _configure(service)
    try:
        runtime = Runtime(store, store_config(store), SystemClock(), tmp_path)
        api_id = _submit(service, TEAM, SKY).json()["id"]
        cli_id = runtime.submit(parse_job_text("\n".join(f"{k}: {v!r}" for k, v in SKY.items()), "sky.yaml"))
        assert cli_id != api_id
        rows = {r["id"]: dict(r) for r in store.jobs()}
        skip = {"seq", "id", "submitted_at", "updated_at", "team", "submitted_by"}
        assert {k: v for k, v in rows[api_id].items() if k not in skip} == {
            k: v for k, v in rows[cli_id].items() if k not in skip
        }
        assert (rows[api_id]["team"], rows[api_id]["submitted_by"]) == ("research", TEAM)
        assert (rows[cli_id]["team"], rows[cli_id]["submitted_by"]) == (None, "cli")
        listed = {j["id"]: j for j in service.call("admin", "GET", "/api/v1/jobs").json()}
        assert listed[cli_id]["team"] is None and listed[api_id]["team"] == "research"
        assert [j["id"] for j in service.call(TEAM, "GET", "/api/v1/jobs").json()] == [api_id]
    finally:
        store.close()


def store_config(store: Store) -> Any:
    from tender.runtime.pools import from_json

    saved = store.get_setting("config")
    assert saved is not None
    return from_json(saved)


def test_agent_runs_what_the_api_queued(service: Service, tmp_path: Path) -> None:
    store = _configure(service)
    try:
        runtime = Runtime(store, store_config(store), SystemClock(), tmp_path)
        job = _submit(service, TEAM, SPEC).json()["id"]
        deadline = time.monotonic() + 60
        state = "queued"
        while time.monotonic() < deadline:
            runtime.tick()
            state = service.call(TEAM, "GET", f"/api/v1/jobs/{job}").json()["state"]
            if state not in ("queued", "running"):
                break
            time.sleep(0.2)
        body = service.call(TEAM, "GET", f"/api/v1/jobs/{job}").json()
        assert state == "succeeded", body
        assert body["pool"] == "local-h100" and body["attempts"] == 1
        # the agent appended the GPU-hours used to the ledger (no plan): the lab's ledger views show it
        rows = service.call("planner", "GET", "/api/v1/ledger").json()
        assert [(r["plan"], r["month"], r["columns"]["job_id"]) for r in rows] == [(None, 0, job)]
        csv = service.call("planner", "GET", "/api/v1/ledger/export.csv").text.splitlines()
        assert len(csv) == 2 and csv[1].startswith(",0,")
    finally:
        store.close()


@pytest.mark.parametrize(("spec", "field"), [c[1:] for c in HOSTILE], ids=[c[0] for c in HOSTILE])
def test_hostile_job_specs_are_422_with_the_field(service: Service, spec: dict[str, Any], field: str) -> None:
    r = _submit(service, TEAM, spec)
    assert r.status_code == 422, (spec, r.text)
    error = r.json()["error"]
    assert error["code"] == "invalid_job" and error["field"] == field, (spec, r.text)
    assert error["problems"][0]["field"] == field
    assert service.call("admin", "GET", "/api/v1/jobs").json() == []


@pytest.mark.parametrize(
    "raw",
    [
        b'{"name": "a", "command": "x", "gpus": NaN}',
        b'{"name": "a", "command": "x", "gpus": Infinity}',
        b'{"name": "a", "command": "x", "gpus": -Infinity}',
        b'{"run": "x", "resources": {"accelerators": {"H100": 1e999}}}',
        b'{"name": "a", "command": "x", "gpus": 1, "env": ' + b"[" * 5000 + b"]" * 5000 + b"}",
    ],
    ids=["nan", "inf", "-inf", "1e999-number", "deep"],
)
def test_non_json_numbers_and_deep_bodies_are_refused(service: Service, raw: bytes) -> None:
    """Not JSON (NaN, Infinity, an overflowing number) or absurdly deep: refused as input, never a 5xx."""
    r = service.call(TEAM, "POST", "/api/v1/jobs", content=raw, headers={"Content-Type": "application/json"})
    assert r.status_code in (400, 422), r.text
    assert "error" in r.json(), r.text


def test_bad_job_specs_are_422_with_the_field(service: Service) -> None:
    assert service.call(TEAM, "POST", "/api/v1/jobs", json=[1]).status_code == 422
    _configure(service).close()
    r = _submit(service, TEAM, {**SPEC, "accelerators": ["TPU"]})
    assert r.status_code == 422 and r.json()["error"]["field"] == "accelerators", r.text
    r = _submit(service, TEAM, {**SPEC, "gpus": 64})
    assert r.status_code == 422 and r.json()["error"]["field"] == "gpus", r.text
    assert service.call("admin", "GET", "/api/v1/jobs").json() == []


def test_engine_unreachable_and_clause_ids_in_the_api_and_dashboard(service: Service, tmp_path: Path) -> None:
    """A dead engine is `engine_unreachable` with the engine and its error in GET /jobs and on the dashboard;
    a job no pool may take is refused at submit time (422) with the reason code and clause id."""
    root = Path(__file__).resolve().parents[3]
    scenario = (root / "examples" / "local-lab.yaml").read_text()
    store = Store(str(service.db.writer.url.render_as_string(hide_password=False)))
    try:
        config = from_scenario(scenario, "local-lab.yaml")
        store.put_setting("config", to_json(config))
        refused = _submit(
            service, TEAM, {"name": "eu", "command": "true", "gpus": 1, "workload": "eu-research"}
        )
        assert refused.status_code == 422, refused.text
        problems = refused.json()["error"]["problems"]
        assert len(problems) == 3 and all(p["field"] == "workload" for p in problems)
        assert all("residency" in p["message"] and "[c-eu-residency]" in p["message"] for p in problems)
        job = _submit(service, TEAM, SPEC).json()["id"]
        engine = FakeBackend(SystemClock(), gpus=2, reachable=False)
        runtime = Runtime(
            store,
            config,
            SystemClock(),
            tmp_path,
            backends=dict.fromkeys((p.id for p in config.pools), engine),
        )
        runtime.tick()
        body = service.call(TEAM, "GET", f"/api/v1/jobs/{job}").json()
        assert (body["state"], body["reason_code"], body["clause"]) == ("queued", "engine_unreachable", None)
        assert (
            "fake: engine switched off" in body["reason"]
            and "primary-cloud/H100/us-central on local" in body["reason"]
        )
        page = service.call(
            None, "GET", "/", headers={"Cookie": f"tender_token={service.tokens['admin']}"}
        ).text
        assert "engine_unreachable" in page and "fake: engine switched off" in page
    finally:
        store.close()

"""A real `tender serve` and a real `tender agent` sharing one database (SQLite file or PostgreSQL):

1. the agent starts with a local pool and no database setting of its own — only what the server is given
   (SQLite: just `TENDER_HOME`, the default file both use; PostgreSQL: `TENDER_DATABASE_URL`) — and stores it;
2. a team submits jobs through the API (a Tender spec and a SkyPilot task); the agent runs them to success;
3. a long job is cancelled through the API while it runs; the agent stops it on its engine;
4. `tender jobs --json -` (the runtime's CLI) lists the very jobs the API queued.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx

from serve_process import TENDER, ServeProcess, h, tokens

POOLS = """pools:
  - {id: local-h100, provider: primary-cloud, gpu: H100, gpus: 2, backend: {kind: local}}
"""


def _wait(base: str, token: str, job: str, states: set[str], seconds: float = 90) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    body: dict[str, Any] = {}
    while time.monotonic() < deadline:
        body = httpx.get(f"{base}/api/v1/jobs/{job}", headers=h(token)).json()
        if body["state"] in states:
            return body
        time.sleep(0.2)
    raise AssertionError(f"{job} never reached {states}: {body}")


def test_api_jobs_run_by_the_agent(serve_db: str, tmp_path: Path) -> None:
    tok = tokens(serve_db, ("admin", "team:research"))
    (tmp_path / "pools.yaml").write_text(POOLS, encoding="utf-8")
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("TENDER_RUNTIME") and k != "TENDER_DATABASE_URL"
    }
    env["TENDER_HOME"] = str(tmp_path)  # what ServeProcess gives `tender serve`
    if not serve_db.startswith("sqlite"):
        env["TENDER_DATABASE_URL"] = serve_db
    else:
        assert serve_db == f"sqlite:///{tmp_path / 'tender.db'}"  # $TENDER_HOME's default file
    server = ServeProcess(serve_db, tmp_path)
    agent_log = open(tmp_path / "agent.log", "wb")  # noqa: SIM115
    agent = subprocess.Popen(
        [*TENDER, "agent", "--pools", str(tmp_path / "pools.yaml"), "--interval", "0.3"],
        env=env,
        stdout=agent_log,
        stderr=subprocess.STDOUT,
    )
    try:
        server.start()
        team = tok["team:research"]
        jobs = f"{server.base}/api/v1/jobs"
        spec = {"name": "quick", "command": "echo done", "gpus": 1, "accelerators": ["H100"]}
        sky = {"name": "sky", "run": "true", "resources": {"accelerators": "H100:1"}}
        slow = {"name": "slow", "command": "sleep 60", "gpus": 2}
        ids = []
        for body in (spec, sky, slow):
            r = httpx.post(jobs, json=body, headers=h(team))
            assert r.status_code == 201, r.text
            ids.append(r.json()["id"])
        for job in ids[:2]:
            done = _wait(server.base, team, job, {"succeeded", "failed", "cancelled", "rejected"})
            assert (done["state"], done["pool"], done["attempts"]) == ("succeeded", "local-h100", 1), done
        _wait(server.base, team, ids[2], {"running"})
        r = httpx.post(f"{jobs}/{ids[2]}/cancel", headers=h(team))
        assert r.status_code == 200 and r.json()["cancelled"] is True, r.text
        assert _wait(server.base, team, ids[2], {"cancelled", "failed", "succeeded"})["state"] == "cancelled"
        # the agent has stored its pools: the server now refuses what no pool offers
        r = httpx.post(jobs, json={**spec, "accelerators": ["TPU"]}, headers=h(team))
        assert r.status_code == 422 and r.json()["error"]["field"] == "accelerators"

        listed = subprocess.run(
            [*TENDER, "jobs", "--json", "-"], env=env, capture_output=True, text=True, timeout=60, check=True
        )
        states = {j["id"]: j["state"] for j in json.loads(listed.stdout)}
        assert states == {ids[0]: "succeeded", ids[1]: "succeeded", ids[2]: "cancelled"}
        admin = httpx.get(jobs, headers=h(tok["admin"])).json()
        assert sorted(j["id"] for j in admin) == sorted(ids)
        assert httpx.get(f"{server.base}/api/v1/audit/verify", headers=h(tok["admin"])).json()["ok"] is True
    finally:
        agent.terminate()
        agent.wait(15)
        agent_log.close()
        server.stop()

"""A real `tender serve` process on 127.0.0.1: 50 racing answers -> one decision; SIGKILL mid-writes -> nothing
lost or duplicated and the audit chain verifies. Runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from serve_process import ServeProcess, h, tokens
from tender.ledger.sql import Database
from tender.ledger.sql.models import NoticeDecision

REPO = Path(__file__).resolve().parents[2]
MINIMAL = (REPO / "examples" / "minimal.yaml").read_text(encoding="utf-8")
ROLES = ("admin", "planner", "provider:primary-cloud")


def need_body(scenario: int, need_id: str) -> dict[str, Any]:
    return {
        "scenario": scenario,
        "need": {
            "id": need_id,
            "workload": "pretrain-x",
            "workload_class": "training",
            "gpu": "GB200",
            "gpus": 2304 * 4,
            "region": "us-central",
            "start": "2026-10-01",
            "months": 2,
            "price": "6.5",
        },
        "quotes": [{"provider": "rival-cloud-a", "price": "5.2", "gpus": 9216}],
    }


def setup_scenario(base: str, tok: dict[str, str]) -> int:
    r = httpx.post(
        f"{base}/api/v1/scenarios", json={"name": "minimal.yaml", "yaml": MINIMAL}, headers=h(tok["admin"])
    )
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def test_fifty_concurrent_answers_make_one_decision(serve_db: str, tmp_path: Path) -> None:
    tok = tokens(serve_db, ROLES)
    server = ServeProcess(serve_db, tmp_path)
    server.start()
    try:
        scenario = setup_scenario(server.base, tok)
        r = httpx.post(
            f"{server.base}/api/v1/needs", json=need_body(scenario, "race"), headers=h(tok["planner"])
        )
        assert r.status_code == 201, r.text
        notices = r.json()["notices"]
        if not notices:
            pytest.fail(
                f"no notice issued (the server clock must be inside the scenario's ROFR term): {r.text}"
            )
        nid = notices[0]["id"]
        barrier = threading.Barrier(50)

        def answer(i: int) -> int:
            body = {"action": "decline"} if i % 2 else {"action": "exercise", "gpus": 2304 * (1 + i % 4)}
            with httpx.Client(timeout=60) as client:
                barrier.wait()
                return client.post(
                    f"{server.base}/api/v1/notices/{nid}/respond",
                    json=body,
                    headers=h(tok["provider:primary-cloud"]),
                ).status_code

        with ThreadPoolExecutor(50) as pool:
            codes = list(pool.map(answer, range(50)))
        assert codes.count(200) == 1, codes
        assert codes.count(409) == 49, codes
        db = Database(serve_db)
        with db.read() as session:
            assert session.query(NoticeDecision).filter_by(notice_id=nid).count() == 1
        db.dispose()
        check = httpx.get(f"{server.base}/api/v1/audit/verify", headers=h(tok["admin"])).json()
        assert check["ok"], check
    finally:
        server.stop()


def test_sigkill_mid_writes_loses_nothing(serve_db: str, tmp_path: Path) -> None:
    tok = tokens(serve_db, ROLES)
    server = ServeProcess(serve_db, tmp_path)
    server.start()
    acked: list[str] = []
    attempted: list[str] = []
    stop = threading.Event()
    try:
        scenario = setup_scenario(server.base, tok)

        def writer() -> None:
            with httpx.Client(timeout=5) as client:
                i = 0
                while not stop.is_set():
                    need_id = f"crash-{i}"
                    attempted.append(need_id)
                    try:
                        r = client.post(
                            f"{server.base}/api/v1/needs",
                            json=need_body(scenario, need_id),
                            headers=h(tok["planner"]),
                        )
                    except httpx.HTTPError:
                        return
                    if r.status_code == 201:
                        acked.append(need_id)
                    i += 1

        thread = threading.Thread(target=writer)
        thread.start()
        while len(acked) < 15:
            time.sleep(0.02)
        server.kill()  # SIGKILL in the middle of the writes
        stop.set()
        thread.join(10)

        server.start()  # restart on the same database
        needs = httpx.get(f"{server.base}/api/v1/needs", headers=h(tok["admin"])).json()
        stored = [n["id"] for n in needs]
        assert len(stored) == len(set(stored)), "duplicated needs"
        assert set(acked) <= set(stored), f"lost acknowledged writes: {set(acked) - set(stored)}"
        assert set(stored) <= set(attempted)
        for n in needs:  # every stored need is whole: its notice went out with it
            assert len(n["notices"]) == 1, n
        check = httpx.get(f"{server.base}/api/v1/audit/verify", headers=h(tok["admin"])).json()
        assert check["ok"], check
        audit = httpx.get(
            f"{server.base}/api/v1/audit",
            params={"kind": "rofr.need_registered", "limit": 1000},
            headers=h(tok["admin"]),
        ).json()
        assert sorted(a["record"]["data"]["need"] for a in audit) == sorted(stored)
        # the server still writes after the restart
        r = httpx.post(
            f"{server.base}/api/v1/needs",
            json=need_body(scenario, "after-restart"),
            headers=h(tok["planner"]),
        )
        assert r.status_code == 201, r.text
    finally:
        stop.set()
        server.stop()

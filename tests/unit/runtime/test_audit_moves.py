"""Each move of a job (submitted, placed, requeued with its reason, failed over, cancelled, finished) is a
record of the hash-chained audit trail (`tender.ledger.audit` format), and the chain verifies."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from two_pools import two_pools

from tender.ledger import audit
from tender.ledger.sql import audit_store
from tender.runtime.spec import JobSpec
from tender.runtime.store import Store


def _records(store: Store) -> list[dict[str, Any]]:
    with store.db.read() as s:
        return [json.loads(r.record) for r in audit_store.records(s, limit=1000)]


def test_requeue_and_fail_over_are_audited_with_the_reason(tmp_path: Path) -> None:
    h = two_pools(tmp_path)
    try:
        job = h.submit(JobSpec("x", "true", gpus=2))
        h.tick()
        first = h.store.attempts_of(job)[0]
        engine = h.a if first["pool_id"] == "a" else h.b
        engine.lose(first["handle"], "NODE_FAIL")
        engine.degraded = "node vm DOWN+NOT_RESPONDING"
        h.clock.advance(10)
        h.tick()
        h.clock.advance(100)
        h.tick()
        assert h.store.job(job)["state"] == "succeeded"  # type: ignore[index]
        cancelled = h.submit(JobSpec("y", "true", gpus=1))
        assert h.runtime.request_cancel(cancelled, actor="cli:alice")

        records = _records(h.store)
        assert audit.verify(records) is None
        with h.store.db.read() as s:
            assert audit_store.verify_chain(s).ok
        kinds = [r["kind"] for r in records if r["data"]["job"] == job]
        assert kinds == ["job.submitted", "job.placed", "job.requeued", "job.failed_over", "job.finished"]
        requeued = next(r for r in records if r["kind"] == "job.requeued")
        body = requeued["data"]
        assert "NODE_FAIL" in body["reason"] and body["from"] == first["pool_id"] and body["retry"] == 1
        moved = next(r for r in records if r["kind"] == "job.failed_over")["data"]
        assert (moved["from"], moved["pool"], moved["attempt"]) == (
            first["pool_id"],
            "b" if engine is h.a else "a",
            2,
        )
        last = records[-1]
        assert (last["kind"], last["actor"], last["data"]["job"]) == ("job.cancelled", "cli:alice", cancelled)
    finally:
        h.store.close()

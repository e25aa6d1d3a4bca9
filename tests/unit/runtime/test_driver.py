"""The runtime driver against fake backends on a stepped clock: placement, metering, requeue, exclusivity, restart."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from two_pools import two_pools

from tender.runtime.driver import Runtime
from tender.runtime.spec import JobSpec


def test_jobs_run_and_are_metered_per_job_pool_provider(tmp_path: Path) -> None:
    h = two_pools(tmp_path)
    ids = [h.submit(JobSpec(f"j{i}", "true", gpus=1)) for i in range(5)]
    h.tick()
    assert [j["state"] for j in h.store.jobs()] == ["running"] * 4 + ["queued"]
    assert h.store.job(ids[4])["reason"].startswith("capacity")  # type: ignore[index]
    h.clock.advance(100)
    h.tick()  # four finish, the fifth is placed
    h.clock.advance(100)
    h.tick()
    assert {j["state"] for j in h.store.jobs()} == {"succeeded"}
    assert sum(h.store.gpu_hours_by("job_id").values()) == 5 * Decimal(
        "0.027778"
    )  # 100 s each, per-attempt rounding
    assert set(h.store.gpu_hours_by("provider")) == {"prov-a", "prov-b"}


def test_lost_attempt_is_requeued_elsewhere_and_counted_once(tmp_path: Path) -> None:
    h = two_pools(tmp_path)
    job = h.submit(JobSpec("x", "true", gpus=2))
    h.tick()
    first = h.store.attempts_of(job)[0]
    backend = h.a if first["pool_id"] == "a" else h.b
    other = h.b if backend is h.a else h.a
    backend.lose(first["handle"], "NODE_FAIL")
    backend.degraded = "node vm DOWN+NOT_RESPONDING"
    h.clock.advance(10)
    h.tick()
    attempts = h.store.attempts_of(job)
    assert [x["state"] for x in attempts] == ["lost", "active"] and attempts[1]["pool_id"] != first["pool_id"]
    h.clock.advance(100)
    h.tick()
    assert h.store.job(job)["state"] == "succeeded"  # type: ignore[index]
    assert len(other.submitted) == 1
    kinds = [e["kind"] for e in h.store.events_of(job)]
    assert kinds.count("finished") == 1 and "requeued" in kinds


def test_retry_limit(tmp_path: Path) -> None:
    h = two_pools(tmp_path)
    h.a.refuse = h.b.refuse = "sbatch: error: nope"
    job = h.submit(JobSpec("x", "true", gpus=1, max_retries=1))
    h.tick()
    h.tick()
    row = h.store.job(job)
    assert row is not None and row["state"] == "failed" and "gave up after 2" in row["reason"]


def test_exclusive_job_waits_for_its_provider(tmp_path: Path) -> None:
    h = two_pools(tmp_path, exclusivity={"training": "prov-a"})
    hog = h.submit(JobSpec("hog", "true", gpus=2, workload_class="inference"))
    h.tick()
    assert h.store.attempts_of(hog)[0]["pool_id"] in {"a", "b"}
    if h.store.attempts_of(hog)[0]["pool_id"] == "b":  # make pool a the busy one
        pytest.skip("scheduler put the hog on b")
    exclusive = h.submit(JobSpec("ex", "true", gpus=2, workload_class="training"))
    h.tick()
    row = h.store.job(exclusive)
    assert row is not None and row["state"] == "queued"
    assert "exclusivity" in row["reason"] and "prov-a" in row["reason"]
    h.clock.advance(100)
    h.tick()
    h.tick()
    assert h.store.attempts_of(exclusive)[0]["pool_id"] == "a"


def test_restart_adopts_a_submission_it_did_not_record(tmp_path: Path) -> None:
    h = two_pools(tmp_path)
    job = h.submit(JobSpec("x", "true", gpus=1))
    h.tick()
    attempt = h.store.attempts_of(job)[0]
    with h.store.write() as s:  # as if the runtime died right after submitting
        from tender.runtime.store import attempt_update

        attempt_update(s, attempt["key"], handle=None, state="submitting")
    again = Runtime(h.store, h.runtime.config, h.clock, tmp_path, backends={"a": h.a, "b": h.b})
    again.tick()
    assert h.store.attempts_of(job)[0]["state"] == "active"
    h.clock.advance(100)
    again.tick()
    again.tick()
    assert h.store.job(job)["state"] == "succeeded"  # type: ignore[index]
    assert len(h.store.usage_rows()) == 1 and len(h.a.submitted) + len(h.b.submitted) == 1


def test_unreachable_engine_moves_jobs_after_grace(tmp_path: Path) -> None:
    h = two_pools(tmp_path)
    job = h.submit(JobSpec("x", "true", gpus=2))
    h.tick()
    pool = h.store.attempts_of(job)[0]["pool_id"]
    (h.a if pool == "a" else h.b).reachable = False
    h.tick()
    assert h.store.job(job)["state"] == "running"  # type: ignore[index]
    h.clock.advance(31)
    h.tick()
    h.tick()
    attempts = h.store.attempts_of(job)
    assert attempts[0]["state"] == "lost" and attempts[1]["pool_id"] != pool


def test_cancel(tmp_path: Path) -> None:
    h = two_pools(tmp_path)
    job = h.submit(JobSpec("x", "true", gpus=1))
    h.tick()
    assert h.runtime.request_cancel(job)
    h.tick()
    h.tick()
    assert h.store.job(job)["state"] == "cancelled"  # type: ignore[index]


def test_the_harness_record_agrees_with_the_stored_history(tmp_path: Path) -> None:
    h = two_pools(tmp_path)  # 2 pools x 2 GPUs; 5 one-GPU jobs of 100 s: four now, the fifth after them
    ids = [h.submit(JobSpec(f"j{i}", "true", gpus=1)) for i in range(5)]
    for _ in range(3):
        h.tick()
        h.advance(100)
    assert [len(t.report.placed) for t in h.ticks] == [4, 1, 0]
    assert [len(t.report.finished) for t in h.ticks] == [0, 4, 1]
    assert sorted(h.placed()[:4]) == ids[:4] and h.placed()[4:] == [ids[4]]
    events = h.store.events_of()  # written by the commit's own transaction, not by the report
    assert sorted(h.placed()) == sorted(e["job_id"] for e in events if e["kind"] == "placed")
    assert sorted(h.finished()) == sorted(e["job_id"] for e in events if e["kind"] == "finished") == ids
    assert h.requeued() == [] and h.downs() == [{}, {}, {}]

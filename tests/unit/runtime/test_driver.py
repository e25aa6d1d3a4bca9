"""The runtime driver against fake backends on a stepped clock: placement, metering, requeue, exclusivity, restart."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from two_pools import two_pools

from tender.runtime.driver import Runtime
from tender.runtime.spec import JobSpec


def test_jobs_run_and_are_metered_per_job_pool_provider(tmp_path: Path) -> None:
    clock, _a, _b, store, runtime = two_pools(tmp_path)
    ids = [runtime.submit(JobSpec(f"j{i}", "true", gpus=1)) for i in range(5)]
    runtime.tick()
    assert [j["state"] for j in store.jobs()] == ["running"] * 4 + ["queued"]
    assert store.job(ids[4])["reason"].startswith("capacity")  # type: ignore[index]
    clock.advance(100)
    runtime.tick()  # four finish, the fifth is placed
    clock.advance(100)
    runtime.tick()
    assert {j["state"] for j in store.jobs()} == {"succeeded"}
    assert sum(store.gpu_hours_by("job_id").values()) == 5 * Decimal(
        "0.027778"
    )  # 100 s each, per-attempt rounding
    assert set(store.gpu_hours_by("provider")) == {"prov-a", "prov-b"}


def test_lost_attempt_is_requeued_elsewhere_and_counted_once(tmp_path: Path) -> None:
    clock, a, b, store, runtime = two_pools(tmp_path)
    job = runtime.submit(JobSpec("x", "true", gpus=2))
    runtime.tick()
    first = store.attempts_of(job)[0]
    backend = a if first["pool_id"] == "a" else b
    other = b if backend is a else a
    backend.lose(first["handle"], "NODE_FAIL")
    backend.degraded = "node vm DOWN+NOT_RESPONDING"
    clock.advance(10)
    runtime.tick()
    attempts = store.attempts_of(job)
    assert [x["state"] for x in attempts] == ["lost", "active"] and attempts[1]["pool_id"] != first["pool_id"]
    clock.advance(100)
    runtime.tick()
    assert store.job(job)["state"] == "succeeded"  # type: ignore[index]
    assert len(other.submitted) == 1
    kinds = [e["kind"] for e in store.events_of(job)]
    assert kinds.count("finished") == 1 and "requeued" in kinds


def test_retry_limit(tmp_path: Path) -> None:
    _clock, a, b, store, runtime = two_pools(tmp_path)
    a.refuse = b.refuse = "sbatch: error: nope"
    job = runtime.submit(JobSpec("x", "true", gpus=1, max_retries=1))
    runtime.tick()
    runtime.tick()
    row = store.job(job)
    assert row is not None and row["state"] == "failed" and "gave up after 2" in row["reason"]


def test_exclusive_job_waits_for_its_provider(tmp_path: Path) -> None:
    clock, _a, _b, store, runtime = two_pools(tmp_path, exclusivity={"training": "prov-a"})
    hog = runtime.submit(JobSpec("hog", "true", gpus=2, workload_class="inference"))
    runtime.tick()
    assert store.attempts_of(hog)[0]["pool_id"] in {"a", "b"}
    if store.attempts_of(hog)[0]["pool_id"] == "b":  # make pool a the busy one
        pytest.skip("scheduler put the hog on b")
    exclusive = runtime.submit(JobSpec("ex", "true", gpus=2, workload_class="training"))
    runtime.tick()
    row = store.job(exclusive)
    assert row is not None and row["state"] == "queued"
    assert "exclusivity" in row["reason"] and "prov-a" in row["reason"]
    clock.advance(100)
    runtime.tick()
    runtime.tick()
    assert store.attempts_of(exclusive)[0]["pool_id"] == "a"


def test_restart_adopts_a_submission_it_did_not_record(tmp_path: Path) -> None:
    clock, a, b, store, runtime = two_pools(tmp_path)
    job = runtime.submit(JobSpec("x", "true", gpus=1))
    runtime.tick()
    attempt = store.attempts_of(job)[0]
    with store.write() as s:  # as if the runtime died right after submitting
        from tender.runtime.store import attempt_update

        attempt_update(s, attempt["key"], handle=None, state="submitting")
    again = Runtime(store, runtime.config, clock, tmp_path, backends={"a": a, "b": b})
    again.tick()
    assert store.attempts_of(job)[0]["state"] == "active"
    clock.advance(100)
    again.tick()
    again.tick()
    assert store.job(job)["state"] == "succeeded"  # type: ignore[index]
    assert len(store.usage_rows()) == 1 and len(a.submitted) + len(b.submitted) == 1


def test_unreachable_engine_moves_jobs_after_grace(tmp_path: Path) -> None:
    clock, a, b, store, runtime = two_pools(tmp_path)
    job = runtime.submit(JobSpec("x", "true", gpus=2))
    runtime.tick()
    pool = store.attempts_of(job)[0]["pool_id"]
    (a if pool == "a" else b).reachable = False
    runtime.tick()
    assert store.job(job)["state"] == "running"  # type: ignore[index]
    clock.advance(31)
    runtime.tick()
    runtime.tick()
    attempts = store.attempts_of(job)
    assert attempts[0]["state"] == "lost" and attempts[1]["pool_id"] != pool


def test_cancel(tmp_path: Path) -> None:
    _clock, _a, _b, store, runtime = two_pools(tmp_path)
    job = runtime.submit(JobSpec("x", "true", gpus=1))
    runtime.tick()
    assert runtime.request_cancel(job)
    runtime.tick()
    runtime.tick()
    assert store.job(job)["state"] == "cancelled"  # type: ignore[index]

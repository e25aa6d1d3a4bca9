"""Audit times never go backwards, within a job and along the whole chain, even when submitters' clocks run
ahead of the agent's (a `tender run` on another machine, or one that lands while a tick holds an earlier
`now`: observation 7 of issue 14, `job.placed` stamped before `job.submitted`).

The check reads the chain back from the database (SQLite here, PostgreSQL below) and parses each stored
record's own `at` text: it does not use the store's clamping code.
"""

from __future__ import annotations

import json
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from two_pools import two_pools

from tender.ledger.sql import audit_store
from tender.runtime import queue
from tender.runtime.spec import JobSpec
from tender.runtime.store import Store


def _chain(store: Store) -> list[dict[str, Any]]:
    with store.db.read() as s:
        return [json.loads(r.record) for r in audit_store.records(s, limit=10_000)]


def _at(record: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(record["at"].replace("Z", "+00:00"))


def assert_monotonic(store: Store) -> int:
    records = _chain(store)
    times = [_at(r) for r in records]
    assert times == sorted(times), [(r["seq"], r["kind"], r["at"]) for r in records]
    by_job: dict[str, list[datetime]] = {}
    for record, at in zip(records, times, strict=True):
        by_job.setdefault(str(record["data"].get("job")), []).append(at)
    for job_times in by_job.values():
        assert job_times == sorted(job_times)
    for job in {j["id"] for j in store.jobs()}:  # the job's own history, too
        history = [e["at"] for e in store.events_of(job)]
        assert history == sorted(history), (job, history)
    return len(records)


# One step: ("submit", seconds the submitter's clock runs ahead of the agent's), ("tick", seconds to advance
# the agent's clock first), ("lose", which open attempt) or ("cancel", which job).
STEP = st.one_of(
    st.tuples(st.just("submit"), st.floats(0, 30, allow_nan=False)),
    st.tuples(st.just("tick"), st.sampled_from([0.0, 1.0, 50.0, 100.0])),
    st.tuples(st.just("lose"), st.integers(0, 3)),
    st.tuples(st.just("cancel"), st.integers(0, 5)),
)


def _play(store: Store, steps: list[tuple[str, Any]], tmp: Path) -> None:
    h = two_pools(tmp, store=store)
    for kind, arg in steps:
        if kind == "submit":
            ahead = h.clock.now() + timedelta(seconds=float(arg))
            with store.write() as s:
                queue.submit(s, JobSpec("j", "true", gpus=1, max_retries=1), now=ahead, submitted_by="cli:x")
        elif kind == "tick":
            h.clock.advance(float(arg))
            h.tick()
        elif kind == "lose":
            running = [x for x in store.open_attempts() if x["handle"]]
            if running:
                attempt = running[arg % len(running)]
                (h.a if attempt["pool_id"] == "a" else h.b).lose(attempt["handle"], "NODE_FAIL")
        else:
            jobs = store.jobs()
            if jobs:
                h.runtime.request_cancel(jobs[arg % len(jobs)]["id"], actor="cli:x")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(STEP, min_size=3, max_size=25))
def test_audit_times_never_go_backwards(steps: list[tuple[str, Any]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(f"sqlite:///{Path(tmp) / 'rt.db'}")
        try:
            _play(store, [*steps, ("tick", 100.0), ("tick", 100.0)], Path(tmp))
            assert_monotonic(store)
        finally:
            store.close()


def test_a_submission_ahead_of_the_tick_is_placed_no_earlier(tmp_path: Path) -> None:
    """The case of the issue, by hand: submitted at agent time + 5 s, placed by a tick at agent time."""
    store = Store(f"sqlite:///{tmp_path / 'rt.db'}")
    try:
        _play(store, [("submit", 5.0), ("tick", 0.0), ("tick", 100.0)], tmp_path)
        records = _chain(store)
        kinds = [r["kind"] for r in records]
        assert kinds == ["job.submitted", "job.placed", "job.finished"]
        assert _at(records[0]) <= _at(records[1]) <= _at(records[2])
        assert assert_monotonic(store) == 3
    finally:
        store.close()


def test_monotonic_on_postgresql(fresh_pg: str, tmp_path: Path) -> None:
    store = Store(fresh_pg)
    try:
        steps = [("submit", 7.0), ("submit", 0.0), ("tick", 0.0), ("lose", 0), ("tick", 1.0), ("submit", 3.0)]
        _play(store, [*steps, ("tick", 100.0), ("tick", 100.0), ("tick", 100.0)], tmp_path)
        assert assert_monotonic(store) >= 8
    finally:
        store.close()

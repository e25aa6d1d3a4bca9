"""Fenced failover in the driver, on fake engines with a lease directory and a stepped clock: the test
plays the wrapper by writing its files, and the expected times are computed by hand from the settings
(deadline = revocation + lease + renew + grace + 1 s margin)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from two_pools import two_pools

from tender.fence.lease import LeaseSettings, revoked_at, write_whole
from tender.ledger.sql import runtime_ledger
from tender.runtime.spec import JobSpec

LEASE, RENEW, GRACE = 10.0, 2.0, 3.0  # deadline 16 s after the revocation


def _setup(tmp_path: Path):  # type: ignore[no-untyped-def]
    h = two_pools(tmp_path)
    lease = LeaseSettings(tmp_path / "leases", LEASE, RENEW, GRACE)
    h.a.lease = h.b.lease = lease  # type: ignore[attr-defined]
    job = h.submit(JobSpec("x", "true", gpus=2))
    h.tick()
    first = h.store.attempts_of(job)[0]
    directory = lease.dir(first["key"])
    directory.mkdir(parents=True)
    t0 = h.clock.now().timestamp()
    write_whole(directory / "started", f"{t0}")
    write_whole(directory / "beat", f"{t0 + 4}")  # the wrapper's last renewal before it went quiet
    backend = h.a if first["pool_id"] == "a" else h.b
    return h.clock, backend, h.store, h.runtime, job, first, directory, t0


def _record(directory: Path, started: float, ended: float, rc: int, exited: bool) -> None:
    body = {"started": started, "ended": ended, "rc": rc, "exited": exited, "cause": "revoked"}
    write_whole(directory / "record", json.dumps(body))


def test_no_new_attempt_before_the_lease_lapses_then_billed_to_the_last_renewal(tmp_path: Path) -> None:
    clock, backend, store, runtime, job, first, directory, t0 = _setup(tmp_path)
    clock.advance(5)
    backend.lose(first["handle"], "node vm NOT_RESPONDING")
    runtime.tick()
    assert revoked_at(directory) == t0 + 5
    assert [a["state"] for a in store.attempts_of(job)] == ["fencing"]
    assert store.job(job)["state"] == "running"  # type: ignore[index]
    clock.advance(15.9)  # 20.9 s: 0.1 s before the deadline, the other pool idle all along
    runtime.tick()
    assert [a["state"] for a in store.attempts_of(job)] == ["fencing"]
    clock.advance(0.1)
    runtime.tick()
    attempts = store.attempts_of(job)
    assert [a["state"] for a in attempts] == ["lost", "active"]
    assert attempts[1]["created_at"] == t0 + 21
    with store.db.read() as s:
        [lost] = runtime_ledger.usage_entries(s)
    assert lost["time_source"] == "wrapper, last renewal" and Decimal(str(lost["seconds"])) == Decimal(
        "4.000"
    )


def test_the_wrappers_record_ends_the_fence_early_and_bills_its_times(tmp_path: Path) -> None:
    clock, backend, store, runtime, job, first, directory, t0 = _setup(tmp_path)
    clock.advance(5)
    backend.lose(first["handle"], "supervisor died")
    runtime.tick()
    _record(directory, t0 + 0.25, t0 + 5.75, 143, exited=False)
    clock.advance(1)
    runtime.tick()
    attempts = store.attempts_of(job)
    assert [a["state"] for a in attempts] == ["lost", "active"] and attempts[1]["created_at"] == t0 + 6
    with store.db.read() as s:
        [lost] = runtime_ledger.usage_entries(s)
    assert lost["time_source"] == "wrapper" and Decimal(str(lost["seconds"])) == Decimal("5.500")


def test_a_command_that_finished_while_its_engine_lost_it_is_done_once(tmp_path: Path) -> None:
    clock, backend, store, runtime, job, first, directory, t0 = _setup(tmp_path)
    clock.advance(30)
    _record(directory, t0 + 0.5, t0 + 30, 0, exited=True)
    backend.lose(first["handle"], "node vm NOT_RESPONDING")
    runtime.tick()
    assert [a["state"] for a in store.attempts_of(job)] == ["succeeded"]
    assert store.job(job)["state"] == "succeeded"  # type: ignore[index]
    assert store.gpu_hours_by("job_id")[job] == Decimal("0.016389")  # 2 GPUs x 29.5 s


def test_an_engine_that_says_done_without_the_wrapper_is_not_believed(tmp_path: Path) -> None:
    clock, _backend, store, runtime, job, _first, _directory, _t0 = _setup(tmp_path)
    clock.advance(100)  # the fake engine reports SUCCEEDED; no record: the command may still run
    runtime.tick()
    assert [a["state"] for a in store.attempts_of(job)] == ["fencing"]
    clock.advance(16)
    runtime.tick()
    assert [a["state"] for a in store.attempts_of(job)] == ["lost", "active"]


def test_a_user_cancel_revokes_the_lease(tmp_path: Path) -> None:
    _clock, _backend, _store, runtime, job, _first, directory, _t0 = _setup(tmp_path)
    runtime.request_cancel(job)
    runtime.tick()
    assert revoked_at(directory) is not None


def test_agent_refuses_a_renewal_interval_not_below_the_lease(tmp_path: Path) -> None:
    import subprocess
    import sys

    argv = [
        sys.executable,
        "-m",
        "tender.cli",
        "agent",
        "--state",
        str(tmp_path),
        "--lease",
        "2",
        "--renew",
        "2",
    ]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    assert done.returncode == 2 and "--renew must be positive and below --lease" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "runtime.db").exists()

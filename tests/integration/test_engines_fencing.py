"""Fenced failover on real engines: kill slurmd, the local wrapper, the Ray job supervisor, the raylet
mid-job. Each job appends its own start and end (time.time(), SIGTERM included) to a log; from those
logs alone (`check_logs`, independent of the runtime's state) no two attempts of a job overlap, each
job completes exactly once, and each attempt's billed seconds are within 2 s of its logged run time."""

from __future__ import annotations

import itertools
import os
import signal
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from engines import Paused, all_final, tick_until
from tender.fence.lease import read_pids
from tender.runtime.driver import Runtime
from tender.runtime.session import open_runtime
from tender.runtime.spec import JobSpec

LEASE, RENEW, GRACE = 3.0, 0.5, 2.0
JOB_SECONDS = 8.0  # Slurm: 25 s, longer than slurmctld takes to see a killed slurmd (SlurmdTimeout=10)
JOB = """\
import os, signal, sys, time
log, seconds = sys.argv[1], float(sys.argv[2])
def note(kind):
    with open(log, "a") as out:
        out.write(f"{os.environ['TENDER_ATTEMPT']} {kind} {time.time():.6f}\\n")
def stop(*_):
    note("killed")
    sys.exit(143)
signal.signal(signal.SIGTERM, stop)
note("start")
time.sleep(seconds)
note("done")
"""
POOLS = """\
pools:
  - {{id: {engine}, provider: p-{engine}, gpu: h100, gpus: 2, backend: {backend}}}
  - {{id: local-ci, provider: p-local, gpu: h100, gpus: 2, backend: {{kind: local}}}}
"""
BACKENDS = {
    "slurm-ci": "{kind: slurm, partition: debug}",
    "ray-ci": '{kind: ray, address: "http://127.0.0.1:8265"}',
    "local-a": "{kind: local, gpus: 2}",
}


def check_logs(log_dir: Path, names: list[str]) -> dict[str, dict[int, float]]:
    """From the jobs' own logs: attempts of one job never overlap, each job is done exactly once, every
    attempt that started logged its end. Returns job name -> attempt -> logged run seconds."""
    out: dict[str, dict[int, float]] = {}
    for name in names:
        spans: dict[int, list[float]] = {}
        done = 0
        for line in (log_dir / f"{name}.log").read_text().splitlines():
            attempt, kind, at = line.split()
            spans.setdefault(int(attempt), []).append(float(at))
            done += kind == "done"
        assert done == 1, (name, done)
        assert all(len(s) == 2 for s in spans.values()), (name, spans)  # a start and an end each
        ordered = sorted(spans.items(), key=lambda item: item[1][0])
        for (_, before), (_, after) in itertools.pairwise(ordered):
            assert after[0] >= before[1], (name, "attempts overlap", ordered)
        out[name] = {n: s[1] - s[0] for n, s in spans.items()}
    return out


def _setup(tmp_path: Path, engine: str) -> tuple[Runtime, Path, list[str]]:
    tmp_path.chmod(0o777)
    logs = tmp_path / "logs"
    logs.mkdir(mode=0o777)
    logs.chmod(0o777)
    (tmp_path / "job.py").write_text(JOB)
    pools = tmp_path / "pools.yaml"
    pools.write_text(POOLS.format(engine=engine, backend=BACKENDS[engine]))
    runtime = open_runtime(str(tmp_path / "state"), pools=str(pools), lost_after=20)
    runtime.use_lease(LEASE, RENEW, GRACE)
    return runtime, logs, []


def _run_and_kill(
    runtime: Runtime,
    engine: str,
    logs: Path,
    tmp_path: Path,
    kill: Callable[[Runtime, list[str]], None],
    seconds: float = JOB_SECONDS,
) -> tuple[list[str], list[str]]:
    """Two jobs on `engine` (the local pool paused until the kill), `kill` once both run, drain."""
    local = Paused(runtime.backend("local-ci"))
    runtime.backends["local-ci"] = local
    names = ["one", "two"]
    ids = [
        runtime.submit(
            JobSpec(
                name,
                f"{sys.executable} {tmp_path / 'job.py'} {logs / (name + '.log')} {seconds}",
                gpus=1,
                workload_class="research",
                max_retries=2,
            )
        )
        for name in names
    ]
    started = lambda: all((logs / f"{n}.log").exists() for n in names)  # noqa: E731
    tick_until(runtime, started, timeout=90)
    assert {runtime.store.attempts_of(j)[0]["pool_id"] for j in ids} == {engine}
    time.sleep(1.0)
    kill(runtime, ids)
    local.paused = False
    t0 = time.monotonic()
    moved = lambda: all(len(runtime.store.attempts_of(j)) > 1 for j in ids)  # noqa: E731
    tick_until(runtime, lambda: moved() or all_final(runtime), timeout=120)
    print(f"{engine}: next attempts placed {time.monotonic() - t0:.1f} s after the kill")
    tick_until(runtime, lambda: all_final(runtime), timeout=120)
    return names, ids


def _check(runtime: Runtime, logs: Path, names: list[str], ids: list[str]) -> None:
    logged = check_logs(logs, names)
    usage = {u["attempt_key"]: Decimal(str(u["seconds"])) for u in runtime.store.usage_rows()}
    for name, job in zip(names, ids, strict=True):
        row = runtime.store.job(job)
        assert row is not None and row["state"] == "succeeded", (job, row and row["reason"])
        kinds = [e["kind"] for e in runtime.store.events_of(job)]
        assert kinds.count("finished") == 1
        attempts = runtime.store.attempts_of(job)
        assert len(attempts) >= 2, attempts  # the kill cost an attempt
        for attempt in attempts:
            ran = logged[name].get(attempt["number"])
            if ran is None:  # never started its command: billed nothing (or its wrapper's instant)
                assert usage.get(attempt["key"], Decimal(0)) < 1, attempt
                continue
            billed = float(usage[attempt["key"]])
            assert abs(billed - ran) <= 2.0, (attempt["key"], billed, ran)


def _wrapper_pid(runtime: Runtime, job: str, role: str = "wrapper") -> int:
    attempt = runtime.store.attempts_of(job)[-1]
    lease = runtime.lease_of(attempt["pool_id"])
    assert lease is not None
    return read_pids(lease.dir(attempt["key"]))[role]


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def test_slurmd_killed_mid_job_no_attempt_overlaps(slurm_restored: object, tmp_path: Path) -> None:
    import engines

    runtime, logs, _ = _setup(tmp_path, "slurm-ci")

    def kill(_runtime: Runtime, _ids: list[str]) -> None:
        os.kill(int(Path("/run/slurmd.pid").read_text()), signal.SIGKILL)

    names, ids = _run_and_kill(runtime, "slurm-ci", logs, tmp_path, kill, seconds=25)
    engines.ensure_slurm_up()
    _check(runtime, logs, names, ids)


def test_local_wrapper_killed_no_attempt_overlaps(tmp_path: Path) -> None:
    runtime, logs, _ = _setup(tmp_path, "local-a")

    def kill(runtime: Runtime, ids: list[str]) -> None:
        for job in ids:  # the wrapper process only, not its group
            os.kill(_wrapper_pid(runtime, job), signal.SIGKILL)

    names, ids = _run_and_kill(runtime, "local-a", logs, tmp_path, kill)
    _check(runtime, logs, names, ids)


def test_ray_job_supervisor_killed_no_attempt_overlaps(ray_restored: object, tmp_path: Path) -> None:
    runtime, logs, _ = _setup(tmp_path, "ray-ci")

    def kill(runtime: Runtime, ids: list[str]) -> None:
        for job in ids:
            supervisor = _parent(_wrapper_pid(runtime, job))
            assert "JobSupervisor" in Path(f"/proc/{supervisor}/cmdline").read_text(), supervisor
            os.kill(supervisor, signal.SIGKILL)

    names, ids = _run_and_kill(runtime, "ray-ci", logs, tmp_path, kill)
    _check(runtime, logs, names, ids)


def test_raylet_killed_no_attempt_overlaps(ray_restored: object, tmp_path: Path) -> None:
    import engines

    runtime, logs, _ = _setup(tmp_path, "ray-ci")

    def kill(runtime: Runtime, ids: list[str]) -> None:
        supervisor = _parent(_wrapper_pid(runtime, ids[0]))
        raylet = _parent(supervisor)  # Ray's workers are the raylet's children
        assert Path(f"/proc/{raylet}/comm").read_text().strip() == "raylet", raylet
        os.kill(raylet, signal.SIGKILL)

    names, ids = _run_and_kill(runtime, "ray-ci", logs, tmp_path, kill)
    engines.ensure_ray_up()
    _check(runtime, logs, names, ids)

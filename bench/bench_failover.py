"""Failover time of fenced attempts: kill -> the job's next attempt starts its command, per backend.

Per backend, ROUNDS rounds of: queue one 1-GPU job of 120 s on the engine's pool (a local `spare` pool
is held back until the kill), wait for the command's own "start" line, kill, tick until the second
attempt's command logs its start, cancel, drain. Kills: `local` SIGKILL of the fence wrapper only;
`slurm` SIGKILL of slurmd (restarted with tools/ci/slurm-up.sh after the round); `ray` SIGKILL of the
Ray job supervisor. Baseline in the same run: queue -> start of each round's first attempt (placement
plus the engine's start-up, no failure). Times are the jobs' own time.time() stamps.

Engines must be up (tools/ci/slurm-up.sh, RAY_VENV=.venv tools/ci/ray-up.sh); run as root:

    .venv/bin/python bench/bench_failover.py [--rounds 10] [--backends local,slurm,ray]
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from tender.fence.lease import read_pids
from tender.ports import Backend, CapacityReport, Reachability, RunRequest, RunStatus
from tender.runtime.driver import Runtime
from tender.runtime.session import open_runtime
from tender.runtime.spec import JobSpec

REPO = Path(__file__).resolve().parents[1]
LEASE, RENEW, GRACE, INTERVAL, LOST_AFTER = 3.0, 0.5, 2.0, 0.5, 20.0
JOB = """\
import os, signal, sys, time
def note(kind):
    with open(sys.argv[1], "a") as out:
        out.write(f"{os.environ['TENDER_ATTEMPT']} {kind} {time.time():.6f}\\n")
signal.signal(signal.SIGTERM, lambda *_: (note("killed"), sys.exit(143)))
note("start")
time.sleep(float(sys.argv[2]))
note("done")
"""
ENGINE = {
    "local": "{kind: local, gpus: 2}",
    "slurm": "{kind: slurm, partition: debug}",
    "ray": '{kind: ray, address: "http://127.0.0.1:8265"}',
}


class Held:
    """A backend reported degraded while `held`, so the first attempt goes to the engine under test."""

    def __init__(self, inner: Backend) -> None:
        self.inner, self.kind, self.held = inner, inner.kind, True
        self.lease = getattr(inner, "lease", None)

    def submit(self, request: RunRequest) -> str:
        return self.inner.submit(request)

    def find(self, key: str) -> str | None:
        return self.inner.find(key)

    def status(self, handles: Sequence[str]) -> Mapping[str, RunStatus]:
        return self.inner.status(handles)

    def cancel(self, handle: str) -> None:
        self.inner.cancel(handle)

    def logs(self, handle: str) -> str:
        return self.inner.logs(handle)

    def capacity(self) -> CapacityReport:
        return CapacityReport(Reachability.DEGRADED, reason="held") if self.held else self.inner.capacity()


def _stamps(log: Path, kinds: tuple[str, ...]) -> dict[int, float]:
    out: dict[int, float] = {}
    if log.exists():
        for line in log.read_text().splitlines():
            attempt, kind, at = line.split()
            if kind in kinds:
                out[int(attempt)] = float(at)
    return out


def _starts(log: Path) -> dict[int, float]:
    return _stamps(log, ("start",))


def _overlapped(log: Path) -> bool:
    """From the job's own log: did attempt 2 start before attempt 1 logged its end (or with no end)?"""
    ends = _stamps(log, ("killed", "done"))
    return 1 not in ends or _starts(log)[2] < ends[1]


def _tick_until(runtime: Runtime, done: object, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runtime.tick()
        if done():  # type: ignore[operator]
            return
        time.sleep(INTERVAL)
    raise RuntimeError(f"not done in {timeout} s: {[(j['id'], j['reason']) for j in runtime.store.jobs()]}")


def _kill(backend: str, runtime: Runtime, job: str) -> None:
    attempt = runtime.store.attempts_of(job)[-1]
    lease = runtime.lease_of(attempt["pool_id"])
    assert lease is not None
    wrapper = read_pids(lease.dir(attempt["key"]))["wrapper"]
    if backend == "local":
        os.kill(wrapper, signal.SIGKILL)
    elif backend == "slurm":
        os.kill(int(Path("/run/slurmd.pid").read_text()), signal.SIGKILL)
    else:
        supervisor = int(Path(f"/proc/{wrapper}/stat").read_text().rsplit(")", 1)[1].split()[1])
        os.kill(supervisor, signal.SIGKILL)


def _restore(backend: str) -> None:
    if backend == "slurm":
        subprocess.run([str(REPO / "tools/ci/slurm-up.sh")], check=True, capture_output=True)


def one_backend(backend: str, rounds: int, work: Path) -> tuple[list[float], list[float]]:
    work.mkdir(mode=0o777)
    work.chmod(0o777)
    (work / "job.py").write_text(JOB)
    pools = work / "pools.yaml"
    pools.write_text(
        "pools:\n"
        f"  - {{id: engine, provider: p1, gpu: h100, gpus: 2, backend: {ENGINE[backend]}}}\n"
        "  - {id: spare, provider: p2, gpu: h100, gpus: 2, backend: {kind: local}}\n"
    )
    runtime = open_runtime(str(work / "state"), pools=str(pools), lost_after=LOST_AFTER)
    runtime.use_lease(LEASE, RENEW, GRACE)
    spare = Held(runtime.backend("spare"))
    runtime.backends["spare"] = spare
    baseline, failover, where, detected, overlaps = [], [], [], [], 0
    for n in range(rounds):
        log = work / f"r{n}.log"
        spare.held = True
        queued = time.time()
        job = runtime.submit(
            JobSpec(f"r{n}", f"{sys.executable} {work / 'job.py'} {log} 120", gpus=1, max_retries=3)
        )
        _tick_until(runtime, lambda: 1 in _starts(log), timeout=90)  # noqa: B023
        baseline.append(_starts(log)[1] - queued)
        time.sleep(1.0)
        killed = time.time()
        _kill(backend, runtime, job)
        spare.held = False
        _tick_until(runtime, lambda: 2 in _starts(log), timeout=120)  # noqa: B023
        failover.append(_starts(log)[2] - killed)
        where.append(runtime.store.attempts_of(job)[1]["pool_id"])
        moves = [e["at"] for e in runtime.store.events_of(job) if e["kind"] in ("fencing", "requeued")]
        detected.append(min(moves) - killed)  # the runtime fenced (or, with a record, requeued) it
        runtime.request_cancel(job)
        _tick_until(runtime, lambda: not runtime.store.jobs(["queued", "running"]), timeout=60)
        _restore(backend)
        overlaps += _overlapped(log)
        print(
            f"{backend} round {n}: baseline {baseline[-1]:.2f} s, failover {failover[-1]:.2f} s "
            f"(detected after {detected[-1]:.2f} s)",
            flush=True,
        )
    runtime.store.close()
    print(
        f"{backend}: next attempts ran on {sorted(where)}; detection median {statistics.median(detected):.2f} s;"
        f" rounds where attempt 2 started before attempt 1 ended: {overlaps}"
    )
    return baseline, failover


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--backends", default="local,slurm,ray")
    args = parser.parse_args()
    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"settings: lease {LEASE} s, renew {RENEW} s, kill grace {GRACE} s, tick {INTERVAL} s")
    rows = []
    with tempfile.TemporaryDirectory(prefix="tender-failover-") as tmp:
        Path(tmp).chmod(0o777)
        for backend in args.backends.split(","):
            base, fail = one_backend(backend, args.rounds, Path(tmp) / backend)
            rows.append(
                f"| {backend} | {len(fail)} | {statistics.median(base):.2f} | {statistics.median(fail):.2f} "
                f"| {max(fail):.2f} | {statistics.median(fail) / statistics.median(base):.1f}x |"
            )
    print(
        "| backend | kills | baseline: queue -> start, median s | failover: kill -> next start, median s "
        "| max s | median / baseline |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()

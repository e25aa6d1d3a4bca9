"""One capacity truth per engine (issue 14, observation 3): pools of several providers on one engine of 2 GPUs
never run more than 2 GPU-jobs at once, and each job gets distinct devices.

1. Real local processes, `examples/local-lab.yaml` (three providers' pools, one local engine of 2 GPUs):
   jobs append their start, end and `CUDA_VISIBLE_DEVICES` to a log; the check reads only that log.
2. Hypothesis: random pools sharing random fake engines, random jobs over ticks; the check reads only the
   engines' own records (what each fake engine was asked to run, with the env it got).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tender.backends import FakeBackend
from tender.clocks import ManualClock, SystemClock
from tender.domain.provider import BackendSpec
from tender.ports import RunRequest, RunState
from tender.runtime.driver import Runtime
from tender.runtime.pools import PoolConfig, RuntimeConfig, from_scenario
from tender.runtime.spec import JobSpec
from tender.runtime.store import Store

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "local-lab.yaml"


def _intervals(log: Path) -> dict[str, tuple[float, float, frozenset[str]]]:
    starts: dict[str, tuple[float, frozenset[str]]] = {}
    out: dict[str, tuple[float, float, frozenset[str]]] = {}
    for line in log.read_text().splitlines():
        kind, job, at, devices = [*line.split(" "), ""][:4]
        if kind == "start":
            assert job not in starts, f"{job} started twice"
            starts[job] = (float(at), frozenset(d for d in devices.split(",") if d))
        else:
            out[job] = (starts[job][0], float(at), starts[job][1])
    return out


def test_three_pools_on_one_local_engine_of_two_gpus(tmp_path: Path) -> None:
    config = from_scenario(EXAMPLE.read_text(), str(EXAMPLE))
    assert len(config.pools) == 3 and {p.gpus for p in config.pools} == {2}
    store = Store(f"sqlite:///{tmp_path / 'rt.db'}")
    runtime = Runtime(store, config, SystemClock(), tmp_path / "state")
    log = tmp_path / "jobs.log"
    command = (
        f'echo "start $TENDER_JOB_ID $(date +%s.%N) $CUDA_VISIBLE_DEVICES" >> {log}; sleep 1.2; '
        f'echo "end $TENDER_JOB_ID $(date +%s.%N)" >> {log}'
    )
    try:
        ids = [runtime.submit(JobSpec(f"j{i}", command, gpus=1, accelerators=("h100",))) for i in range(5)]
        ids.append(runtime.submit(JobSpec("pair", command, gpus=2, accelerators=("h100",))))
        ids.append(runtime.submit(JobSpec("api", command, 1, ("h100",), "inference", "api-serving")))
        deadline = time.monotonic() + 90
        while store.jobs(["queued", "running"]) and time.monotonic() < deadline:
            runtime.tick()
            time.sleep(0.2)
        assert {j["id"]: j["state"] for j in store.jobs()} == dict.fromkeys(ids, "succeeded")
        used = {a["pool_id"] for j in ids for a in store.attempts_of(j)}
        assert "primary-cloud/H100/us-central" in used and len(used) >= 2  # api-serving: c-api-exclusive
    finally:
        store.close()
    runs = _intervals(log)
    assert set(runs) == set(ids)
    for job, (start, end, devices) in runs.items():
        assert devices <= {"0", "1"} and len(devices) == (2 if job.startswith("pair") else 1), (job, devices)
        assert start < end
        # at the moment each job started, what ran with it
        with_it = [o for o, (s, e, _) in runs.items() if o != job and s <= start < e]
        gpus = len(devices) + sum(len(runs[o][2]) for o in with_it)
        assert gpus <= 2, (job, with_it)
        for other in with_it:
            assert not devices & runs[other][2], (job, other, devices, runs[other][2])


@st.composite
def shared_fakes(draw: st.DrawFn) -> tuple[list[tuple[str, int, int]], list[int]]:
    """Pools as (pool id, engine index, share) over engines of random sizes; jobs as GPU counts."""
    n_engines = draw(st.integers(1, 3))
    pools = [
        (f"p{i}", draw(st.integers(0, n_engines - 1)), draw(st.integers(1, 4)))
        for i in range(draw(st.integers(1, 5)))
    ]
    jobs = draw(st.lists(st.integers(1, 3), min_size=1, max_size=12))
    return pools, jobs


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shared_fakes(), st.lists(st.integers(1, 4), min_size=3, max_size=3), st.integers(0, 50))
def test_pools_sharing_fake_engines_never_oversubscribe_nor_share_devices(
    layout: tuple[list[tuple[str, int, int]], list[int]], sizes: list[int], seed: int
) -> None:
    pool_specs, job_gpus = layout
    clock = ManualClock()
    engines = [FakeBackend(clock, gpus=size, default_seconds=60) for size in sizes]
    pools = tuple(
        PoolConfig(p, f"prov-{p}", "r", "h100", share, BackendSpec("fake")) for p, _, share in pool_specs
    )
    backends = {p: engines[e] for p, e, _ in pool_specs}
    for engine in engines:  # job ids are NAME-N
        engine.durations.update({f"j{k}-{k + 1}": 30 + (seed * (k + 1)) % 90 for k in range(len(job_gpus))})
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(f"sqlite:///{Path(tmp) / 'rt.db'}")
        try:
            runtime = Runtime(
                store, RuntimeConfig(pools), clock, Path(tmp), backends=backends, lost_after=1e9
            )
            for k, gpus in enumerate(job_gpus):
                runtime.submit(JobSpec(f"j{k}", "true", gpus=gpus))
            for _ in range(25):
                runtime.tick()
                for engine in {id(e): e for e in backends.values()}.values():
                    _check_engine(engine)
                clock.advance(20)
        finally:
            store.close()


def _check_engine(engine: FakeBackend) -> None:
    """From the engine's own records: running GPUs <= its GPUs; running attempts hold disjoint devices."""
    running = [r for h, r in engine.runs.items() if engine._one(h).state is RunState.RUNNING]
    assert sum(r.request.gpus for r in running) <= engine.gpus
    held: set[str] = set()
    for run in running:
        devices = set(run.request.env["CUDA_VISIBLE_DEVICES"].split(","))
        assert len(devices) == run.request.gpus and devices <= {str(d) for d in range(engine.gpus)}
        assert not devices & held, (devices, held)
        held |= devices


def test_what_others_run_on_the_engine_counts(tmp_path: Path) -> None:
    """Hand-checked: an engine of 4 GPUs running 3 GPUs of someone else's work has 1 free, whatever the pools'
    shares (2 + 2): Tender places one 1-GPU job, and the second waits for capacity."""
    clock = ManualClock()
    engine = FakeBackend(clock, gpus=4, default_seconds=100)
    engine.submit(RunRequest("foreign", "foreign", 1, "sleep", gpus=3))  # not Tender's
    pools = tuple(PoolConfig(p, f"prov-{p}", "r", "h100", 2, BackendSpec("fake")) for p in ("a", "b"))
    store = Store(f"sqlite:///{tmp_path / 'rt.db'}")
    try:
        runtime = Runtime(
            store, RuntimeConfig(pools), clock, tmp_path, backends=dict.fromkeys(("a", "b"), engine)
        )
        first, second = (runtime.submit(JobSpec(n, "true", gpus=1)) for n in ("first", "second"))
        runtime.tick()
        states = {j["id"]: (j["state"], j["reason_code"]) for j in store.jobs()}
        assert states == {first: ("running", None), second: ("queued", "capacity")}
        assert engine.runs[store.attempts_of(first)[0]["handle"]].request.env["CUDA_VISIBLE_DEVICES"] == "0"
        clock.advance(100)  # the foreign work and the first job end: the second runs
        runtime.tick()
        runtime.tick()
        assert store.job(second)["state"] in ("running", "succeeded")  # type: ignore[index]
    finally:
        store.close()

"""Event heap, replay loop: completions, gang, preemption, failover, rejection, determinism."""

from __future__ import annotations

import json
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from tender.placement import JobRequest, Policy, PolicyName, Pool, Reason
from tender.sim.events import Event, EventHeap, Kind
from tender.sim.faults import Fault, seeded_faults
from tender.sim.metrics import summarize
from tender.sim.runner import replay


def pool(pid: str, count: int = 4, gpu: str = "g", provider: str = "p", preemptible: bool = False) -> Pool:
    return Pool(pid, provider, "r", gpu, count, Decimal("2.00"), preemptible=preemptible)


def job(jid: str, arrival: float, work: float, gpus: int = 1, **kw: object) -> JobRequest:
    return JobRequest(id=jid, gpus=gpus, arrival=arrival, work=work, **kw)  # type: ignore[arg-type]


def test_heap_orders_by_time_then_priority_then_insertion() -> None:
    heap = EventHeap()
    for event in (
        Event(5.0, Kind.ARRIVAL, "late"),
        Event(1.0, Kind.TICK, "tick"),
        Event(1.0, Kind.ARRIVAL, "a1"),
        Event(1.0, Kind.COMPLETION, "c"),
        Event(1.0, Kind.ARRIVAL, "a2"),
    ):
        heap.push(event)
    assert [heap.pop().subject for _ in range(5)] == ["c", "a1", "a2", "tick", "late"]


def test_fifo_replay_hand_checked() -> None:
    # 2 GPUs. j1 (2 GPUs, 10 s) at 0; j2 (1 GPU, 5 s) at 1 waits until 10; j3 (1 GPU, 5 s) at 2 too.
    out = replay([job("j1", 0, 10, 2), job("j2", 1, 5), job("j3", 2, 5)], [pool("p", 2)], Policy())
    finish = {k: r.finish for k, r in out.runs.items()}
    assert finish == {"j1": 10.0, "j2": 15.0, "j3": 15.0}
    summary = summarize(out, [pool("p", 2)])
    assert summary["avg_jct_hours"] == round((10 + 14 + 13) / 3 / 3600, 6)
    assert summary["gpu_hours"] == round(30 / 3600, 6)
    assert summary["cost_usd"] == "0.02"  # 30 GPU-seconds at $2/h = $0.0167


def test_job_larger_than_any_pool_is_rejected_not_left_waiting() -> None:
    out = replay([job("huge", 0, 10, gpus=16), job("ok", 0, 10)], [pool("p", 8)], Policy())
    assert out.rejected["huge"].reason is Reason.GANG
    assert out.runs["ok"].finish == 10.0
    assert summarize(out, [pool("p", 8)])["rejected"][0]["reason"] == "gang"


def test_outage_evicts_and_fails_over_with_restore_overhead() -> None:
    pools = [pool("a", 2), pool("b", 2, provider="q")]
    faults = [Fault("a", 4.0, 100.0)]
    out = replay([job("j", 0, 10, 2)], pools, Policy(PolicyName.FIFO_HET, restore_seconds=3), faults=faults)
    run = out.runs["j"]
    assert run.preemptions == 1 and run.failovers == 1
    # 4 s done on a, 6 s left on b after 3 s restore: 4 + 3 + 6 = 13.
    assert run.finish == 13.0
    assert out.gpu_seconds == {"a": 8.0, "b": 18.0}


def test_failover_respects_contracts() -> None:
    from tender.placement import ContractRules

    pools = [pool("a", 2, provider="azure"), pool("b", 2, provider="other")]
    rules = ContractRules(exclusivity={"secret": "azure"})
    out = replay(
        [job("j", 0, 10, 2, workload="secret")],
        pools,
        Policy(PolicyName.FIFO_HET),
        eligibility=rules,
        faults=[Fault("a", 4.0, 20.0)],
    )
    run = out.runs["j"]
    assert run.failovers == 0 and run.finish == 26.0  # waits for its only allowed pool to return


def test_las_het_rounds_time_share_one_gpu() -> None:
    # Two 720 s jobs on one GPU with 360 s rounds: they alternate, both finish by 1440 s.
    jobs = [job("a", 0, 720, throughput={"g": 1.0}), job("b", 0, 720, throughput={"g": 1.0})]
    out = replay(jobs, [pool("p", 1)], Policy(PolicyName.LAS_HET, round_seconds=360))
    assert sorted(r.finish for r in out.runs.values()) == [1080.0, 1440.0]
    assert sum(r.preemptions for r in out.runs.values()) >= 1


def test_seeded_faults_are_reproducible() -> None:
    pools = [pool("a", preemptible=True), pool("b")]
    one = seeded_faults(pools, 86400 * 10, 7, outages_per_day=0.5, spot_reclaims_per_day=2)
    two = seeded_faults(pools, 86400 * 10, 7, outages_per_day=0.5, spot_reclaims_per_day=2)
    assert one == two and any(f.kind == "spot" for f in one)
    assert all(f.pool_id == "a" for f in one if f.kind == "spot")


jobs_strategy = st.lists(
    st.tuples(
        st.integers(0, 500), st.integers(1, 400), st.sampled_from([1, 1, 2, 4]), st.sampled_from(["g", "h"])
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=25, deadline=None)
@given(jobs_strategy, st.sampled_from(list(PolicyName)), st.integers(0, 3))
def test_replay_is_deterministic_and_conserves_jobs(
    rows: list[tuple[int, int, int, str]], policy: PolicyName, seed: int
) -> None:
    pools = [pool("a", 4, "g"), pool("b", 4, "h", preemptible=True)]
    jobs = sorted(
        (
            job(
                f"j{i}",
                arr,
                work,
                gpus,
                throughput={"g": 1.0, "h": 0.5} if fav == "g" else {"g": 0.5, "h": 1.0},
            )
            for i, (arr, work, gpus, fav) in enumerate(rows)
        ),
        key=lambda j: (j.arrival, j.id),
    )
    faults = seeded_faults(pools, 2000, seed, spot_reclaims_per_day=100.0, mean_duration_s=60)
    runs = [
        json.dumps(
            summarize(
                replay(jobs, pools, Policy(policy, seed=seed, restore_seconds=5), faults=faults), pools
            ),
            sort_keys=True,
        )
        for _ in range(2)
    ]
    assert runs[0] == runs[1]
    summary = json.loads(runs[0])
    assert summary["jobs_completed"] + summary["jobs_rejected"] == len(jobs)
    assert 0.0 <= summary["utilization"] <= 1.0

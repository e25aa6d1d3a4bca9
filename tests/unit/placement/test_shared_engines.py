"""Pools that draw on one engine: a round never places more GPUs on an engine than it has free, nor more
on a pool than its share (hypothesis: random pools sharing random engines, random queues, every policy),
and a hand-checked case (three pools of 2 on one engine of 2)."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st
from placement_builders import job, pool, state

from tender.placement import ClusterState, Policy, PolicyName, Reason, RunningJob, schedule_round


def test_three_pools_of_two_on_one_engine_of_two_place_two_jobs() -> None:
    pools = [pool(f"p{i}", "h100", 2, provider=f"prov-{i}") for i in range(3)]
    queued = [job(f"j{i}", arrival=float(i)) for i in range(6)]
    shared = replace(
        state(pools, queued), engine_of={p.id: "machine" for p in pools}, engine_free={"machine": 2}
    )
    result = schedule_round(shared, 0.0, Policy(PolicyName.FIFO_HET, backfill=True))
    assert len(result.placements) == 2  # not 6: the engine has 2 GPUs whatever the pools' shares say
    waiting = result.verdict("j5")
    assert waiting.reason is Reason.CAPACITY
    alone = schedule_round(state(pools, queued), 0.0, Policy(PolicyName.FIFO_HET, backfill=True))
    assert len(alone.placements) == 6  # without the engine map each pool is its own engine


@st.composite
def shared_cluster(draw: st.DrawFn) -> ClusterState:
    n_engines = draw(st.integers(1, 3))
    engine_free = {f"e{e}": draw(st.integers(0, 6)) for e in range(n_engines)}
    n_pools = draw(st.integers(1, 5))
    pools = [
        pool(f"p{i}", draw(st.sampled_from(["h100", "a100"])), draw(st.integers(1, 6)), provider=f"v{i}")
        for i in range(n_pools)
    ]
    # some pools draw on an engine, others stand alone
    engine_of = {
        p.id: f"e{draw(st.integers(0, n_engines - 1))}" for p in pools if draw(st.booleans()) or n_pools == 1
    }
    free = {p.id: draw(st.integers(0, p.count)) for p in pools}
    n_jobs = draw(st.integers(0, 10))
    queued = [
        job(f"j{k}", gpus=draw(st.integers(1, 4)), arrival=float(k), throughput={"h100": 2.0, "a100": 1.0})
        for k in range(n_jobs)
    ]
    running: list[RunningJob] = []
    extra = []
    for k in range(draw(st.integers(0, 3))):  # jobs already running (las_het may move or keep them)
        where = draw(st.sampled_from(pools))
        running.append(RunningJob(f"r{k}", where.id, 1, 0.0))
        extra.append(job(f"r{k}", gpus=1, arrival=-1.0 - k, throughput={"h100": 2.0, "a100": 1.0}))
    base = state(pools, queued, free=free, running=running, extra_jobs=extra)
    return replace(base, engine_of=engine_of, engine_free=engine_free)


@settings(max_examples=300, deadline=None)
@given(shared_cluster(), st.sampled_from(list(PolicyName)), st.booleans())
def test_no_engine_and_no_pool_is_oversubscribed(
    cluster: ClusterState, name: PolicyName, backfill: bool
) -> None:
    result = schedule_round(cluster, 100.0, Policy(name, backfill=backfill))
    gpus_of = {j.id: j.gpus for j in cluster.jobs.values()}
    if name is PolicyName.LAS_HET:  # the whole round is reassigned: what stays plus what starts
        moved = {p.job_id for p in result.preemptions}
        kept = [r for r in cluster.running.values() if r.job_id not in moved]
        on_pool = Counter({p.id: 0 for p in cluster.pools})
        for r in kept:
            on_pool[r.pool_id] += r.gpus
        for p in result.placements:
            on_pool[p.pool_id] += gpus_of[p.job_id]
        limit_pool = {p.id: p.count for p in cluster.pools}
        limit_engine = dict(cluster.engine_free)
        for r in cluster.running.values():
            if r.pool_id in cluster.engine_of:
                limit_engine[cluster.engine_of[r.pool_id]] += r.gpus
    else:
        on_pool = Counter({p.pool_id: 0 for p in result.placements})
        for p in result.placements:
            on_pool[p.pool_id] += gpus_of[p.job_id]
        limit_pool = dict(cluster.free)
        limit_engine = dict(cluster.engine_free)
    for pool_id, used in on_pool.items():
        assert used <= limit_pool[pool_id], (pool_id, used, limit_pool)
    on_engine: Counter[str] = Counter()
    for pool_id, used in on_pool.items():
        if pool_id in cluster.engine_of:
            on_engine[cluster.engine_of[pool_id]] += used
    for engine, used in on_engine.items():
        assert used <= limit_engine[engine], (engine, used, limit_engine)
    assert len({p.job_id for p in result.placements}) == len(result.placements)  # each job placed once

"""Each policy's decisions on small hand-checked cases (table-driven)."""

from __future__ import annotations

import pytest
from placement_builders import MakeCase, MakeJob, MakePool, PolicyCase, job, pool, state

from tender.placement import (
    ContractRules,
    JobRequest,
    Placement,
    Policy,
    PolicyName,
    Reason,
    RunningJob,
    admit,
    parse_policy,
    schedule_round,
)
from tender.placement.policy import UnknownPolicy

V100 = MakePool("a-v100").gpu("v100").count(4).price("3.00").obj()
K80 = MakePool("b-k80").gpu("k80").count(4).price("0.50").obj()
FAST_ON_V100 = {"v100": 4.0, "k80": 1.0}
FAST_ON_K80 = {"v100": 1.0, "k80": 2.0}

CASES = [
    MakeCase("fifo_het puts each job on its fastest type")
    .policy(PolicyName.FIFO_HET)
    .pools(V100, K80)
    .queued(MakeJob("j1").throughput(FAST_ON_K80), MakeJob("j2").arrival(1).throughput(FAST_ON_V100))
    .expect({"j1": "b-k80", "j2": "a-v100"})
    .obj(),
    MakeCase("fifo_het falls back to the slower type when the fast one is full")
    .policy(PolicyName.FIFO_HET)
    .pools(V100, K80)
    .queued(MakeJob("j1").throughput(FAST_ON_V100))
    .free({"a-v100": 0, "b-k80": 4})
    .expect({"j1": "b-k80"})
    .obj(),
    MakeCase("cost_het picks the cheapest cost per unit of work (k80: 0.50/1 < v100: 3.00/4)")
    .policy(PolicyName.COST_HET)
    .pools(V100, K80)
    .queued(MakeJob("j1").throughput(FAST_ON_V100))
    .expect({"j1": "b-k80"})
    .obj(),
    MakeCase("cost_het pays for speed when the cheap pool would miss the deadline")
    .policy(PolicyName.COST_HET)
    .pools(V100, K80)
    .queued(MakeJob("j1").work(400.0).throughput(FAST_ON_V100).deadline(200.0))
    .expect({"j1": "a-v100"})
    .obj(),
    MakeCase("backfill lets a small job pass a gang that does not fit now")
    .policy(PolicyName.FIFO_HET)
    .pools(V100)
    .queued(MakeJob("big").gpus(4), MakeJob("small").gpus(1).arrival(1))
    .free({"a-v100": 2})
    .expect({"small": "a-v100"})
    .obj(),
    MakeCase("fifo fills in arrival order until capacity runs out")
    .policy(PolicyName.FIFO)
    .pools(V100)
    .queued(MakeJob("j1").gpus(2), MakeJob("j2").gpus(2).arrival(1), MakeJob("j3").gpus(1).arrival(2))
    .expect({"j1": "a-v100", "j2": "a-v100"})
    .obj(),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_policy_decisions(case: PolicyCase) -> None:
    result = schedule_round(state(case.pools, case.queued, case.free), 0.0, Policy(case.policy))
    assert {p.job_id: p.pool_id for p in result.placements} == case.expected
    for j in case.queued:
        if j.id not in case.expected:
            assert not result.verdict(j.id).ok


def test_strict_fifo_blocks_behind_the_head() -> None:
    result = schedule_round(
        state([V100], [job("big", gpus=4), job("small", arrival=1)], {"a-v100": 2}),
        0.0,
        Policy(PolicyName.FIFO, backfill=False),
    )
    assert result.placements == ()
    assert result.verdict("big").reason is Reason.CAPACITY
    assert result.verdict("small").reason is Reason.ORDER


def test_fifo_random_choice_is_seeded() -> None:
    pools = [pool(f"p{i}", count=4) for i in range(6)]
    queued = [job(f"j{i}", arrival=i) for i in range(6)]
    picks = [
        tuple(p.pool_id for p in schedule_round(state(pools, queued), 5.0, Policy(seed=s)).placements)
        for s in (1, 1, 2)
    ]
    assert picks[0] == picks[1]
    assert len(set(picks)) == 2  # a different seed gives a different (heterogeneity-agnostic) choice


def test_gang_is_all_or_nothing_on_one_pool() -> None:
    # 4 + 4 free GPUs in two pools, but the 6-GPU gang needs them on one pool.
    pools = [pool("x", count=4), pool("y", count=8)]
    result = schedule_round(
        state(pools, [job("g", gpus=6)], {"x": 4, "y": 4}), 0.0, Policy(PolicyName.FIFO_HET)
    )
    assert result.placements == ()
    assert result.verdict("g").reason is Reason.CAPACITY
    placed = schedule_round(state(pools, [job("g", gpus=6)]), 0.0, Policy(PolicyName.FIFO_HET))
    assert placed.placements == (Placement("g", "y", 6),)


@pytest.mark.parametrize(
    ("request_", "reason"),
    [
        (job("huge", gpus=16), Reason.GANG),
        (job("typed", gpu_types=frozenset({"h100"})), Reason.GPU_TYPE),
        (job("nothru", throughput={"h100": 3.0}), Reason.GPU_TYPE),
        (job("eu", regions=frozenset({"eu"})), Reason.RESIDENCY),
    ],
)
def test_admit_reports_jobs_that_can_never_fit(request_: JobRequest, reason: Reason) -> None:
    verdict = admit(request_, [V100, K80], lambda j, p: ContractRules()(j, p))
    assert not verdict.ok and verdict.never and verdict.reason is reason


def test_mixed_static_reasons_say_no_pool_fits() -> None:
    j = job("mixed", gpus=5, gpu_types=frozenset({"v100"}))
    verdict = admit(j, [V100, K80], ContractRules())
    assert (
        verdict.reason is Reason.NO_POOL_FITS
        and "gang=1" in verdict.detail
        and "gpu_type=1" in verdict.detail
    )


def test_contract_rules_exclusivity_and_residency() -> None:
    azure = MakePool("az").provider("azure").region("us").count(4).price("1").obj()
    other = MakePool("ot").provider("other").region("eu").count(4).price("1").obj()
    rules = ContractRules(exclusivity={"gpt": "azure"}, residency={"eu-data": frozenset({"eu"})})
    s = state([azure, other], [job("a", workload="gpt"), job("b", arrival=1, workload="eu-data")])
    result = schedule_round(s, 0.0, Policy(PolicyName.FIFO_HET), rules)
    assert {p.job_id: p.pool_id for p in result.placements} == {"a": "az", "b": "ot"}
    assert rules(job("x", workload="gpt"), other).reason is Reason.EXCLUSIVITY
    assert rules(job("y", workload="eu-data"), azure).reason is Reason.RESIDENCY


def test_outage_pools_are_skipped() -> None:
    result = schedule_round(
        state([V100, K80], [job("j", throughput=FAST_ON_V100)], down=frozenset({"a-v100"})),
        0.0,
        Policy(PolicyName.FIFO_HET),
    )
    assert result.placements == (Placement("j", "b-k80", 1),)


def test_las_het_time_shares_and_preempts() -> None:
    # One V100 GPU, two identical jobs: the LP gives each half; the one not yet served goes first,
    # so the running job is preempted in favour of the other.
    one = MakePool("v").gpu("v100").count(1).obj()
    a = job("a", throughput={"v100": 1.0})
    b = job("b", arrival=0.0, throughput={"v100": 1.0})
    s = state(
        [one],
        [b],
        free={"v": 0},
        running=[RunningJob("a", "v", 1, 0.0)],
        attained={"a": {"v100": 360.0}},
        extra_jobs=[a],
    )
    result = schedule_round(s, 360.0, Policy(PolicyName.LAS_HET))
    assert result.allocation is not None
    assert result.allocation.fractions["a"] == pytest.approx({"v100": 0.5})
    assert [(p.job_id, p.pool_id) for p in result.preemptions] == [("a", "v")]
    assert result.placements == (Placement("b", "v", 1),)
    assert result.verdict("a").reason is Reason.FAIR_SHARE


def test_las_het_sends_each_job_where_it_is_relatively_fastest() -> None:
    s = state(
        [MakePool("v").gpu("v100").count(1).obj(), MakePool("k").gpu("k80").count(1).obj()],
        [job("x", throughput=FAST_ON_V100), job("y", arrival=1, throughput=FAST_ON_K80)],
    )
    result = schedule_round(s, 0.0, Policy(PolicyName.LAS_HET))
    assert {p.job_id: p.pool_id for p in result.placements} == {"x": "v", "y": "k"}


def test_las_het_reuses_the_allocation_while_the_job_set_holds() -> None:
    s = state([V100], [job("a"), job("b", arrival=1)])
    first = schedule_round(s, 0.0, Policy(PolicyName.LAS_HET))
    again = schedule_round(
        state([V100], [job("a"), job("b", arrival=1)]).__class__(
            **{**s.__dict__, "allocation": first.allocation}
        ),
        360.0,
        Policy(PolicyName.LAS_HET),
    )
    assert again.allocation is first.allocation


def test_unknown_policy() -> None:
    with pytest.raises(UnknownPolicy, match="unknown policy 'sjf'"):
        parse_policy("sjf")

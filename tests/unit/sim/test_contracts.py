"""Contract-aware placement from a scenario: verdicts come from the contract engine, with its codes."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tender.cli.app import app
from tender.config import load_scenario
from tender.domain import Scenario
from tender.placement import (
    ClusterState,
    JobRequest,
    Policy,
    PolicyName,
    Reason,
    schedule_round,
)
from tender.placement.contract_gate import ScenarioEligibility, need_for
from tender.sim.pools import pools_from_scenario
from tender.sim.runner import replay

DATA = Path(__file__).parent / "data"
SCENARIO = DATA / "regimes.yaml"
X = "cloud-x/us-east/H100"  # 8 GPUs; api-serving is exclusive to cloud-x until month 17
Y_US = "cloud-y/us-east/H100"  # 16 GPUs
Y_EU = "cloud-y/eu-west/H100"  # 8 GPUs; eu-chat must stay in eu-west


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return load_scenario(str(SCENARIO))


def job(
    jid: str, workload: str, gpus: int, arrival: float, work: float, klass: str = "inference"
) -> JobRequest:
    return JobRequest(id=jid, gpus=gpus, arrival=arrival, work=work, workload=workload, workload_class=klass)


def test_need_maps_the_job_onto_the_pool(scenario: Scenario) -> None:
    pool = next(p for p in pools_from_scenario(scenario, 16) if p.id == Y_EU)
    need = need_for(job("j", "eu-chat", 4, 0, 1), pool, 16)
    assert (need.workload, need.workload_class, need.gpu, need.region, need.gpus) == (
        "eu-chat",
        "inference",
        "H100",
        "eu-west",
        4,
    )
    assert need.start == 16 and need.new_capacity is False  # held capacity: ROFR on new capacity is moot


# (month, workload, blocker: (workload, pool it fills), expected pool, expected start s, waiting reason, clause)
CASES = [
    # X is full (a research job holds all 8 GPUs until 100 s); only Y is free. Month 16: the
    # exclusivity clause keeps api-serving off Y, so it waits for X.
    (16, "api-serving", X, X, 100.0, Reason.EXCLUSIVE_TO_OTHER, "c-api-exclusive"),
    # Month 17: the amendment ended the clause; it starts at once on Y (best fit: the 8-GPU pool).
    (17, "api-serving", X, Y_EU, 1.0, None, None),
    # eu-chat may only use eu-west: with eu-west full it waits even though both US pools are free.
    (16, "eu-chat", Y_EU, Y_EU, 100.0, Reason.RESIDENCY, "c-eu-residency"),
    (17, "eu-chat", Y_EU, Y_EU, 100.0, Reason.RESIDENCY, "c-eu-residency"),
    # no clause names research: it takes a free pool at once.
    (16, "research", X, Y_EU, 1.0, None, None),
]


@pytest.mark.parametrize(("month", "workload", "full", "lands", "start", "reason", "clause"), CASES)
def test_contract_engine_decides_where_jobs_may_run(
    scenario: Scenario,
    month: int,
    workload: str,
    full: str,
    lands: str,
    start: float,
    reason: Reason | None,
    clause: str | None,
) -> None:
    pools = pools_from_scenario(scenario, month)
    gate = ScenarioEligibility(scenario, month)
    by_id = {p.id: p for p in pools}
    # The blocker fills `full` first: same region, and fifo_het's best fit (then pool id) picks it.
    blocker = JobRequest(
        id="blocker", gpus=by_id[full].count, arrival=0.0, work=100.0, regions=frozenset({by_id[full].region})
    )
    gated = job("j", workload, 4, 1.0, 50.0)
    out = replay([blocker, gated], pools, Policy(PolicyName.FIFO_HET, restore_seconds=0), eligibility=gate)
    run = out.runs["j"]
    assert out.runs["blocker"].ran_on == [full]
    assert run.ran_on == [lands] and run.first_start == start
    # The verdict while it waits (one round at t=1 with `full` busy), from the scheduler itself.
    free = {p.id: p.count for p in pools} | {full: 0}
    state = ClusterState(pools=pools, free=free, queued=(gated,), jobs={"j": gated})
    result = schedule_round(state, 1.0, Policy(PolicyName.FIFO_HET), gate)
    if reason is None:
        assert [p.pool_id for p in result.placements] == [lands]
        return
    verdict = result.verdict("j")
    assert not result.placements
    assert (verdict.reason, verdict.clause, verdict.waiting) == (reason, clause, True)
    assert clause in verdict.detail and not result.rejected()  # it waits: not rejected


def test_job_barred_from_every_pool_is_rejected_with_the_engines_reason(scenario: Scenario) -> None:
    pools = pools_from_scenario(scenario, 16)
    gate = ScenarioEligibility(scenario, 16)
    # 12 GPUs: cloud-x and eu-west hold only 8 (gang); the 16-GPU pool is cloud-y's (exclusivity).
    big = job("big", "api-serving", 12, 0.0, 10.0)
    out = replay([big], pools, Policy(PolicyName.FIFO), eligibility=gate)
    verdict = out.rejected["big"]
    assert verdict.reason is Reason.NO_POOL_FITS
    assert verdict.detail == "every pool rejects it (exclusive_to_other=1, gang=2)"
    # At month 17 the clause is gone: it runs on cloud-y's 16-GPU pool.
    later = replay(
        [big], pools_from_scenario(scenario, 17), Policy(PolicyName.FIFO), eligibility=gate_17(scenario)
    )
    assert later.runs["big"].ran_on == [Y_US] and not later.rejected


def gate_17(scenario: Scenario) -> ScenarioEligibility:
    return ScenarioEligibility(scenario, 17)


def test_cli_compare_across_contract_regimes() -> None:
    result = CliRunner().invoke(
        app,
        [
            "simulate",
            "compare",
            "--policies",
            "fifo_het",
            "--trace",
            str(DATA / "regimes_trace.csv"),
            "--scenario",
            str(SCENARIO),
            "--month",
            "16",
            "--month",
            "17",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "regimes.yaml@m16" in result.output and "regimes.yaml@m17" in result.output


def test_cli_compare_month_without_scenario_exits_2() -> None:
    result = CliRunner().invoke(app, ["simulate", "compare", "--month", "3"])
    assert result.exit_code == 2 and "--month" in result.output


def test_per_vc_partitions_keep_every_job_in_its_vc() -> None:
    from tender.sim.pools import philly_pools
    from tender.sim.traces import load_trace, philly_vcs

    trace = load_trace(per_vc=True)
    jobs = trace.jobs[:4000]
    pools = philly_pools(per_vc=True)
    out = replay(jobs, pools, Policy(PolicyName.FIFO_HET))
    known = {vc for vc, _ in philly_vcs()}
    ran = [r for r in out.runs.values() if r.ran_on]
    assert len(ran) > 3000
    for run in ran:
        assert set(run.ran_on) == {f"philly/{run.job.workload}"}, run.job.id
    for job_id, verdict in out.rejected.items():  # only jobs of a VC with no nodes in the CSV
        assert out.runs[job_id].job.workload not in known and verdict.reason is Reason.RESIDENCY


def test_per_vc_job_waits_for_its_own_vc_even_when_another_is_free() -> None:
    from decimal import Decimal

    from tender.placement import Pool

    pools = [
        Pool("philly/a", "philly", "a", "gpu", 8, Decimal(1)),
        Pool("philly/b", "philly", "b", "gpu", 8, Decimal(1)),
    ]
    first = JobRequest(id="a1", gpus=8, arrival=0, work=100, workload="a", regions=frozenset({"a"}))
    second = JobRequest(id="a2", gpus=4, arrival=1, work=10, workload="a", regions=frozenset({"a"}))
    out = replay([first, second], pools, Policy(PolicyName.FIFO))
    assert out.runs["a2"].ran_on == ["philly/a"] and out.runs["a2"].first_start == 100.0

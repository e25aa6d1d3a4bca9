"""The `recourse` solver profile (`PlanOptions.profile`, `solve.profile_options`) on sampled re-plans.

Checked against the default (`plan`) profile, independently of the profile's own answer:
1. every MIP a re-plan solves (recorded as the planner passes it to HiGHS), solved again with each
   profile: the two objectives agree within `mip_gap`, and each is at least the OTHER's proven bound;
2. the re-plan with the recourse profile passes the independent checker (`tender.check`);
3. where both profiles' re-plans ran the same ROFR protocol (the same notices and answers), their
   plan costs agree within `mip_gap` (a different first-pass optimum can change which needs the
   holder is asked about, and then the two futures differ: the default profile with another HiGHS
   seed does the same, docs/risk.md "The recourse solver profile").
"""

from __future__ import annotations

import sys
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sourcing"))

from checked import violations
from uncertain_gen import uncertain

from tender.config import load_scenario
from tender.domain import Scenario
from tender.sourcing import PlanOptions, pipeline, plan
from tender.sourcing.risk.first_stage import of_plan
from tender.sourcing.risk.future import apply
from tender.sourcing.risk.sampler import draw, inputs, sample_seed
from tender.sourcing.risk.study import hedge
from tender.sourcing.solve import profile_options, solve
from tender.sourcing.variables import LinearModel

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "frontier-lab.yaml"
GAP = 1e-3


def _replan(
    sc: Scenario, seed: int, index: int, profile: str, models: list[LinearModel] | None = None
) -> Any:
    options = PlanOptions(seed=seed, time_limit_s=60, mip_gap=GAP)
    first = of_plan(plan(sc, options), tuple(r.id for r in sc.training_runs))
    d = draw(inputs(sc), seed, index)
    stage = first.shifted(d.run_slips)
    future = apply(sc, d)
    opts = replace(options, seed=sample_seed(seed, index), profile=profile)  # type: ignore[arg-type]
    if models is None:
        return future, stage, plan(future, opts, first_stage=stage)
    real = pipeline.solve

    def record(model: LinearModel, **kw: Any) -> Any:
        models.append(model)
        return real(model, **kw)

    pipeline.solve = record  # type: ignore[assignment]
    try:
        return future, stage, plan(future, opts, first_stage=stage)
    finally:
        pipeline.solve = real


def _protocol(p: Any) -> list[tuple[str, str, int | None]]:
    return [(n.need, n.status, n.exercised_gpus) for n in p.notices]


@pytest.mark.parametrize("case", ["example", *[f"gen{s}" for s in range(6)]])
def test_every_recourse_mip_is_solved_within_the_gap_of_the_default_profile(case: str) -> None:
    sc = load_scenario(str(EXAMPLE)) if case == "example" else uncertain(int(case[3:]))
    seed = 1 if case == "example" else int(case[3:])
    models: list[LinearModel] = []
    _replan(sc, seed, 3, "recourse", models)
    assert len(models) == 2  # the two planner passes
    assert any(m.num_integer for m in models)
    for model in models:
        d = solve(model, seed=seed, mip_gap=GAP, profile="plan")
        r = solve(model, seed=seed, mip_gap=GAP, profile="recourse")
        scale = max(abs(d.objective), abs(r.objective), 1.0)
        assert abs(r.objective - d.objective) <= GAP * scale + 1e-6 * scale
        assert r.objective >= d.bound - 1e-6 * scale
        assert d.objective >= r.bound - 1e-6 * scale


def test_recourse_replans_pass_the_checker_and_cost_what_the_default_costs() -> None:
    compared = 0
    for seed in range(8):
        sc = uncertain(seed)
        for index in range(2):
            future, stage, rec = _replan(sc, seed, index, "recourse")
            assert violations(stage.with_answers(future), rec) == []
            _f, _s, default = _replan(sc, seed, index, "plan")
            if _protocol(rec) != _protocol(default):
                continue
            compared += 1
            a, b = default.cost_total_usd, rec.cost_total_usd
            assert abs(b - a) <= Decimal(GAP) * max(a, b) + Decimal("0.01")
    assert compared >= 12  # most re-plans run the same protocol; a comparison that never ran proves nothing


def test_the_plan_profile_is_highs_defaults_and_recourse_keeps_presolve_on_large_models() -> None:
    assert PlanOptions().profile == "plan"
    assert profile_options("plan", 10) == {}
    small = profile_options("recourse", 2_750)
    assert small["presolve"] == "off" and small["mip_allow_restart"] is False
    assert "presolve" not in profile_options("recourse", 10**6)


def test_the_hedge_prices_the_deterministic_first_stage_at_what_tender_plan_said() -> None:
    """The hedge re-plans with `tender plan`'s profile: the deterministic plan's own first stage, in
    the future as written and at its own seed, costs what the plan itself reported (within mip_gap)."""
    sc = load_scenario(str(EXAMPLE))
    options = PlanOptions(seed=0, mip_gap=GAP)
    own = plan(sc, options)
    det = of_plan(own, tuple(r.id for r in sc.training_runs), book=True)
    as_written, _same = hedge(sc, det, det, options)
    assert abs(as_written - own.cost_total_usd) <= Decimal(GAP) * own.cost_total_usd

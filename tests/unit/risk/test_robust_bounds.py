"""The extensive form's optimum lies between the wait-and-see and the deterministic plan's costs on its
own K samples: tests/scenarios/risk/one_campus.yaml (a run that fits only on a slipping campus; its
window is fixed, so nothing hedges and RP = EEV) and book_or_buy.yaml (WS < RP < EEV strictly).

For the same K futures: mean WS_i <= RP_K (perfect information cannot cost more: each WS_i is that
future's own optimum) and RP_K <= mean EEV_i (the deterministic plan's first stage is one feasible
first stage of the extensive form), each within the solvers' relative gap (1e-3 per solve, and the
rounding of the re-plans). The costs come from the planner's own re-plans, not from the model.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from tender.config import load_scenario
from tender.sourcing import PlanOptions, plan
from tender.sourcing.risk.evaluate import evaluate_draw
from tender.sourcing.risk.first_stage import of_plan
from tender.sourcing.risk.future import apply
from tender.sourcing.risk.robust import solve_robust
from tender.sourcing.risk.sampler import draw, inputs, sample_seed

CASES = Path(__file__).resolve().parents[2] / "scenarios" / "risk"
SLACK = Decimal("0.005")


@pytest.mark.parametrize(
    ("case", "seed", "k"), [("one_campus", 0, 6), ("one_campus", 5, 6), ("book_or_buy", 0, 20)]
)
def test_ws_below_rp_below_eev_on_the_same_samples(case: str, seed: int, k: int) -> None:
    sc = load_scenario(str(CASES / f"{case}.yaml"))
    det = of_plan(plan(sc, PlanOptions(seed=seed)), tuple(r.id for r in sc.training_runs), book=True)
    rp = solve_robust(sc, det, seed, k, PlanOptions(seed=seed)).objective_usd
    eev, ws = Decimal(0), Decimal(0)
    for i in range(k):
        d = draw(inputs(sc), seed, i)
        opts = replace(PlanOptions(), seed=sample_seed(seed, i))
        eev += evaluate_draw(sc, det, d, opts).cost_usd / k
        ws += plan(apply(sc, d), opts).cost_total_usd / k
    assert ws * (1 - SLACK) <= rp <= eev * (1 + SLACK), (ws, rp, eev)
    if case == "book_or_buy":  # booking 2,000 (q_K = 7/20 > 1/5) is strictly between the two
        assert ws < rp < eev

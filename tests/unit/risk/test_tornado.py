"""The tornado on the reduced scenario, against a hand computation of what a campus slip costs."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from tender.config import load_scenario, load_scenario_text
from tender.sourcing import PlanOptions, plan
from tender.sourcing.risk.first_stage import of_plan
from tender.sourcing.risk.tornado import tornado

ONE_CAMPUS = Path(__file__).resolve().parents[3] / "tests" / "scenarios" / "risk" / "one_campus.yaml"


def test_campus_swing_is_the_runs_penalty_less_its_compute_by_hand() -> None:
    sc = load_scenario(str(ONE_CAMPUS))
    base = plan(sc, PlanOptions())
    bars = tornado(sc, of_plan(base, ("pretrain",)), PlanOptions())
    (bar,) = bars
    assert (bar.input, bar.key, bar.low, bar.high) == (
        "campus_delay_months",
        "campus",
        Decimal(0),
        Decimal(3),
    )
    # p10 = 0 months: the future is the file's; p90 = 3 months: phase 2 online in month 5, after the
    # run's fixed start (4), so the run is missed: its unmet penalty (10,000 GB200 x 2.5 h100_eq x
    # 730 h x 3 months x $50) replaces its campus compute (10,000 x $3.40 x 730 h x 3 months).
    assert bar.cost_low_usd == base.cost_total_usd
    penalty = Decimal(10_000) * Decimal("2.5") * 730 * 3 * 50
    compute = Decimal(10_000) * Decimal("3.40") * 730 * 3
    assert bar.cost_high_usd - bar.cost_low_usd == penalty - compute


def test_bars_are_sorted_by_swing_and_a_flat_input_has_none() -> None:
    text = ONE_CAMPUS.read_text(encoding="utf-8").split("uncertainty:")[0]
    # a spot multiplier: nobody may use spot (serving is not preemptible), so it cannot move cost
    text += "uncertainty:\n  price_multipliers: {spot: {p10: 0.5, p90: 2.0}}\n"
    sc = load_scenario_text(text, "spot.yaml")
    bars = tornado(sc, of_plan(plan(sc, PlanOptions()), ("pretrain",)), PlanOptions())
    assert [b.input for b in bars] == ["campus_delay_months", "spot_multiplier"]
    assert bars[1].swing_usd == 0 and bars[0].swing_usd > 0

"""The `extensive` solver profile of `tender plan --robust`'s extensive form (`extensive._solve`).

Checked against HiGHS's defaults (the `plan` profile), independently of the profile's own answer:
1. the profile is the recourse option set with presolve left on, whatever the model's size, and
   branching on pseudo-costs from the start (no strong branching);
2. on the extensive forms of the two hand-solved cases and of generated scenarios with uncertain prices
   and deliveries, the two profiles' objectives agree within `mip_gap`, and each is at least the OTHER
   profile's proven lower bound (so neither stopped at a worse plan than the gap allows).
3. above START_SAMPLES samples, the solve started from the smaller extensive form's first stage
   agrees with the cold solve within `mip_gap`.
The hand values themselves (VSS, EVPI, the booking rule) are tests/unit/risk/test_robust_hand.py's.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sourcing"))

from uncertain_gen import uncertain

from tender.config import load_scenario
from tender.sourcing import PlanOptions
from tender.sourcing.risk.extensive import START_SAMPLES, extensive_model, solve_extensive
from tender.sourcing.risk.first_stage import FirstStage
from tender.sourcing.solve import RECOURSE_OPTIONS, profile_options, solve

CASES = Path(__file__).resolve().parents[2] / "scenarios" / "risk"
EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "frontier-lab.yaml"
GAP = 1e-3


def test_the_extensive_profile_is_the_recourse_set_with_presolve_on() -> None:
    for cols in (10, 2_750, 32_612, 96_908, 10**6):
        options = profile_options("extensive", cols)
        assert "presolve" not in options  # HiGHS's default: on
        assert {k: options[k] for k in RECOURSE_OPTIONS} == RECOURSE_OPTIONS
        assert options["mip_pscost_minreliable"] == 0
    assert profile_options("recourse", 32_612)["presolve"] == "off"  # the recourse profile's own rule


@pytest.mark.timeout(240)
@pytest.mark.parametrize(
    ("case", "k"),
    [("book_or_buy", 10), ("one_campus", 6), ("example", 2), ("gen0", 3), ("gen1", 3), ("gen2", 3)],
)
def test_both_profiles_agree_within_the_gap_on_extensive_forms(case: str, k: int) -> None:
    if case.startswith("gen"):
        sc = uncertain(int(case[3:]))
    elif case == "example":
        sc = load_scenario(str(EXAMPLE))
    else:
        sc = load_scenario(str(CASES / f"{case}.yaml"))
    options = PlanOptions(seed=0, mip_gap=GAP)
    model = extensive_model(sc, 0, k, options).model
    if case != "book_or_buy":  # an LP (the hand case); the others are MIPs, where the options matter
        assert model.num_integer > 0
    runs = {
        p: solve(model, seed=0, time_limit_s=120, mip_gap=GAP, threads=1, tolerance=1e-5, profile=p)
        for p in ("plan", "extensive")
    }
    a, b = runs["plan"], runs["extensive"]
    assert a.status == b.status == "optimal"
    slack = 1e-6 * max(abs(a.objective), abs(b.objective), 1.0)
    assert abs(a.objective - b.objective) <= GAP * max(abs(a.objective), abs(b.objective)) + slack
    assert a.objective >= b.bound - slack
    assert b.objective >= a.bound - slack


@pytest.mark.timeout(240)
@pytest.mark.parametrize(("case", "k"), [("one_campus", 14), ("gen0", 12), ("gen3", 12)])
def test_the_started_extensive_form_agrees_with_the_cold_one_within_the_gap(case: str, k: int) -> None:
    """Above START_SAMPLES the solve starts from the first stage of the first START_SAMPLES samples'
    extensive form: its objective is the cold solve's (no start) within `mip_gap`, each at least the
    other's proven bound, and its first stage's run slots are a feasible choice (one slot per run)."""
    sc = uncertain(int(case[3:])) if case.startswith("gen") else load_scenario(str(CASES / f"{case}.yaml"))
    options = PlanOptions(seed=0, mip_gap=GAP)
    assert k > START_SAMPLES
    shared = extensive_model(sc, 0, k, options)
    assert shared.model.num_integer > 0  # the start path is taken only for MIPs
    cold = solve(shared.model, seed=0, time_limit_s=120, mip_gap=GAP, tolerance=1e-5, profile="extensive")
    started = solve_extensive(sc, FirstStage({}), 0, k, options)
    assert cold.status == started.status == "optimal"
    a, b = cold.objective, float(started.objective_usd)
    slack = 1e-6 * max(abs(a), abs(b), 1.0) + 0.01
    assert abs(a - b) <= GAP * max(abs(a), abs(b)) + slack
    assert a >= (1 - GAP) * b - slack and b >= cold.bound - slack
    assert set(started.first.runs) == {r.id for r in sc.training_runs}

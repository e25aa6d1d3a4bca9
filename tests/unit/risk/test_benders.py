"""The decomposition of `tender plan --robust` (multi-cut Benders, `sourcing/risk/benders.py`).

- on the hand case (tests/scenarios/risk/book_or_buy.yaml, see test_robust_hand.py) it books what the
  hand rule says (2,000 GPUs when the share q_K of high demands exceeds c / p = 1/5, else 1,000) with
  the hand objective h (c B + p q_K (2,000 - B)), started from the deterministic plan (B = 1,000);
- on the reduced campus case (one_campus.yaml) its objective is the extensive form's within the
  stopping rule's tolerance, and its lower bound is below the extensive form's objective;
- the subproblems give the same answer in this process and in a pool of 2 worker processes, and
  `tender plan --robust --method benders --json` writes the same bytes on 1 and 2 workers.
The extensive form is solved by HiGHS as one model: it shares only the sample models with Benders.
"""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tender.cli.app import app
from tender.cli.study_pool import SubproblemPool
from tender.config import load_scenario
from tender.domain import Scenario
from tender.sourcing import PlanOptions, plan
from tender.sourcing.risk.benders import solve_benders
from tender.sourcing.risk.extensive import Robust, solve_extensive
from tender.sourcing.risk.first_stage import of_plan
from tender.sourcing.risk.robust import AUTO_EXTENSIVE_MAX, chosen, local_pool
from tender.sourcing.risk.saa_sample import protocol
from tender.sourcing.risk.sampler import draw, inputs

CASES = Path(__file__).resolve().parents[2] / "scenarios" / "risk"
BOOK = CASES / "book_or_buy.yaml"
CAMPUS = CASES / "one_campus.yaml"
H, C, P = 730, Decimal(2), Decimal(10)
SLOT = ("book", "H100", "us-east", 1)


def _benders(path: Path, seed: int, k: int) -> tuple[Scenario, Robust]:
    sc = load_scenario(str(path))
    options = PlanOptions(seed=seed)
    det = of_plan(plan(sc, options), tuple(r.id for r in sc.training_runs), book=True)
    proto = protocol(sc, options, sc.calendar.month_start(1))
    return sc, solve_benders(sc, det, local_pool(sc, proto, seed, k, options), options)


@pytest.mark.parametrize(("seed", "k"), [(0, 20), (1, 20), (6, 10), (4, 4)])
def test_benders_books_what_the_hand_rule_says(seed: int, k: int) -> None:
    sc, robust = _benders(BOOK, seed, k)
    q = Decimal(sum(draw(inputs(sc), seed, i).demand["serving"] == 2 for i in range(k))) / k
    booked = 2000 if q > C / P else 1000
    assert robust.first.booked == {SLOT: booked}
    hand = (H * (C * booked + P * q * (2000 - booked))).quantize(Decimal("0.01"))
    assert abs(robust.objective_usd - hand) <= Decimal("0.01")
    assert robust.status == "converged" and robust.method == "benders"
    assert robust.lower_bound_usd <= robust.objective_usd


@pytest.mark.parametrize("seed", [0, 5])
def test_benders_reaches_the_extensive_form_within_its_tolerance(seed: int) -> None:
    sc, robust = _benders(CAMPUS, seed, 6)
    options = PlanOptions(seed=seed)
    det = of_plan(plan(sc, options), ("pretrain",), book=True)
    ext = solve_extensive(sc, det, seed, 6, options)
    tol = Decimal(options.mip_gap)
    assert robust.status == "converged"
    assert abs(robust.objective_usd - ext.objective_usd) <= tol * ext.objective_usd
    # the lower bound is a bound of the SAA problem: below the extensive form's optimum (within its gap)
    assert robust.lower_bound_usd <= ext.objective_usd * (1 + Decimal(ext.gap))


@pytest.mark.timeout(240)
def test_the_subproblems_answer_the_same_in_two_worker_processes() -> None:
    sc = load_scenario(str(CAMPUS))
    options = PlanOptions(seed=5)
    det = of_plan(plan(sc, options), ("pretrain",), book=True)
    proto = protocol(sc, options, sc.calendar.month_start(1))
    here = solve_benders(sc, det, local_pool(sc, proto, 5, 5, options), options)
    pool = SubproblemPool(CAMPUS, proto, 5, 5, options, 2)
    try:
        there = solve_benders(sc, det, pool, options)
    finally:
        pool.close()
    assert replace(there, seconds=0.0) == replace(here, seconds=0.0)  # HiGHS's timer aside


def test_auto_is_the_extensive_form_up_to_its_documented_k() -> None:
    assert chosen("auto", AUTO_EXTENSIVE_MAX) == "extensive"
    assert chosen("auto", AUTO_EXTENSIVE_MAX + 1) == "benders"
    assert chosen("extensive", 1000) == "extensive" and chosen("benders", 2) == "benders"


@pytest.mark.timeout(300)
def test_the_cli_json_of_benders_is_the_same_bytes_on_one_and_two_workers(tmp_path: Path) -> None:
    outs = []
    for workers in ("1", "2"):
        out = tmp_path / f"w{workers}.json"
        args = ["plan", str(CAMPUS), "--robust", "--method", "benders", "--samples", "5"]
        args += ["--eval-samples", "3", "--seed", "5", "--workers", workers, "--json", str(out)]
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, result.output
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    robust = json.loads(outs[0])["robust"]
    assert robust["method"] == "benders" and robust["status"] == "converged"
    assert robust["iterations"] >= 1
    assert Decimal(robust["lower_bound_usd"]) <= Decimal(robust["objective_usd"])
    assert Decimal(robust["gap"]) <= Decimal("0.001")

"""The robust study's fresh samples share their three re-plans by future (`study.study_group`,
`study.study_batches`), checked against the reference path (`study_sample`: one sample at a time, each
of its three re-plans its own): every sample's EEV and RP outcomes and its wait-and-see cost are the
same, to the cent, on book_or_buy.yaml and on generated scenarios whose holder coin decides answers.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sourcing"))

from uncertain_gen import uncertain

from tender.config import load_scenario
from tender.domain import Scenario
from tender.sourcing import PlanOptions, plan
from tender.sourcing.risk.first_stage import FirstStage, of_plan
from tender.sourcing.risk.study import study_batches, study_group, study_sample

CASE = Path(__file__).resolve().parents[2] / "scenarios" / "risk" / "book_or_buy.yaml"


def _stages(sc: Scenario, seed: int) -> tuple[FirstStage, FirstStage]:
    """The deterministic first stage, and the same runs with no answer scripted (every notice then
    goes to the holder model's coin)."""
    det = of_plan(plan(sc, PlanOptions(seed=seed)), tuple(r.id for r in sc.training_runs), book=True)
    return det, replace(det, answers=())


@pytest.mark.parametrize("gen", [None, 5, 6, 7])
def test_study_groups_give_every_sample_its_own_three_replans(gen: int | None) -> None:
    sc = load_scenario(str(CASE)) if gen is None else uncertain(gen)
    seed = 3 if gen is None else gen
    det, rob = _stages(sc, seed)
    n = 16
    work = study_batches(sc, seed, n)
    assert sorted(i for b in work for i in b) == list(range(n)) and len(work) < n
    shared = {
        i: t for b in work for i, t in zip(b, study_group(sc, det, rob, seed, b, PlanOptions()), strict=True)
    }
    for i in range(n):
        assert shared[i] == study_sample(sc, det, rob, seed, i, PlanOptions()), i
    if gen is not None:  # the coin decided answers here: the sharing was conditional, not blind
        assert any(t.robust.coins for t in shared.values())

"""`PlanOptions.stop`: HiGHS asks it while it solves; once it says stop, `plan` raises `Interrupted`
(the CLI's Ctrl-C) instead of returning a plan or reporting "no feasible plan"."""

from __future__ import annotations

from pathlib import Path

import pytest

from tender.config import load_scenario
from tender.sourcing import Interrupted, PlanOptions, plan

EXAMPLE = str(Path(__file__).resolve().parents[3] / "examples" / "frontier-lab.yaml")


def test_stop_asked_during_the_solve_ends_the_plan() -> None:
    asked: list[int] = []

    def stop() -> bool:
        asked.append(1)
        return len(asked) > 3  # let HiGHS start, then say stop from inside its loop

    with pytest.raises(Interrupted):
        plan(load_scenario(EXAMPLE), PlanOptions(stop=stop))
    assert len(asked) > 3


def test_a_stop_that_never_fires_changes_nothing() -> None:
    sc = load_scenario(EXAMPLE)
    asked: list[int] = []

    def never() -> bool:
        asked.append(1)
        return False

    with_stop = plan(sc, PlanOptions(stop=never))
    without = plan(sc, PlanOptions())
    assert len(asked) > 1  # consulted, from HiGHS's interrupt callbacks
    assert (with_stop.cost_total_usd, with_stop.awards) == (without.cost_total_usd, without.awards)

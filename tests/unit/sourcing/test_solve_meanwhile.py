"""`solve(..., meanwhile=f)`: `f` runs in the caller's thread while HiGHS solves in its own (the
planner prices its contract-blind baseline there during the second pass). The solution is the one
`solve` finds without it; an error in `f` or a stop still waits for the solver and is reported."""

from __future__ import annotations

import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest

from tender.config import load_scenario
from tender.sourcing import Interrupted, PlanOptions
from tender.sourcing.first_pass import index
from tender.sourcing.pipeline import build_model
from tender.sourcing.solve import solve
from tender.sourcing.variables import LinearModel

EXAMPLE = str(Path(__file__).resolve().parents[3] / "examples" / "frontier-lab.yaml")


@pytest.fixture(scope="module")
def model() -> LinearModel:
    """The first pass of the frontier-lab example: a MILP HiGHS takes a good part of a second on."""
    built, _cols = build_model(index(load_scenario(EXAMPLE)).data, PlanOptions(), Decimal(0))
    return built


def test_meanwhile_runs_in_the_callers_thread_while_highs_solves(model: LinearModel) -> None:
    caller = threading.current_thread()
    asked_from: list[threading.Thread] = []
    ran_in: list[threading.Thread] = []

    def stop() -> bool:  # HiGHS's interrupt callbacks ask it from the solver's thread
        asked_from.append(threading.current_thread())
        return False

    def meanwhile() -> None:
        ran_in.append(threading.current_thread())
        deadline = time.monotonic() + 10
        while not any(t is not caller for t in asked_from) and time.monotonic() < deadline:
            time.sleep(0.001)  # (returns at HiGHS's first callback: the solver is running meanwhile)

    with_it = solve(model, stop=stop, meanwhile=meanwhile)
    assert ran_in == [caller]
    assert any(t is not caller for t in asked_from), "HiGHS did not run while meanwhile ran"
    without = solve(model)
    assert (with_it.values, with_it.objective, with_it.status) == (
        without.values,
        without.objective,
        without.status,
    )


def test_an_error_in_meanwhile_is_raised_once_the_solver_has_stopped(model: LinearModel) -> None:
    before = set(threading.enumerate())
    solver: list[threading.Thread] = []

    def meanwhile() -> None:
        solver.extend(set(threading.enumerate()) - before)  # HiGHS's thread, solving (~0.5 s here)
        raise ValueError("priced wrong")

    with pytest.raises(ValueError, match="priced wrong"):
        solve(model, meanwhile=meanwhile)
    assert len(solver) == 1
    solver[0].join(0.05)  # a solver left running would still have most of its half second to go
    assert not solver[0].is_alive()


def test_a_stop_asked_while_meanwhile_runs_interrupts_the_solve(model: LinearModel) -> None:
    stopping = threading.Event()

    def meanwhile() -> None:
        stopping.set()

    with pytest.raises(Interrupted):
        solve(model, stop=stopping.is_set, meanwhile=meanwhile)

"""Step 5: solve the linear model with HiGHS (deterministic: fixed seed, one thread, time limit, gap).

`progress(objective, bound, gap)` is called on every improving MIP solution and on MIP log lines.
A time limit returns the best plan found with its gap; no incumbent at all raises `NoSolution`.
`stop()` (optional) is asked from HiGHS's interrupt callbacks; once it answers True the solver stops
and `Interrupted` is raised (a caller's Ctrl-C: there is no plan, not even a partial one).
`meanwhile()` (optional) runs in the caller's thread while HiGHS solves in its own (highspy's
`startSolve`; HiGHS holds no Python lock while it works), so work that needs no solution (the planner
prices its baseline there) costs no time after the solve; the solve is waited for even if it raises.
`profile` (`PlanOptions.profile`) picks HiGHS's option set: "plan" is HiGHS's defaults; "recourse" (the
many small re-plans of a risk study) turns off symmetry detection, restarts and the RINS, RENS,
root-reduced-cost and feasibility-jump heuristics, and presolve for models up to
`RECOURSE_PRESOLVE_MAX_COLS` columns (measured: docs/risk.md, "The recourse solver profile");
"extensive" (`tender plan --robust`'s extensive form) is the recourse option set with presolve always on
and reliability branching off (`mip_pscost_minreliable` 0; docs/risk.md, "Solving the extensive
form"). Models large enough for `warmstart` (its own solves) are solved as in `tender plan`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import highspy
import numpy as np

from tender.sourcing.types import Profile
from tender.sourcing.variables import LinearModel

Progress = Callable[[float, float, float], None]
Stop = Callable[[], bool]

RECOURSE_OPTIONS: dict[str, bool] = {
    "mip_detect_symmetry": False,
    "mip_allow_restart": False,
    "mip_heuristic_run_rins": False,
    "mip_heuristic_run_rens": False,
    "mip_heuristic_run_root_reduced_cost": False,
    "mip_heuristic_run_feasibility_jump": False,
}
RECOURSE_PRESOLVE_MAX_COLS = 60_000  # measured without presolve up to 53k columns; above, presolve stays on


def profile_options(profile: Profile, num_cols: int) -> dict[str, bool | int | str]:
    """The HiGHS options a profile sets on top of the solve's own (seed, threads, limits)."""
    if profile == "plan":
        return {}
    out: dict[str, bool | int | str] = dict(RECOURSE_OPTIONS)
    if profile == "extensive":
        out["mip_pscost_minreliable"] = 0  # branch on pseudo-costs at once: no strong-branching LPs
    elif num_cols <= RECOURSE_PRESOLVE_MAX_COLS:
        out["presolve"] = "off"
    return out


class QuietHighs(highspy.Highs):
    """A `Highs` that prints nothing, not even the banner.

    highspy's constructor calls `enableCallbacks` (the C++ `setCallback`), which writes the
    "Running HiGHS ... Copyright" header unless `output_flag` is already off. This hook switches all
    solver output off before that first call, so nothing reaches stdout or stderr.
    """

    def enableCallbacks(self) -> None:
        core = highspy._core._Highs
        core.setOptionValue(self, "output_flag", False)
        core.setOptionValue(self, "log_to_console", False)
        super().enableCallbacks()  # type: ignore[no-untyped-call]


class NoSolution(RuntimeError):
    """HiGHS ended without any feasible plan (infeasible model or time limit before the first one)."""


class Interrupted(Exception):
    """The caller's `stop()` said stop (e.g. Ctrl-C): the solve was abandoned."""


def _stoppable(highs: highspy.Highs, stop: Stop | None) -> None:
    """Let `stop()` interrupt the simplex, interior-point and MIP loops; raise before we start."""
    if stop is None:
        return
    if stop():
        raise Interrupted

    def on_interrupt(event: object) -> None:
        if stop():
            event.interrupt()  # type: ignore[attr-defined]

    for hook in (highs.cbSimplexInterrupt, highs.cbIpmInterrupt, highs.cbMipInterrupt):
        hook.subscribe(on_interrupt)


def _stopped(stop: Stop | None) -> None:
    if stop is not None and stop():
        raise Interrupted


@dataclass(frozen=True)
class Solution:
    """What HiGHS found: column values, objective, bound, gap, status label and its own seconds."""

    values: tuple[float, ...]
    objective: float
    bound: float
    gap: float
    status: str
    seconds: float


def to_highs(model: LinearModel) -> highspy.HighsModel:
    highs_lp = highspy.HighsLp()
    num_cols = model.num_cols
    highs_lp.num_col_ = num_cols
    highs_lp.num_row_ = model.num_rows
    highs_lp.col_cost_ = np.array(model.col_cost, dtype=np.float64)
    highs_lp.col_lower_ = np.array(model.col_lower, dtype=np.float64)
    highs_lp.col_upper_ = np.array(model.col_upper, dtype=np.float64)
    highs_lp.row_lower_ = np.array(model.row_lower, dtype=np.float64)
    highs_lp.row_upper_ = np.array(model.row_upper, dtype=np.float64)
    highs_lp.offset_ = model.offset
    highs_lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    # The matrix's vectors are copied element by element, and a list's elements convert several
    # times faster than a NumPy array's (the same int32 indices and float64 values either way).
    highs_lp.a_matrix_.start_ = model.row_start
    highs_lp.a_matrix_.index_ = model.row_index
    highs_lp.a_matrix_.value_ = model.row_value
    highs_lp.a_matrix_.num_col_ = num_cols
    highs_lp.a_matrix_.num_row_ = model.num_rows
    if model.num_integer:
        kinds = (highspy.HighsVarType.kContinuous, highspy.HighsVarType.kInteger)
        highs_lp.integrality_ = [kinds[flag] for flag in model.col_integer]
    highs_model = highspy.HighsModel()
    highs_model.lp_ = highs_lp
    return highs_model


def relax(
    model: LinearModel,
    *,
    seed: int = 0,
    time_limit_s: float = 60.0,
    threads: int = 1,
    stop: Stop | None = None,
) -> tuple[tuple[float, ...], float, float]:
    """The LP relaxation's column values, objective and HiGHS's seconds (no values if not optimal)."""
    highs = QuietHighs()  # type: ignore[no-untyped-call]
    highs.setOptionValue("random_seed", int(seed) % 2147483647)
    highs.setOptionValue("threads", int(threads))
    highs.setOptionValue("time_limit", float(time_limit_s))
    highs_model = to_highs(model)
    highs_model.lp_.integrality_ = []
    highs.passModel(highs_model)
    _stoppable(highs, stop)
    highs.run()
    _stopped(stop)
    ok = highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
    values = tuple(float(value) for value in highs.getSolution().col_value) if ok else ()
    return values, float(highs.getInfo().objective_function_value), float(highs.getRunTime())


def solve(
    model: LinearModel,
    *,
    seed: int = 0,
    time_limit_s: float = 60.0,
    mip_gap: float = 1e-3,
    threads: int = 1,
    progress: Progress | None = None,
    start: Sequence[tuple[int, float]] = (),
    spent: float = 0.0,
    stop: Stop | None = None,
    tolerance: float | None = None,
    profile: Profile = "plan",
    meanwhile: Callable[[], None] | None = None,
) -> Solution:
    """`start`: a (partial) starting solution as (column, value); `spent`: seconds already used
    (e.g. by `relax`), taken off the time limit and added to the reported time; `tolerance`: HiGHS's
    primal and MIP feasibility tolerances (default: HiGHS's own, 1e-7 and 1e-6); `profile`: the
    option set (module docstring)."""
    highs = QuietHighs()  # type: ignore[no-untyped-call]
    highs.setOptionValue("random_seed", int(seed) % 2147483647)
    highs.setOptionValue("threads", int(threads))
    highs.setOptionValue("time_limit", max(float(time_limit_s) - spent, 1.0))
    highs.setOptionValue("mip_rel_gap", float(mip_gap))
    if tolerance is not None:
        highs.setOptionValue("primal_feasibility_tolerance", float(tolerance))
        highs.setOptionValue("mip_feasibility_tolerance", float(tolerance))
    for name, value in profile_options(profile, model.num_cols).items():
        highs.setOptionValue(name, value)
    highs.passModel(to_highs(model))
    if start:
        idx = np.array([col for col, _value in start], dtype=np.int32)
        val = np.array([value for _col, value in start], dtype=np.float64)
        highs.setSolution(len(start), idx, val)
        highs.setOptionValue("mip_heuristic_run_feasibility_jump", False)  # the start is far better
    if progress is not None:
        _report_progress(highs, progress)
    _stoppable(highs, stop)
    _run(highs, meanwhile)
    _stopped(stop)
    return _solution(highs, model, spent)


def _run(highs: highspy.Highs, meanwhile: Callable[[], None] | None) -> None:
    """`highs.run()`, with `meanwhile()` run in this thread while HiGHS solves in its own."""
    if meanwhile is None:
        highs.run()
        return
    solver = highs.startSolve()
    try:
        meanwhile()
    finally:
        highs.wait()
        solver.join()  # wait() returns once the solve ends; the thread itself ends a moment later


def _report_progress(highs: highspy.Highs, progress: Progress) -> None:
    """Call `progress(objective, bound, gap)` on each improving solution and MIP log line."""

    def on_event(event: object) -> None:
        out = event.data_out  # type: ignore[attr-defined]
        progress(float(out.objective_function_value), float(out.mip_dual_bound), float(out.mip_gap))

    highs.cbMipImprovingSolution.subscribe(on_event)
    highs.cbMipLogging.subscribe(on_event)


def _solution(highs: highspy.Highs, model: LinearModel, spent: float) -> Solution:
    """What the run found: values, objective, bound, gap (1.0 when HiGHS reports none), status
    label and seconds (the solver's own timer: the core reads no clock). `NoSolution` if none."""
    seconds = spent + float(highs.getRunTime())
    status = highs.getModelStatus()
    info = highs.getInfo()
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    if not has_solution:
        raise NoSolution(highs.modelStatusToString(status))
    values = tuple(float(value) for value in highs.getSolution().col_value)
    objective = float(info.objective_function_value)
    if model.num_integer:
        bound = float(info.mip_dual_bound)
        gap = float(info.mip_gap)
    else:
        bound, gap = objective, 0.0
    if status == highspy.HighsModelStatus.kOptimal:
        label = "optimal"
    elif status == highspy.HighsModelStatus.kTimeLimit:
        label = "time_limit"
    else:
        label = highs.modelStatusToString(status).lower().replace(" ", "_")
    if abs(gap) > 1e300 or gap != gap:
        gap = 1.0
    return Solution(values, objective, bound, max(gap, 0.0), label, seconds)

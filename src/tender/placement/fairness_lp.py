"""las_het: Gavel's heterogeneity-aware max-min fairness as a sparse LP solved with HiGHS.

`solve_max_min`: 1. variables -> 2. constraints -> 3. objective -> 4. solve -> 5. extract, one helper
each (Narayanan et al., OSDI 2020, 4.1):

    x[j,t] in [0, 1]   time fraction job j spends on accelerator type t per round
    z                  the worst normalized throughput
    maximize  z + eps/J * sum_j,t a[j,t] x[j,t]        (eps breaks the max-min plateau towards work done)
    s.t.      z <= sum_t a[j,t] x[j,t]                 for every job j
              sum_t x[j,t] <= 1                        for every job j
              sum_j gpus_j x[j,t] <= capacity_t        for every type t
    with a[j,t] = rate[j,t] / (w_j * rate_equal[j]),   rate_equal[j] = sum_t rate[j,t] capacity_t / N,
    the job's throughput under an equal (type-proportional) share of the cluster.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import highspy
import numpy as np

EPS = 1e-3


@dataclass(frozen=True)
class FairnessInput:
    job_ids: Sequence[str]
    gpus: Mapping[str, int]
    weights: Mapping[str, float]
    rates: Mapping[str, Mapping[str, float]]  # job -> type -> work units/s (eligible types only)
    capacity: Mapping[str, int]  # type -> GPUs up
    # Compat (Gavel 1f6f02e's max_min_fairness_perf): weight a[j,t] by the gang size, no eps term,
    # and solve with HiGHS's interior-point method without crossover (Gavel uses ECOS, an interior
    # point method, so on a plateau of optimal allocations it lands inside it, not on a vertex).
    gavel: bool = False


def solve_max_min(data: FairnessInput) -> dict[str, dict[str, float]]:
    """Time fractions per job per type (types with no share omitted)."""
    types = sorted(t for t, n in data.capacity.items() if n > 0)
    total = sum(data.capacity[t] for t in types)
    if not data.job_ids or total == 0:
        return {job_id: {} for job_id in data.job_ids}
    columns = _columns(data, types, total)  # 1.
    lp = _lp(data, types, columns)  # 2. and 3.
    solution = _solve(lp, data.gavel)  # 4.
    if solution is None:  # pragma: no cover - LP is always feasible
        return {job_id: {} for job_id in data.job_ids}
    return _extract(data, columns, solution)  # 5.


@dataclass(frozen=True)
class _Columns:
    """One x column per (job, type) the job can use: its job index, type and coefficient a[j,t]."""

    job: list[int]
    type: list[str]
    coef: list[float]


def _columns(data: FairnessInput, types: list[str], total: int) -> _Columns:
    """Step 1, variables: one column per (job, type) the job can use (then z, last)."""
    columns = _Columns([], [], [])
    for j, job_id in enumerate(data.job_ids):
        rates = data.rates[job_id]
        gpus = data.gpus[job_id]
        usable = [t for t in types if rates.get(t, 0.0) > 0 and gpus <= data.capacity[t]]
        equal = sum(rates[t] * data.capacity[t] for t in usable) / total
        scale = gpus if data.gavel else 1
        for t in usable:
            columns.job.append(j)
            columns.type.append(t)
            columns.coef.append(scale * rates[t] / (equal * data.weights.get(job_id, 1.0)))
    return columns


def _lp(data: FairnessInput, types: list[str], columns: _Columns) -> highspy.HighsLp:
    """Steps 2 and 3: the constraints column-wise (x[j,t] sits in fair row j, one-type row J+j,
    capacity row 2J+t; z in every fair row) and the objective, max z (+ a small push towards
    total normalized throughput)."""
    type_row = {t: i for i, t in enumerate(types)}
    n_jobs = len(data.job_ids)
    n_x = len(columns.job)
    starts = np.zeros(n_x + 2, dtype=np.int32)
    index = np.empty(3 * n_x + n_jobs, dtype=np.int32)
    value = np.empty(3 * n_x + n_jobs, dtype=np.float64)
    coef = np.asarray(columns.coef, dtype=np.float64)
    job_rows = np.asarray(columns.job, dtype=np.int32)
    type_rows = np.asarray([type_row[t] for t in columns.type], dtype=np.int32)
    index[0 : 3 * n_x : 3] = job_rows
    index[1 : 3 * n_x : 3] = n_jobs + job_rows
    index[2 : 3 * n_x : 3] = 2 * n_jobs + type_rows
    value[0 : 3 * n_x : 3] = -coef
    value[1 : 3 * n_x : 3] = 1.0
    value[2 : 3 * n_x : 3] = np.asarray([data.gpus[data.job_ids[j]] for j in columns.job], dtype=np.float64)
    starts[1 : n_x + 1] = np.arange(1, n_x + 1, dtype=np.int32) * 3
    index[3 * n_x :] = np.arange(n_jobs, dtype=np.int32)
    value[3 * n_x :] = 1.0
    starts[n_x + 1] = 3 * n_x + n_jobs
    lp = highspy.HighsLp()
    lp.num_col_ = n_x + 1
    lp.num_row_ = 2 * n_jobs + len(types)
    lp.col_cost_ = np.concatenate([coef * ((0.0 if data.gavel else EPS) / n_jobs), np.ones(1)])
    lp.col_lower_ = np.zeros(n_x + 1)
    lp.col_upper_ = np.concatenate([np.ones(n_x), np.full(1, highspy.kHighsInf)])
    lp.row_lower_ = np.full(lp.num_row_, -highspy.kHighsInf)
    lp.row_upper_ = np.concatenate(
        [np.zeros(n_jobs), np.ones(n_jobs), np.asarray([float(data.capacity[t]) for t in types])]
    )
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = starts
    lp.a_matrix_.index_ = index
    lp.a_matrix_.value_ = value
    return lp


def _solve(lp: highspy.HighsLp, gavel: bool) -> list[float] | None:
    """Step 4: one thread; Gavel-compatible runs use interior point without crossover. None = not
    optimal. The solver object is built once per thread and mode and given each new model (the same
    answer as a fresh one: `passModel` drops the previous model, basis and solution)."""
    highs = _solver(gavel)
    highs.clearSolver()
    highs.passModel(lp)
    highs.run()
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:  # pragma: no cover
        return None
    return list(highs.getSolution().col_value)


_SOLVERS = threading.local()


def _solver(gavel: bool) -> highspy.Highs:
    key = "gavel" if gavel else "own"
    highs: highspy.Highs | None = getattr(_SOLVERS, key, None)
    if highs is None:
        highs = highspy.Highs()  # type: ignore[no-untyped-call]
        highs.setOptionValue("output_flag", False)
        highs.setOptionValue("threads", 1)
        if gavel:
            highs.setOptionValue("solver", "ipm")
            highs.setOptionValue("run_crossover", "off")
        setattr(_SOLVERS, key, highs)
    return highs


def _extract(data: FairnessInput, columns: _Columns, solution: list[float]) -> dict[str, dict[str, float]]:
    """Step 5: fractions rounded to 1e-9 so tiny solver noise never changes a decision."""
    out: dict[str, dict[str, float]] = {job_id: {} for job_id in data.job_ids}
    for k in range(len(columns.job)):
        share = round(solution[k], 9)
        if share > 0:
            out[data.job_ids[columns.job[k]]][columns.type[k]] = share
    return out

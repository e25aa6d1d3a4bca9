"""las_het: Gavel's heterogeneity-aware max-min fairness as a sparse LP solved with HiGHS.

Data -> variables -> constraints -> objective -> solve -> extract (Narayanan et al., OSDI 2020, 4.1):

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
    type_row = {t: i for i, t in enumerate(types)}
    n_jobs = len(data.job_ids)
    # 1. Variables: one column per (job, type) the job can use, then z.
    col_job: list[int] = []
    col_type: list[str] = []
    coef: list[float] = []
    for j, job_id in enumerate(data.job_ids):
        rates = data.rates[job_id]
        gpus = data.gpus[job_id]
        usable = [t for t in types if rates.get(t, 0.0) > 0 and gpus <= data.capacity[t]]
        equal = sum(rates[t] * data.capacity[t] for t in usable) / total
        scale = gpus if data.gavel else 1
        for t in usable:
            col_job.append(j)
            col_type.append(t)
            coef.append(scale * rates[t] / (equal * data.weights.get(job_id, 1.0)))
    n_x = len(col_job)
    # 2. Constraints, column-wise: x[j,t] sits in fair row j, one-type row J+j, capacity row 2J+t.
    starts = np.zeros(n_x + 2, dtype=np.int32)
    index = np.empty(3 * n_x + n_jobs, dtype=np.int32)
    value = np.empty(3 * n_x + n_jobs, dtype=np.float64)
    a = np.asarray(coef, dtype=np.float64)
    jj = np.asarray(col_job, dtype=np.int32)
    tt = np.asarray([type_row[t] for t in col_type], dtype=np.int32)
    index[0 : 3 * n_x : 3] = jj
    index[1 : 3 * n_x : 3] = n_jobs + jj
    index[2 : 3 * n_x : 3] = 2 * n_jobs + tt
    value[0 : 3 * n_x : 3] = -a
    value[1 : 3 * n_x : 3] = 1.0
    value[2 : 3 * n_x : 3] = np.asarray([data.gpus[data.job_ids[j]] for j in col_job], dtype=np.float64)
    starts[1 : n_x + 1] = np.arange(1, n_x + 1, dtype=np.int32) * 3
    index[3 * n_x :] = np.arange(n_jobs, dtype=np.int32)  # z in every fair row
    value[3 * n_x :] = 1.0
    starts[n_x + 1] = 3 * n_x + n_jobs
    lp = highspy.HighsLp()
    lp.num_col_ = n_x + 1
    lp.num_row_ = 2 * n_jobs + len(types)
    # 3. Objective: max z (+ a small push towards total normalized throughput).
    lp.col_cost_ = np.concatenate([a * ((0.0 if data.gavel else EPS) / n_jobs), np.ones(1)])
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
    # 4. Solve.
    highs = highspy.Highs()  # type: ignore[no-untyped-call]
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", 1)
    if data.gavel:
        highs.setOptionValue("solver", "ipm")
        highs.setOptionValue("run_crossover", "off")
    highs.passModel(lp)
    highs.run()
    if (
        highs.getModelStatus() != highspy.HighsModelStatus.kOptimal
    ):  # pragma: no cover - LP is always feasible
        return {job_id: {} for job_id in data.job_ids}
    # 5. Extract: fractions rounded to 1e-9 so tiny solver noise never changes a decision.
    x = highs.getSolution().col_value
    out: dict[str, dict[str, float]] = {job_id: {} for job_id in data.job_ids}
    for k in range(n_x):
        share = round(float(x[k]), 9)
        if share > 0:
            out[data.job_ids[col_job[k]]][col_type[k]] = share
    return out

"""The max-min LP reuses one HiGHS object per thread and mode; its answers must equal a fresh solver's.

The reference here builds its own `highspy.Highs` for every model with the options the docstring of
`fairness_lp._solve` names, so a solver object that carried anything (model, basis, solution) from one
solve into the next would show as a difference on the interleaved sequence below.
"""

from __future__ import annotations

import highspy

from tender.placement import FairnessInput, solve_max_min
from tender.placement.fairness_lp import _columns, _extract, _lp
from tender.sim.gavel import GavelWorkload


def inputs(n: int, seed: int, gavel: bool) -> FairnessInput:
    stream = GavelWorkload(2.0, seed=seed, multi_gpu=True, compat="1f6f02e").jobs()
    jobs = [next(stream) for _ in range(n)]
    return FairnessInput(
        job_ids=[j.id for j in jobs],
        gpus={j.id: j.gpus for j in jobs},
        weights={j.id: 1.0 for j in jobs},
        rates={j.id: dict(j.throughput) for j in jobs},
        capacity={"v100": 8, "p100": 8, "k80": 8},
        gavel=gavel,
    )


def fresh(data: FairnessInput) -> dict[str, dict[str, float]]:
    types = sorted(data.capacity)
    columns = _columns(data, types, sum(data.capacity.values()))
    highs = highspy.Highs()  # type: ignore[no-untyped-call]
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", 1)
    if data.gavel:
        highs.setOptionValue("solver", "ipm")
        highs.setOptionValue("run_crossover", "off")
    highs.passModel(_lp(data, types, columns))
    highs.run()
    return _extract(data, columns, list(highs.getSolution().col_value))


def test_reused_solver_answers_as_a_fresh_one_in_both_modes() -> None:
    """Sizes and modes interleaved (a big model after a small one and back, gavel after own), each
    answer equal to the fresh solver's to the last bit."""
    sequence = [inputs(n, seed, gavel) for n, seed, gavel in ((12, 0, True), (30, 1, True), (12, 0, False))]
    sequence += [inputs(5, 2, True), sequence[0], inputs(30, 1, False), sequence[1]]
    for data in sequence:
        assert solve_max_min(data) == fresh(data)

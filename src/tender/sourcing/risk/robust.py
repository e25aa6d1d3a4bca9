"""`tender plan --robust`: which solve method for K samples, and the subproblems of the decomposition.

1. `method`: `extensive` (one HiGHS model, `extensive.py`), `benders` (the decomposition,
   `benders.py`), or `auto`: the extensive form for K <= AUTO_EXTENSIVE_MAX, else Benders;
2. Benders' subproblems are built by `pool(...)` if given (the CLI's process pool), else here, one
   after the other (`subproblems.Local`);
3. both return a `Robust` (the first stage, the SAA objective, status, gap; Benders also its
   iterations and lower bound).
"""

from __future__ import annotations

from collections.abc import Callable

from tender.domain import Scenario
from tender.sourcing.risk.benders import Pool, solve_benders
from tender.sourcing.risk.extensive import START_SAMPLES, Robust, solve_extensive
from tender.sourcing.risk.first_stage import FirstStage
from tender.sourcing.risk.saa_sample import Protocol, protocol
from tender.sourcing.risk.subproblems import Local
from tender.sourcing.types import PlanOptions

METHODS = ("auto", "extensive", "benders")
# measured: K = 100 extensive optimal in 190 CPU-s; Benders 1,904 s, 6.8 % gap (bench/README.md)
AUTO_EXTENSIVE_MAX = 100

# Builds the subproblems of samples 0..K-1: (scenario, protocol, seed, K, options) -> a Pool.
PoolFactory = Callable[[Scenario, Protocol, int, int, PlanOptions], Pool]


def chosen(method: str, samples: int) -> str:
    if method == "auto":
        return "extensive" if samples <= AUTO_EXTENSIVE_MAX else "benders"
    return method


def local_pool(sc: Scenario, proto: Protocol, seed: int, samples: int, options: PlanOptions) -> Pool:
    return Local(sc, proto, seed, range(samples), options, sc.calendar.month_start(1))


def solve_robust(
    sc: Scenario,
    answers: FirstStage,
    seed: int,
    samples: int,
    options: PlanOptions,
    method: str = "auto",
    pool: PoolFactory | None = None,
) -> Robust:
    if chosen(method, samples) == "extensive":
        return solve_extensive(sc, answers, seed, samples, options)
    start = solve_extensive(sc, answers, seed, min(samples, START_SAMPLES), options).first
    proto = protocol(sc, options, sc.calendar.month_start(1))
    subs = (pool or local_pool)(sc, proto, seed, samples, options)
    return solve_benders(sc, answers, subs, options, start)

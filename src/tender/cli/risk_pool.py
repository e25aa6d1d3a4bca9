"""Run the samples of a study: in this process, in a local process pool, or as Ray tasks.

1. every sample is `sourcing.risk.evaluate(scenario, first_stage, seed, index, options)`: a pure
   function of its inputs, so where it runs does not change its result;
2. with `share` (`--share-futures`), samples with the same future share one re-plan
   (`sourcing.risk.classes`): the first sample of each future is evaluated, a later one only when a
   holder's coin could have changed the first one's answers; without it every sample is re-planned;
3. `workers == 1`: one after the other here; `workers > 1`: a `spawn` process pool whose workers load
   the scenario file once (initializer) and evaluate indices as they come;
4. outcomes are put back in sample order before anything is computed from them.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from tender.config.load import load_scenario
from tender.domain import Scenario
from tender.sourcing import PlanOptions
from tender.sourcing.risk.classes import expand, representatives
from tender.sourcing.risk.evaluate import Outcome, evaluate
from tender.sourcing.risk.first_stage import FirstStage
from tender.sourcing.risk.sampler import inputs

Done = Callable[[int], None]

_STATE: dict[str, object] = {}


def _init(path: str, first: FirstStage, seed: int, options: PlanOptions) -> None:
    _STATE.update(scenario=load_scenario(path), first=first, seed=seed, options=options)


def _one(index: int) -> Outcome:
    sc = _STATE["scenario"]
    first = _STATE["first"]
    seed = _STATE["seed"]
    options = _STATE["options"]
    assert isinstance(sc, Scenario) and isinstance(first, FirstStage)
    assert isinstance(seed, int) and isinstance(options, PlanOptions)
    return evaluate(sc, first, seed, index, options)


def run_local(
    path: Path,
    sc: Scenario,
    first: FirstStage,
    seed: int,
    samples: int,
    workers: int,
    options: PlanOptions,
    done: Done,
    share: bool = False,
) -> list[Outcome]:
    reps = representatives(inputs(sc), seed, samples) if share else list(range(samples))
    if workers <= 1:

        def here(indices: Sequence[int]) -> list[Outcome]:
            out = []
            for i in indices:
                out.append(evaluate(sc, first, seed, i, options))
                done(1)
            return out

        return expand(reps, here, done)
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=ctx, initializer=_init, initargs=(str(path), first, seed, options)
    ) as pool:

        def pooled(indices: Sequence[int]) -> list[Outcome]:
            futures = {pool.submit(_one, i): i for i in indices}
            results: dict[int, Outcome] = {}
            for fut in as_completed(futures):
                results[futures[fut]] = fut.result()
                done(1)
            return [results[i] for i in indices]

        return expand(reps, pooled, done)

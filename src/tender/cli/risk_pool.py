"""Run the samples of a study: in this process, in a local process pool, or as Ray tasks.

1. the samples go in batches (`sourcing.risk.classes.batches`): with `share` (the default,
   `--share-futures`) one batch per distinct future, largest first; with `--no-share-futures` one
   sample per batch;
2. a batch is `classes.evaluate_group(scenario, first_stage, seed, batch, options)`: a pure function
   of its inputs (a sample is re-planned unless an earlier re-plan of its future fits its own holder
   coin), so where it runs does not change any result;
3. `workers == 1`: one batch after the other here; `workers > 1`: a `spawn` process pool whose workers
   load the scenario file once (initializer) and take batches as they come;
4. outcomes are put back in sample order before anything is computed from them.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from tender.config.load import load_scenario
from tender.domain import Scenario
from tender.sourcing import PlanOptions
from tender.sourcing.risk.classes import batches, evaluate_group
from tender.sourcing.risk.evaluate import Outcome
from tender.sourcing.risk.first_stage import FirstStage
from tender.sourcing.risk.sampler import inputs

Done = Callable[[int], None]

_STATE: dict[str, object] = {}


def _init(path: str, first: FirstStage, seed: int, options: PlanOptions) -> None:
    _STATE.update(scenario=load_scenario(path), first=first, seed=seed, options=options)


def _batch(indices: list[int]) -> list[Outcome]:
    sc = _STATE["scenario"]
    first = _STATE["first"]
    seed = _STATE["seed"]
    options = _STATE["options"]
    assert isinstance(sc, Scenario) and isinstance(first, FirstStage)
    assert isinstance(seed, int) and isinstance(options, PlanOptions)
    return evaluate_group(sc, first, seed, indices, options)


def run_local(
    path: Path,
    sc: Scenario,
    first: FirstStage,
    seed: int,
    samples: int,
    workers: int,
    options: PlanOptions,
    done: Done,
    share: bool = True,
) -> list[Outcome]:
    work = batches(inputs(sc), seed, samples, share)
    results: dict[int, Outcome] = {}
    if workers <= 1:
        for batch in work:
            results.update((o.sample, o) for o in evaluate_group(sc, first, seed, batch, options))
            done(len(batch))
        return [results[i] for i in range(samples)]
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=ctx, initializer=_init, initargs=(str(path), first, seed, options)
    ) as pool:
        futures = {pool.submit(_batch, batch): len(batch) for batch in work}
        for fut in as_completed(futures):
            results.update((o.sample, o) for o in fut.result())
            done(futures[fut])
    return [results[i] for i in range(samples)]

"""Run `tender compare --samples`: every (variant, sample) pair here, in a local process pool, or on Ray.

1. a task is (variant j, sample i) -> `sourcing.compare.sampled.sample_one`: a pure function of the
   variant's scenario, the base's uncertain inputs, the seed and i, so where it runs does not change
   its result;
2. `workers == 1`: one after the other here; `workers > 1`: a `spawn` pool (as `tender risk`'s
   `risk_pool`) whose workers get the scenarios once (initializer);
3. `--ray ADDRESS`: the same tasks as Ray tasks (the address checked and the package shipped as in
   `risk_ray`), the scenarios put in the object store once;
4. results go back in (variant, sample) order before anything is computed from them.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any

from tender.cli.risk_ray import gather, joined
from tender.domain import Scenario
from tender.sourcing import PlanOptions
from tender.sourcing.compare.accounts import Accounts
from tender.sourcing.compare.sampled import sample_one
from tender.sourcing.risk.sampler import Inputs

Done = Callable[[int], None]
_STATE: dict[str, Any] = {}


def _init(
    scenarios: list[Scenario], inp: Inputs, seed: int, options: PlanOptions, primary: str | None
) -> None:
    _STATE.update(scenarios=scenarios, inp=inp, seed=seed, options=options, primary=primary)


def _one(j: int, i: int) -> Accounts:
    s = _STATE
    return sample_one(s["scenarios"][j], s["inp"], s["seed"], i, s["options"], s["primary"])


def _ordered(results: dict[tuple[int, int], Accounts], variants: int, samples: int) -> list[list[Accounts]]:
    return [[results[(j, i)] for i in range(samples)] for j in range(variants)]


def run_local(
    scenarios: list[Scenario],
    inp: Inputs,
    seed: int,
    samples: int,
    workers: int,
    options: PlanOptions,
    primary: str | None,
    done: Done,
) -> list[list[Accounts]]:
    tasks = [(j, i) for i in range(samples) for j in range(len(scenarios))]
    results: dict[tuple[int, int], Accounts] = {}
    if workers <= 1:
        _init(scenarios, inp, seed, options, primary)
        for j, i in tasks:
            results[(j, i)] = _one(j, i)
            done(1)
        return _ordered(results, len(scenarios), samples)
    ctx = multiprocessing.get_context("spawn")
    initargs = (scenarios, inp, seed, options, primary)
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=ctx, initializer=_init, initargs=initargs
    ) as pool:
        futures = {pool.submit(_one, j, i): (j, i) for j, i in tasks}
        for fut in as_completed(futures):
            results[futures[fut]] = fut.result()
            done(1)
    return _ordered(results, len(scenarios), samples)


def _remote_one(
    scenario: Scenario, inp: Inputs, seed: int, index: int, options: PlanOptions, primary: str | None
) -> Accounts:
    return sample_one(scenario, inp, seed, index, options, primary)


def run_ray(
    address: str,
    scenarios: list[Scenario],
    inp: Inputs,
    seed: int,
    samples: int,
    options: PlanOptions,
    primary: str | None,
    done: Done,
) -> list[list[Accounts]]:
    with joined(address) as ray:
        task: Any = ray.remote(num_cpus=1)(_remote_one)
        refs = [ray.put(sc) for sc in scenarios]
        inp_ref = ray.put(inp)
        pending = {
            task.remote(refs[j], inp_ref, seed, i, options, primary): (j, i)
            for i in range(samples)
            for j in range(len(scenarios))
        }
        return _ordered(gather(ray, pending, done), len(scenarios), samples)

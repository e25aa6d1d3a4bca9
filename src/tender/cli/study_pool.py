"""Run the evaluation samples of a `--robust` study here, in a local `spawn` process pool, or on Ray.

1. the evaluation samples go in batches, one per distinct future (`sourcing.risk.study.study_batches`,
   largest first); a batch is `study.study_group(...)`, or its two parts apart (`stages_part`: both
   first stages; `wait_and_see_part`): pure functions of their inputs, each sample's re-plans
   shared within its future exactly as `tender risk`'s (`sourcing.risk.classes`);
2. `workers == 1`: one batch after the other in this process; `workers > 1`: a `StudyPool` whose
   workers load the scenario file once (initializer) and run the parts as tasks, the wait-and-see
   plans submitted when it starts, before any plan is made (`plan_robust` overlaps them with its
   deterministic plan and robust solve); `--ray ADDRESS` (`run_study_ray`): `study_group` calls as Ray
   tasks (the cluster joined as `risk_ray.joined` does: this checkout's package shipped), the
   scenario and both first stages put in the object store once;
3. results are put back in sample order before anything is computed from them;
4. `SubproblemPool`: the subproblems of `tender plan --robust --method benders`, each sample held by
   one worker for the whole solve (`sourcing.risk.benders`).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from decimal import Decimal
from pathlib import Path
from typing import Any

from tender.config.load import load_scenario
from tender.domain import Scenario
from tender.sourcing import PlanOptions
from tender.sourcing.risk.evaluate import Outcome
from tender.sourcing.risk.first_stage import FirstStage
from tender.sourcing.risk.saa_sample import Protocol
from tender.sourcing.risk.study import (
    Triple,
    stages_part,
    study_all,
    study_batches,
    study_group,
    wait_and_see_part,
)
from tender.sourcing.risk.subproblems import Cut, Local, Point, Shape

Done = Callable[[int], None]

_STATE: dict[str, object] = {}


def _init(path: str, seed: int, options: PlanOptions) -> None:
    _STATE.update(scenario=load_scenario(path), seed=seed, options=options)


def _state() -> tuple[Scenario, int, PlanOptions]:
    sc, seed, options = _STATE["scenario"], _STATE["seed"], _STATE["options"]
    assert isinstance(sc, Scenario) and isinstance(seed, int) and isinstance(options, PlanOptions)
    return sc, seed, options


def _stages(stages: tuple[FirstStage, FirstStage], batch: list[int]) -> tuple[list[Outcome], list[Outcome]]:
    sc, seed, options = _state()
    return stages_part(sc, stages, seed, batch, options)


def _wait_and_see(batch: list[int]) -> list[Decimal]:
    sc, seed, options = _state()
    return wait_and_see_part(sc, seed, batch, options)


class StudyPool:
    """Steps 1-3 on `workers` processes, overlapped with `plan --robust`'s own solves: the pool starts
    before the deterministic plan with every batch's wait-and-see plans (they depend on no plan), so
    the workers spawn, load the scenario and run them while this process plans and solves the robust
    plan; `stages(det, rob)` submits both first stages' re-plans; `triples(done)` gathers them in
    sample order (`done` is told a batch's samples once both its parts are in)."""

    def __init__(
        self,
        path: Path,
        sc: Scenario,
        seed: int,
        samples: int,
        workers: int,
        options: PlanOptions,
        share: bool = True,
    ) -> None:
        self.samples = samples
        self.work = study_batches(sc, seed, samples, share)
        ctx = multiprocessing.get_context("spawn")
        init = (str(path), seed, options)
        self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init, initargs=init)
        self.parts: dict[Future[Any], tuple[str, int]] = {}
        for n, batch in enumerate(self.work):  # largest futures first
            self.parts[self.pool.submit(_wait_and_see, batch)] = ("wait_and_see", n)

    def stages(self, det: FirstStage, rob: FirstStage) -> None:
        for n, batch in enumerate(self.work):
            self.parts[self.pool.submit(_stages, (det, rob), batch)] = ("stages", n)

    def triples(self, done: Done) -> list[Triple]:
        found: dict[tuple[str, int], Any] = {}
        for fut in as_completed(self.parts):
            part, n = self.parts[fut]
            found[part, n] = fut.result()
            if ("stages", n) in found and ("wait_and_see", n) in found:
                done(len(self.work[n]))
        results: dict[int, Triple] = {}
        for n, batch in enumerate(self.work):
            (eev, rp), ws = found["stages", n], found["wait_and_see", n]
            results.update(zip(batch, (Triple(*t) for t in zip(eev, rp, ws, strict=True)), strict=True))
        return [results[i] for i in range(self.samples)]

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def run_study(
    path: Path,
    sc: Scenario,
    stages: tuple[FirstStage, FirstStage],
    seed: int,
    samples: int,
    workers: int,
    options: PlanOptions,
    done: Done,
    share: bool = True,
) -> list[Triple]:
    """Both first stages known: one batch after the other here (`workers == 1`), else a `StudyPool`."""
    if workers <= 1:
        return study_all(sc, stages, seed, samples, options, share, done)
    pool = StudyPool(path, sc, seed, samples, workers, options, share)
    try:
        pool.stages(*stages)
        return pool.triples(done)
    finally:
        pool.close()


def run_study_ray(
    address: str,
    sc: Scenario,
    stages: tuple[FirstStage, FirstStage],
    seed: int,
    samples: int,
    options: PlanOptions,
    done: Done,
) -> list[Triple]:
    from tender.cli.risk_ray import gather, joined

    det, rob = stages
    work = study_batches(sc, seed, samples)
    with joined(address) as ray:
        task: Any = ray.remote(num_cpus=1)(study_group)
        sc_ref, det_ref, rob_ref = ray.put(sc), ray.put(det), ray.put(rob)
        pending = {task.remote(sc_ref, det_ref, rob_ref, seed, b, options): n for n, b in enumerate(work)}
        found = gather(ray, pending, done, lambda n: len(work[n]))
    results = {i: t for n, batch in enumerate(work) for i, t in zip(batch, found[n], strict=True)}
    return [results[i] for i in range(samples)]


class SubproblemPool:
    """Benders' subproblems (`sourcing.risk.subproblems`) in `workers` processes: worker w holds the
    samples w, w + W, w + 2W, ... for the whole solve (each its own warm-started HiGHS instance), so
    every sample sees the same sequence of first stages on 1 or W workers; answers in sample order."""

    def __init__(
        self, path: Path, proto: Protocol, seed: int, samples: int, options: PlanOptions, workers: int
    ) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.parts = [list(range(w, samples, workers)) for w in range(min(workers, samples))]
        self.pools = [
            ProcessPoolExecutor(
                max_workers=1,
                mp_context=ctx,
                initializer=_init_subproblems,
                initargs=(str(path), proto, seed, part, options),
            )
            for part in self.parts
        ]

    def _gather(self, name: str, *args: object) -> list[Any]:
        futures = [pool.submit(_call, name, *args) for pool in self.pools]
        by_sample: dict[int, Any] = {}
        for part, fut in zip(self.parts, futures, strict=True):
            by_sample.update(zip(part, fut.result(), strict=True))
        return [by_sample[i] for i in sorted(by_sample)]

    def shapes(self) -> list[Shape]:
        return self._gather("shapes")

    def cuts(self, x: Point) -> list[Cut]:
        return self._gather("cuts", x)

    def values(self, x: Point) -> list[tuple[float, float]]:
        return self._gather("values", x)

    def close(self) -> None:
        for pool in self.pools:
            pool.shutdown()


_LOCAL: dict[str, Local] = {}


def _init_subproblems(path: str, proto: Protocol, seed: int, part: list[int], options: PlanOptions) -> None:
    sc = load_scenario(path)
    _LOCAL["subs"] = Local(sc, proto, seed, part, options, sc.calendar.month_start(1))


def _call(name: str, *args: object) -> list[Any]:
    result: list[Any] = getattr(_LOCAL["subs"], name)(*args)
    return result

"""Gavel 1f6f02e's FIFO allocations (compat mode only): which type each job is allotted at a reset.

Both follow `scheduler/policies/fifo.py` of that commit, behaviour for behaviour:

* **fifo (base mode), a copied bug.** Gavel draws `worker_type_idx = rng.randrange(...)` among the
  types with room, but never sets `worker_type` from it: `worker_type` keeps the value the loop
  `for i, worker_type in enumerate(available_worker_types)` left behind, i.e. the alphabetically
  last type that still has a free GPU (v100 > p100 > k80), whether or not it has room for the job.
  The random index is then used to remove a (possibly different) type from the list once the chosen
  one reaches exactly 0 free, so the last type can be over-booked; over-booked jobs time-share by
  priority in the rounds. Choices persist until the job ends; a finished job's type passes to the
  queue head if it fits; allocation stops at the first job that fits nowhere (no backfill); the RNG
  is `random.Random(seed)`. Tender's own `fifo` keeps the intended random pick (`scorers.py`).
* **fifo_perf**: the allocation is rebuilt from scratch at every reset; every active job, oldest
  first, goes to its fastest type with room (the first in alphabetical order on ties), so running
  jobs migrate for free; it also stops at the first job that fits nowhere.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tender.placement.model import JobRequest

Rates = Mapping[str, Mapping[str, float]]  # job -> type -> work units/s (0 or absent: cannot run)


@dataclass(frozen=True)
class FifoChoice:
    """The allotted type of each job, as (arrival, job id, type) sorted like Gavel's job ids."""

    assigned: tuple[tuple[float, str, str], ...]
    rng_state: object


def fifo_base(
    jobs: Sequence[JobRequest],
    rates: Rates,
    capacity: Mapping[str, int],
    previous: Sequence[tuple[float, str, str]],
    rng_state: object,
    seed: int,
) -> FifoChoice:
    """Gavel's `FIFOPolicy(mode='base').get_allocation`; `jobs` are the active jobs, oldest first."""
    rng = random.Random(seed)
    if rng_state is not None:
        rng.setstate(rng_state)  # type: ignore[arg-type]
    active = {job.id: job for job in jobs}
    available = dict(capacity)
    alloc: dict[str, tuple[float, str]] = {job_id: (arrival, gpu) for arrival, job_id, gpu in previous}
    queue = [job for job in jobs if job.id not in alloc]
    # 1. Finished jobs hand their type to the queue head if it fits there; others hold their GPUs.
    for _arrival, job_id, gpu in sorted(previous):
        if job_id in active:
            available[gpu] -= active[job_id].gpus
            continue
        if queue:
            head = queue[0]
            if head.gpus <= available[gpu] and rates[head.id].get(gpu, 0.0) > 0.0:
                queue.pop(0)
                alloc[head.id] = (head.arrival, gpu)
                available[gpu] -= head.gpus
        del alloc[job_id]
    # 2. The queue onto the types with a free GPU (sorted by name), with the copied bug.
    types = sorted(gpu for gpu, n in available.items() if n > 0)
    while queue and types:
        job = queue.pop(0)
        fits = [i for i, gpu in enumerate(types) if available[gpu] >= job.gpus]
        if not fits:
            break
        idx = rng.randrange(len(fits))
        gpu = types[-1]  # Gavel's bug: the loop variable, not types[fits[idx]]
        if rates[job.id].get(gpu, 0.0) > 0.0:
            alloc[job.id] = (job.arrival, gpu)
            available[gpu] -= job.gpus
            if available[gpu] == 0:
                types.pop(fits[idx])
    assigned = tuple(sorted((arrival, job_id, gpu) for job_id, (arrival, gpu) in alloc.items()))
    return FifoChoice(assigned, rng.getstate())


def fifo_perf(jobs: Sequence[JobRequest], rates: Rates, capacity: Mapping[str, int]) -> FifoChoice:
    """Gavel's `FIFOPolicyWithPerf.get_allocation`: every active job re-placed, oldest first."""
    available = dict(capacity)
    types = sorted(gpu for gpu, n in available.items() if n > 0)
    assigned: list[tuple[float, str, str]] = []
    for job in jobs:
        if not types:
            break
        fits = [gpu for gpu in types if available[gpu] >= job.gpus]
        if not fits:
            break
        best = fits[0]
        for gpu in fits[1:]:
            if rates[job.id].get(gpu, 0.0) > rates[job.id].get(best, 0.0):
                best = gpu
        if rates[job.id].get(best, 0.0) > 0.0:
            assigned.append((job.arrival, job.id, best))
            available[best] -= job.gpus
            if available[best] == 0:
                types.remove(best)
    return FifoChoice(tuple(sorted(assigned)), None)

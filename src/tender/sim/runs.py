"""What one replay keeps per job and returns (`sim.runner.Replay` fills them in).

1. `JobRun`: a job's mutable bookkeeping (pool, progress, segments, attained service);
2. `Outcome`: the replay's result (runs, rejections, GPU-seconds per pool, the busy/queued timeline);
3. `RemainingWork` and `AttainedService`: read-only views the placement core asks for in a round,
   and `served_so_far` (service per GPU type, running segments included).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from tender.placement import JobRequest, Verdict


@dataclass(slots=True)
class JobRun:
    """Mutable per-job bookkeeping of one replay (slots: the replay reads and writes these fields
    on every start, stop and completion)."""

    job: JobRequest
    remaining: float
    pool: str | None = None
    gpu: str = ""
    seg_start: float = 0.0  # GPUs held since
    work_start: float = 0.0  # progress resumes (after the restore overhead)
    rate: float = 0.0
    first_start: float | None = None
    finish: float | None = None
    generation: int = 0
    restore_due: bool = False
    evicted_from: str | None = None
    preemptions: int = 0
    failovers: int = 0
    # The pool of each run segment, in order (a tuple, one the garbage collector stops tracking:
    # a list per job would be one more object for every full collection of a long replay to walk).
    segment_pools: tuple[str, ...] = ()
    attained: dict[str, float] = field(default_factory=dict)
    # Gavel compat with integer steps: this round's micro-task (steps, and when they are done).
    task_steps: float = 0.0
    task_end: float = 0.0
    task_fails: bool = False  # Gavel's gang bug: fewer steps than GPUs (see `sim.micro_tasks`)
    failures: int = 0  # failed tasks in a row

    @property
    def ran_on(self) -> list[str]:
        """The pool of each run segment, in order (a new list per read)."""
        return list(self.segment_pools)


@dataclass
class Outcome:
    runs: dict[str, JobRun]
    rejected: dict[str, Verdict]
    gpu_seconds: dict[str, float]
    timeline: list[tuple[float, int, int]]  # (time, busy GPUs, queued jobs) at each decision
    events: int = 0
    decisions: int = 0
    lp_solves: int = 0
    end: float = 0.0
    failed: list[str] = field(default_factory=list)  # compat: jobs Gavel drops after failed tasks


class RemainingWork(Mapping[str, float]):
    def __init__(self, runs: Mapping[str, JobRun]) -> None:
        self._runs = runs

    def __getitem__(self, key: str) -> float:
        return self._runs[key].remaining

    def __iter__(self) -> Iterator[str]:
        return iter(self._runs)

    def __len__(self) -> int:
        return len(self._runs)


class AttainedService(Mapping[str, Mapping[str, float]]):
    """Seconds of service per active job per GPU type at `now`, computed when a job is looked up
    (a round often reads only a few jobs)."""

    def __init__(self, runs: Mapping[str, JobRun], active: Mapping[str, JobRequest], now: float) -> None:
        self._runs, self._active, self._now = runs, active, now

    def __getitem__(self, key: str) -> Mapping[str, float]:
        if key not in self._active:
            raise KeyError(key)
        run = self._runs[key]
        if run.pool is None:
            return run.attained
        out = dict(run.attained)
        out[run.gpu] = out.get(run.gpu, 0.0) + self._now - run.seg_start
        return out

    def __iter__(self) -> Iterator[str]:
        return iter(self._active)

    def __len__(self) -> int:
        return len(self._active)


def served_so_far(
    banked: Mapping[str, float], runs: Mapping[str, JobRun], running: Iterable[str], now: float
) -> dict[str, float]:
    """Seconds served per GPU type at `now`: the banked (finished segments) plus each running job's
    segment so far (a gang counts once)."""
    served = dict(banked)
    for job_id in running:
        run = runs[job_id]
        served[run.gpu] = served.get(run.gpu, 0.0) + now - run.seg_start
    return served

"""Gavel compat rounds as micro-tasks (`--compat 1f6f02e`), the bookkeeping `sim.runner.Replay` drives.

Follows 1f6f02e's `scheduler.py` (`simulate`, `_get_num_steps`, `_done_callback`,
`_reset_time_run_so_far`):

1. `plan`: each running job gets `min(int(rate x round), steps left)` steps, ending at its start +
   steps / rate; the round ends at the latest end; a job's last task is reported so the replay
   schedules its completion;
2. `settle` (at the round's end): steps done, and each task's execution time, end - Gavel's
   `current_round_start_time` (the end of the last round that ran a task: after an idle gap, a
   stale one), credited to the job's service record (`JobRun.attained`) and to Gavel's counters since the last reset
   (`job_time`, `type_time`, in the order Gavel's loop adds them: the longest task first);
3. `restart` after the core resets the allocation; `arrive` gives a new job its initial credit.

A copied bug (`settle`): Gavel splits a gang's steps over its workers as `steps // gpus` each (the
last takes the rest) and fails a micro-task in which a worker got 0 steps, so a gang's last task
with fewer steps than GPUs fails (no progress, no credit, an allocation update is asked for) and
after `MAX_FAILED_TASKS` failures in a row the job is dropped (Gavel leaves it out of the JCT).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from operator import attrgetter

from tender.placement.model import GavelClock
from tender.sim.runs import JobRun

MAX_FAILED_TASKS = 5  # Gavel's MAX_FAILED_ATTEMPTS
_TASK_END = attrgetter("task_end")


class MicroTasks:
    def __init__(self, gpu_types: Iterable[str], round_s: float, initial_credit: float) -> None:
        self.gpu_types = sorted(set(gpu_types))
        self.round_s, self.initial_credit = round_s, initial_credit
        self.credit_from = 0.0  # Gavel's current_round_start_time for this round's tasks
        self.last_round_end = 0.0  # when the last round that ran a task ended (0 before any)
        self.under_way = False  # the round under way runs at least one task
        self.done: list[JobRun] = []  # jobs whose last task ended in the round under way
        self.job_time: dict[str, dict[str, float]] = {}  # Gavel's counters since the last reset
        self.type_time: dict[str, float] = {}
        self.update_asked = False  # a failed task since the last reset (Gavel's flag)
        self.failed = False  # a task failed in the round settled last

    def clock(self) -> GavelClock:
        return GavelClock(self.job_time, self.type_time, self.update_asked)

    def arrive(self, job_id: str) -> None:
        """Gavel's `add_job`: the initial credit on every type."""
        self.job_time[job_id] = dict.fromkeys(self.gpu_types, self.initial_credit)

    def restart(self, job_ids: Iterable[str], credited_jobs: int) -> None:
        """After an allocation reset (`_reset_time_run_so_far`): the counters start again."""
        credit = self.initial_credit
        self.job_time = {job_id: dict.fromkeys(self.gpu_types, credit) for job_id in job_ids}
        self.type_time = dict.fromkeys(self.gpu_types, credited_jobs * credit)
        self.update_asked = False

    def credit(self, job_id: str, gpu: str, seconds: float) -> None:
        """Gavel's `_done_callback`: a task's execution time on its job's and its type's counter."""
        times = self.job_time.get(job_id)
        if times is not None:
            times[gpu] = times.get(gpu, 0.0) + seconds
        self.type_time[gpu] = self.type_time.get(gpu, 0.0) + seconds

    def plan(self, running: Sequence[JobRun]) -> tuple[float | None, list[JobRun]]:
        """1. The round's tasks: (the round's end or None, the jobs whose last task this is)."""
        self.credit_from = self.last_round_end
        round_s = self.round_s
        end: float | None = None
        last: list[JobRun] = []
        for run in running:
            rate, remaining = run.rate, run.remaining
            full = math.floor(rate * round_s) or rate * round_s  # (a job too slow)
            steps = full if full <= remaining else remaining  # = min(full, remaining)
            run.task_steps = steps
            run.task_end = task_end = run.work_start + steps / rate
            gpus = run.job.gpus
            run.task_fails = fails = gpus > 1 and steps < gpus  # a worker would get 0 steps
            if steps == remaining and not fails:
                last.append(run)
            if end is None or task_end > end:
                end = task_end
        self.under_way = end is not None
        return end, last

    def settle(
        self,
        ongoing: Sequence[JobRun],
        now: float,
        gpu_seconds: dict[str, float],
    ) -> list[JobRun]:
        """2. The round ends at `now`: bank the tasks of `ongoing` (the jobs still running) and of
        the jobs that finished in it; returns the jobs to drop (too many failed tasks) and sets
        `failed` when a task of `ongoing` failed."""
        credit_from = self.credit_from
        self.failed = False
        credited = list(self.done)
        dropped = []
        for run in ongoing:
            pool = run.pool
            assert pool is not None
            gpu_seconds[pool] += run.job.gpus * (now - run.seg_start)
            run.seg_start = run.work_start = now
            if run.task_fails:
                run.failures += 1
                self.update_asked = self.failed = True
                if run.failures >= MAX_FAILED_TASKS:
                    dropped.append(run)
                continue
            run.failures = 0
            credit = run.task_end - credit_from
            run.remaining -= run.task_steps  # exact: an integer off a float above it
            gpu, attained = run.gpu, run.attained
            # `d[k] += x` where the key is there (the usual case), else `d[k] = x`: the same float
            # as `d.get(k, 0.0) + x` (0.0 + x == x for a credit >= 0), without a method call.
            try:
                attained[gpu] += credit
            except KeyError:
                attained[gpu] = credit
            credited.append(run)
        # Gavel's order: the longest task first (`reverse` keeps equal ends in list order, as the
        # ascending sort on -end did).
        credited.sort(key=_TASK_END, reverse=True)
        job_time, type_time = self.job_time, self.type_time
        for run in credited:
            credit = run.task_end - credit_from
            gpu = run.gpu
            times = job_time.get(run.job.id)
            if times is not None:
                try:
                    times[gpu] += credit
                except KeyError:
                    times[gpu] = credit
            try:
                type_time[gpu] += credit
            except KeyError:
                type_time[gpu] = credit
        for run in self.done + dropped:
            job_time.pop(run.job.id, None)
        self.done.clear()
        self.last_round_end = now
        return dropped

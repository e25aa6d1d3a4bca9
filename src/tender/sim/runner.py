"""The replay loop: pop events, advance the virtual clock, ask the scheduler, commit its proposal.

Committing goes through `tender.placement.commit.commit_round` (preemptions, then placements), the
runtime's order too; `Replay` is the committer (`preempt`, `place`: memory and the event heap).

Event-driven policies are asked after every batch of same-time events that changed something;
round-based ones (las_het, or any policy given a round length) only on round ticks. Non-preemptive
policies skip idle rounds: a tick is armed only when an arrival, completion or fault happens.

Long because: one class owns the replay's state. The loop, the job transitions (`_start`, `_stop`,
`_requeue`) and the committer side read and write the same free-GPU counts, running set, queue and
event heap on every event; split into a mixin, the host class would have to set another class's
attributes (the shape issue 18 removed from the runtime).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import Any

from tender.placement import (
    Allocation,
    ClusterState,
    Eligibility,
    JobRequest,
    Placement,
    Pool,
    Preemption,
    RunningJob,
    allow_all,
    explain,
    schedule_round,
)
from tender.placement import Policy as PlacementPolicy
from tender.placement.commit import commit_round
from tender.sim.admission import Admission
from tender.sim.events import Event, EventHeap, Kind, Parts, VirtualClock, next_boundary
from tender.sim.faults import Fault
from tender.sim.micro_tasks import MicroTasks
from tender.sim.runs import AttainedService, JobRun, Outcome, RemainingWork, served_so_far

_NOTHING: Mapping[str, Any] = MappingProxyType({})  # an empty read-only input of a round
_NO_POOLS: frozenset[str] = frozenset()
# The kinds as module constants: `Kind.X` on the enum class costs ~0.13 us a lookup, several per event.
_COMPLETION, _FAULT_START, _ARRIVAL, _TICK = Kind.COMPLETION, Kind.FAULT_START, Kind.ARRIVAL, Kind.TICK


class Replay:
    def __init__(
        self,
        pools: Sequence[Pool],
        policy: PlacementPolicy,
        eligibility: Eligibility = allow_all,
        faults: Sequence[Fault] = (),
        watch: frozenset[str] | None = None,
        progress: Callable[[int], None] | None = None,
        until: float | None = None,
    ) -> None:
        self.until = until
        self.pools = tuple(sorted(pools, key=lambda p: p.id))
        self.by_id = {p.id: p for p in self.pools}
        self.policy = policy
        self.uses_rounds, self.preemptive = policy.uses_rounds, policy.preemptive
        self.greedy = policy.compat is None and not policy.preemptive  # `cycle.greedy_round`
        # Gavel compat: rounds of micro-tasks with integer steps (`sim.micro_tasks`, `_step_round`).
        self.tasks = (
            MicroTasks((p.gpu for p in self.pools), policy.round_length, policy.compat.initial_credit)
            if policy.compat is not None
            else None
        )
        self.batch = policy.compat is not None and policy.compat.batch_rounds
        self.fast_ticks = True  # run a compat round's tick without the heap when nothing comes first
        self.changed = True  # an arrival, completion or fault since the last decided round
        self.eligibility = eligibility
        self.admission = Admission(self.pools, eligibility)  # static feasibility, memoised
        self.faults = faults
        self.watch = watch
        self.progress = progress
        self.heap = EventHeap()
        self.clock = VirtualClock()
        self.free = {p.id: p.count for p in self.pools}
        self.busy = 0  # GPUs held, over every pool
        self.capacity_up = sum(p.count for p in self.pools)  # GPUs of the pools that are up
        self.down: set[str] = set()
        self.down_now: frozenset[str] = _NO_POOLS  # `down` as the rounds read it (rebuilt at faults)
        self.greedy_state: ClusterState | None = None  # greedy rounds' input, reused (`_state`)
        self.active: dict[str, JobRequest] = {}
        self.queue: dict[str, JobRequest] = {}
        self.running: dict[str, RunningJob] = {}
        self.static: dict[str, tuple[Pool, ...]] = {}  # each active job's statically feasible pools
        self.type_service: dict[str, float] = {}  # job-seconds served per GPU type (finished segments)
        self.allocation: Allocation | None = None
        self.pending_tick: float | None = None
        self.stable_until: float | None = None  # the last round's promise (compat), see RoundResult
        self.last_tick: float | None = None
        self.unwatched_done = 0
        self.exhausted = False
        self.arrivals: Iterator[JobRequest] = iter(())
        self.by_arrival: JobRequest | None = None
        self.out = Outcome({}, {}, {p.id: 0.0 for p in self.pools}, [])
        self.remaining = RemainingWork(self.out.runs)  # a live view: one for every round

    # -- the loop -------------------------------------------------------------------------
    def run(self, jobs: Iterable[JobRequest]) -> Outcome:
        self.arrivals = iter(jobs)
        self._next_arrival(self.arrivals)
        for fault in self.faults:
            self.heap.push(Event(fault.start, Kind.FAULT_START, fault.pool_id))
            self.heap.push(Event(fault.end, Kind.FAULT_END, fault.pool_id))
        dirty = False
        heap, out, until, progress = self.heap, self.out, self.until, self.progress
        watch, watched = self.watch, len(self.watch or ())
        # Bound once: the loop runs once per event.
        pop, peek, advance = heap.pop_parts, heap.peek_time, self.clock.advance
        handle, decide = self._handle, self._decide
        event_driven = not self.uses_rounds
        upcoming = peek()  # the next event's time (None: the heap is empty); one peek per event
        while upcoming is not None:
            if until is not None and upcoming > until:
                break  # horizon cap: what is unfinished stays unfinished (reported)
            event = pop()
            now = event[0]
            advance(now)
            out.events += 1
            if progress is not None and out.events % 4096 == 0:
                progress(out.events)
            dirty = handle(event) or dirty
            upcoming = peek()
            if upcoming == now:
                continue  # finish the batch of same-time events first
            if dirty and event_driven:
                decide()
                upcoming = peek()  # a decision schedules completions
            dirty = False
            if (self.exhausted and not self.active) if watch is None else self.unwatched_done >= watched:
                break  # every job (or every watched job) is done or rejected (`_over`, inlined)
        self.out.end = self.clock.seconds
        return self.out

    def _handle(self, event: Parts) -> bool:
        now, kind, subject, generation = event
        if kind is _TICK:
            self.pending_tick = None
            self.last_tick = now
            if self.tasks is not None:
                self._step_round(now, self.tasks)
                return False
            self._decide()
            if self.preemptive and self.active:
                self._arm_tick(now + self.policy.round_length)
            return False
        if kind is _ARRIVAL:
            assert self.by_arrival is not None
            self._arrive(self.by_arrival)
            self._next_arrival(self.arrivals)
        elif kind is _COMPLETION:
            run = self.out.runs[subject]
            if generation != run.generation:
                return False  # stale: the job was preempted since this was scheduled
            tasks = self.tasks
            self._stop(run, now, now - tasks.credit_from if tasks is not None else None)
            if tasks is not None:
                tasks.done.append(run)
            run.remaining = 0.0
            run.finish = now
            del self.active[run.job.id]
            del self.static[run.job.id]
            self._count_done(run.job.id)
        elif kind is _FAULT_START:
            if subject not in self.down and subject in self.by_id:
                self.capacity_up -= self.by_id[subject].count
            self.down.add(subject)
            self._down_changed()
            for job_id in sorted(j for j, r in self.running.items() if r.pool_id == subject):
                run = self.out.runs[job_id]
                run.evicted_from = subject
                if self.tasks is not None:  # a task cut short: its time so far is credited
                    self.tasks.credit(job_id, run.gpu, now - run.seg_start)
                self._stop(run, now)
                self._requeue(run)
            self._reorder_queue()
        else:  # FAULT_END
            if subject in self.down and subject in self.by_id:
                self.capacity_up += self.by_id[subject].count
            self.down.discard(subject)
            self._down_changed()
        if self.policy.compat is not None:
            self.changed = True
            if kind is not _COMPLETION:
                self._arm_tick(now)  # Gavel: an idle cluster starts a round at the next arrival
        elif self.uses_rounds:
            self._arm_tick(next_boundary(now, self.policy.round_length, self.last_tick))
        return True

    # -- transitions ----------------------------------------------------------------------
    def _next_arrival(self, arrivals: Iterator[JobRequest]) -> None:
        job = next(arrivals, None)
        if job is None:
            self.exhausted = True
            return
        if job.arrival < self.clock.seconds:
            raise ValueError(
                f"job {job.id} arrives at {job.arrival}, before {self.clock.seconds}: sort the trace"
            )
        self.by_arrival = job
        self.heap.push_arrival((job.arrival, _ARRIVAL, job.id, 0))

    def _arrive(self, job: JobRequest) -> None:
        self.out.runs[job.id] = JobRun(job, job.work)
        feasible = self.admission.feasible(job)  # = `admit`, keeping the pools
        if not feasible.pools:
            self.out.rejected[job.id] = explain(feasible.rejected)
            self._count_done(job.id)
            return
        self.static[job.id] = feasible.pools
        self.active[job.id] = job
        self.queue[job.id] = job
        if self.tasks is not None:
            self.tasks.arrive(job.id)

    def _count_done(self, job_id: str) -> None:
        if self.watch is not None and job_id in self.watch:
            self.unwatched_done += 1

    def _start(self, run: JobRun, pool: Pool, now: float) -> None:
        job, pool_id = run.job, pool.id
        overhead = self.policy.restore_seconds if run.restore_due else 0.0
        if run.evicted_from is not None and run.evicted_from != pool_id:
            run.failovers += 1
        run.evicted_from = None
        run.pool, run.gpu, run.rate = pool_id, pool.gpu, job.rate_on(pool)
        run.segment_pools += (pool_id,)
        run.seg_start, run.work_start = now, now + overhead
        if run.first_start is None:
            run.first_start = now
        run.generation += 1
        self.free[pool_id] -= job.gpus
        self.busy += job.gpus
        self.running[job.id] = RunningJob(job.id, pool_id, job.gpus, now)
        self.queue.pop(job.id, None)
        if self.tasks is None:  # micro-tasks schedule a completion only for a job's last one
            self.heap.push_completion(run.work_start + run.remaining / run.rate, job.id, run.generation)

    def _stop(self, run: JobRun, now: float, credit: float | None = None) -> None:
        """Release the job's GPUs and bank its progress and service (`credit`: the service to
        bank instead of the time held, Gavel's execution time of a job's last micro-task)."""
        pool_id, gpu, gpus = run.pool, run.gpu, run.job.gpus
        assert pool_id is not None
        held = now - run.seg_start
        served = held if credit is None else credit
        worked = now - run.work_start
        left = run.remaining - run.rate * (worked if worked > 0.0 else 0.0)  # = max(0.0, worked)
        run.remaining = left if left > 0.0 else 0.0
        self.out.gpu_seconds[pool_id] += gpus * held
        run.attained[gpu] = run.attained.get(gpu, 0.0) + served
        self.type_service[gpu] = self.type_service.get(gpu, 0.0) + served
        self.free[pool_id] += gpus
        self.busy -= gpus
        del self.running[run.job.id]
        run.pool = None
        run.generation += 1

    def _requeue(self, run: JobRun) -> None:
        run.restore_due = True
        run.preemptions += 1
        self.queue[run.job.id] = run.job

    def _reorder_queue(self) -> None:
        self.queue = dict(sorted(self.queue.items(), key=lambda kv: (kv[1].arrival, kv[0])))
        self.greedy_state = None  # it views the old queue

    def _down_changed(self) -> None:
        self.down_now = frozenset(self.down) if self.down else _NO_POOLS
        self.greedy_state = None

    # -- rounds ---------------------------------------------------------------------------
    def _step_round(self, now: float, tasks: MicroTasks) -> None:
        """One round of Gavel's micro-tasks (compat mode), as 1f6f02e's `simulate` loop:

        1. settle the round that ends now (`MicroTasks.settle`; a gang dropped after too many
           failed tasks leaves, `Outcome.failed`);
        2. decide, unless nothing happened since the last decided round and the core promised this
           round repeats it (`RoundResult.stable_until`);
        3. give each running job its next task (`MicroTasks.plan`): a job's last task schedules its
           completion; the round ends when its longest task does; with no task, the next round
           starts at the next arrival;
        4. if the round's end is the next event (`_inline_tick`), run that tick here instead of
           through the heap (clock, event count and progress as the loop would) and go to 1.
        """
        runs = self.out.runs
        while True:
            if tasks.under_way:  # 1
                ongoing = [runs[job_id] for job_id in self.running]
                for run in tasks.settle(ongoing, now, self.out.gpu_seconds):
                    self._stop(run, now, 0.0)
                    self.out.failed.append(run.job.id)
                    del self.active[run.job.id]
                    self.static.pop(run.job.id, None)
                    self._count_done(run.job.id)
                if tasks.failed:
                    self.changed = True  # Gavel's _need_to_update_allocation
            stable = self.stable_until
            if self.changed or not self.batch or stable is None or now >= stable:  # 2
                self.changed = False
                self._decide()
            end, last = tasks.plan([runs[job_id] for job_id in self.running])  # 3
            for run in last:
                self.heap.push_completion(run.task_end, run.job.id, run.generation)
            if end is None:
                if self.active and self.exhausted:
                    self._arm_tick(now + self.policy.round_length)  # a finite trace: no arrival will come
                return
            if not self._inline_tick(end):
                self._arm_tick(end)
                return
            now = end  # 4: the tick at `end`, as `run` would pop it
            self.clock.advance(now)
            self.out.events += 1
            if self.progress is not None and self.out.events % 4096 == 0:
                self.progress(self.out.events)
            self.last_tick = now

    def _inline_tick(self, end: float) -> bool:
        """The tick at `end` is what `run` would pop next: no event at or before it (any kind comes
        first at equal times), not past `until`, the run not over. Running it here is the loop's work
        minus the heap push and pop."""
        if not self.fast_ticks or (self.until is not None and end > self.until):
            return False
        after = self.heap.peek_time()
        return (after is None or after > end) and not self._over()

    def _over(self) -> bool:
        """`run`'s stop test: every job (or every watched job) is done or rejected."""
        if self.watch is None:
            return self.exhausted and not self.active
        return self.unwatched_done >= len(self.watch)

    def _arm_tick(self, at: float) -> None:
        if self.pending_tick is None:
            self.pending_tick = at
            self.heap.push(Event(at, _TICK))

    # -- the committer (`tender.placement.commit.Committer`): memory and the event heap --------
    def preempt(self, preemption: Preemption) -> None:
        run = self.out.runs[preemption.job_id]
        self._stop(run, self.clock.seconds)
        self._requeue(run)

    def place(self, placement: Placement) -> bool:
        self._start(self.out.runs[placement.job_id], self.by_id[placement.pool_id], self.clock.seconds)
        return True  # the simulator's state is the round's: a proposal always takes

    # -- one decision ---------------------------------------------------------------------
    def _decide(self) -> None:
        now = self.clock.seconds
        if self.greedy and not self._room_for_queue():
            # `greedy_round` over an empty queue, or with no free GPU on a pool that is up, proposes
            # nothing and examines no job: record the decision without building the state.
            self.out.decisions += 1
            self.out.timeline.append((now, self.busy, len(self.queue)))
            return
        state = self.greedy_state if self.greedy else None
        if state is None:
            state = self._state(now)
            if self.greedy:
                self.greedy_state = state
        result = schedule_round(state, now, self.policy, self.eligibility)
        if result.allocation is not None and result.allocation is not self.allocation:
            self.out.lp_solves += 1
            if self.tasks is not None and result.allocation.gavel is not None:
                self.tasks.restart(self.active, result.allocation.gavel.credited_jobs)
        if result.allocation is not self.allocation:
            self.greedy_state = None  # (greedy rounds never propose one; kept exact anyway)
        self.allocation = result.allocation
        self.stable_until = result.stable_until
        self.out.decisions += 1
        commit_round(result, self)  # preemptions, then placements (`Replay.preempt`, `Replay.place`)
        for job_id in result.rejected() if result.verdicts else ():
            if job_id in self.active and job_id not in self.running:
                self.out.rejected[job_id] = result.verdict(job_id)
                del self.active[job_id]
                self.static.pop(job_id, None)
                self.queue.pop(job_id, None)
                self._count_done(job_id)
        if result.preemptions:
            self._reorder_queue()
        self.out.timeline.append((now, self.busy, len(self.queue)))

    def _state(self, now: float) -> ClusterState:
        """The round's input. Its maps are the replay's own (live, read-only to the core). For the greedy
        policies nothing else in it moves until the queue is re-sorted or a pool goes down or up, so
        `_decide` keeps one (`greedy_state`, dropped at those points) instead of one per decision;
        las_het and compat rounds read service up to `now`, so they get a fresh one."""
        attained: Mapping[str, Mapping[str, float]] = _NOTHING
        # Read-only to the core. Compat rounds read the GavelClock instead (no service records).
        type_service: Mapping[str, float] = self.type_service if self.tasks is None else _NOTHING
        if self.preemptive and self.tasks is None:
            attained = AttainedService(self.out.runs, self.active, now)
            type_service = served_so_far(self.type_service, self.out.runs, self.running, now)
        return ClusterState(
            pools=self.pools,
            free=self.free,
            queued=self.queue.values(),
            running=self.running,
            jobs=self.active,
            remaining=self.remaining,
            down=self.down_now,
            attained=attained,
            allocation=self.allocation,
            static=self.static,
            type_service=type_service,
            gavel_clock=self.tasks.clock() if self.tasks is not None else None,
        )

    def _room_for_queue(self) -> bool:
        """A queued job and a free GPU on a pool that is up (a down pool's jobs were evicted)."""
        return bool(self.queue) and self.busy < self.capacity_up


def replay(
    jobs: Iterable[JobRequest],
    pools: Sequence[Pool],
    policy: PlacementPolicy,
    *,
    eligibility: Eligibility = allow_all,
    faults: Sequence[Fault] = (),
    watch: frozenset[str] | None = None,
    progress: Callable[[int], None] | None = None,
    until: float | None = None,
) -> Outcome:
    """Replay `jobs` (sorted by arrival) on `pools` under `policy`; stop when every job (or every
    watched job) has finished or been rejected."""
    return Replay(pools, policy, eligibility, faults, watch, progress, until).run(jobs)


__all__ = ["JobRun", "Outcome", "Replay", "replay"]

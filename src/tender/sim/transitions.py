"""A replay's job transitions, and the committer side of a round (`sim.runner.Replay` inherits them).

1. `_start`: a job takes its GPUs on a pool (a restored job pays the restore overhead first) and,
   outside compat mode, its completion is scheduled;
2. `_stop`: it releases them and banks progress, GPU-seconds and service (per GPU type);
3. `_requeue` / `_reorder_queue`: a preempted or evicted job waits again, the queue in (arrival, id)
   order;
4. `place` / `preempt`: `tender.placement.commit.Committer`, through which `commit_round` applies a
   round's proposal to the replay's memory and event heap.
"""

from __future__ import annotations

from tender.placement import ClusterState, JobRequest, Placement, Pool, Preemption, RunningJob
from tender.placement import Policy as PlacementPolicy
from tender.sim.events import EventHeap, VirtualClock
from tender.sim.micro_tasks import MicroTasks
from tender.sim.runs import JobRun, Outcome


class Transitions:
    # The replay's state these read and write (`Replay.__init__` sets every one).
    policy: PlacementPolicy
    by_id: dict[str, Pool]
    free: dict[str, int]
    busy: int
    running: dict[str, RunningJob]
    queue: dict[str, JobRequest]
    type_service: dict[str, float]
    tasks: MicroTasks | None
    heap: EventHeap
    clock: VirtualClock
    out: Outcome
    greedy_state: ClusterState | None

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

    # -- the committer (`tender.placement.commit.Committer`): memory and the event heap
    def preempt(self, preemption: Preemption) -> None:
        run = self.out.runs[preemption.job_id]
        self._stop(run, self.clock.seconds)
        self._requeue(run)

    def place(self, placement: Placement) -> bool:
        self._start(self.out.runs[placement.job_id], self.by_id[placement.pool_id], self.clock.seconds)
        return True  # the simulator's state is the round's: a proposal always takes

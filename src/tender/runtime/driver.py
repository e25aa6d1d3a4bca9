"""The live driver: one `tick` observes the engines, repairs drift, schedules and commits.

It drives the very same scheduler as the simulator (`tender.placement.schedule_round`); only the clock
(real) and the adapters (real backends, SQL state) differ. `tick(parts, memory, now)` is the whole cycle,
one helper per step, its collaborators passed in (`parts.Parts`: the `Store`, the backends, the placement
core); `Runtime` holds them between ticks and is what the agent, the CLI and the tests call. One tick:

1. `probe`: every engine's capacity (`unreachable` / `degraded` pools are `down` for the scheduler).
2. `reconcile.reconcile`: open attempts against what their fence wrapper and their engine say
   (`fencing`: a wrapper's record settles an attempt; a lost one is fenced before it is requeued;
   `settle`: finished or lost, metered once, the job ended or requeued).
3. `cancel_requested`: revoke the lease of, and cancel on its engine, each attempt a user asked to cancel.
4. `placing.propose`: `schedule_round(ClusterState, now, policy, contract rules)` proposes placements.
5. `placing.commit_all`: each placement against fresh state: record the attempt (`submitting`), submit,
   record the handle. A refusal is logged and the job requeued (it counts as a retry).
6. `placing.record_waiting`: why every job still waiting waits (the scheduler's verdict), so
   `tender jobs` can show it; a job no pool may ever take is rejected.
"""

from __future__ import annotations

import contextlib
import json
import secrets
from collections.abc import Mapping
from pathlib import Path

from tender.backends import make_backend
from tender.fence.lease import LeaseSettings, revoke
from tender.placement import Policy, PolicyName
from tender.ports import Backend, CapacityReport, Clock, EngineUnreachable
from tender.runtime import queue
from tender.runtime.parts import Memory, Parts, TickReport
from tender.runtime.placing import commit_all, propose, record_waiting
from tender.runtime.pools import RuntimeConfig
from tender.runtime.reconcile import reconcile
from tender.runtime.spec import JobSpec
from tender.runtime.store import JobState, Store


def tick(parts: Parts, memory: Memory, now: float) -> TickReport:
    """One cycle of the runtime (the steps of this module's docstring)."""
    report = TickReport()
    capacity = probe(parts, memory, now, report)  # 1
    reconcile(parts, memory, now, report)  # 2
    cancel_requested(parts, now)  # 3
    queued = parts.store.jobs([JobState.QUEUED])
    if not queued:
        return report
    round_ = propose(parts, queued, capacity, now)  # 4
    placed = commit_all(parts, round_, capacity, now)  # 5
    report.placed.extend(placed)
    record_waiting(parts, round_, capacity, placed, now)  # 6
    return report


def capacities(parts: Parts) -> dict[str, CapacityReport]:
    """Each pool's capacity report, one probe per engine (pools on one adapter share it)."""
    reports: dict[int, CapacityReport] = {}
    out: dict[str, CapacityReport] = {}
    for pool in parts.config.pools:
        backend = parts.backends[pool.id]
        if id(backend) not in reports:
            reports[id(backend)] = backend.capacity()
        out[pool.id] = reports[id(backend)]
    return out


def probe(parts: Parts, memory: Memory, now: float, report: TickReport) -> dict[str, CapacityReport]:
    """Step 1: a pool whose engine is not usable is down, and silent since its first failed probe."""
    capacity = capacities(parts)
    for pool_id, cap in capacity.items():
        if cap.usable:
            memory.silent_since.pop(pool_id, None)
        else:
            report.down[pool_id] = cap.reason or cap.status.value
            memory.silent_since.setdefault(pool_id, now)
    return capacity


def cancel_requested(parts: Parts, now: float) -> None:
    """Step 3: the lease is revoked first (it reaches the wrapper without the engine), then the engine's
    cancel; the attempt settles in a later step 2."""
    wanted = {j["id"] for j in parts.store.jobs([JobState.RUNNING]) if j["cancel_requested"]}
    for attempt in parts.store.open_attempts():
        if attempt["job_id"] not in wanted:
            continue
        lease = parts.lease_of(attempt["pool_id"])
        if lease is not None:
            revoke(lease.dir(attempt["key"]), now)
        if attempt["handle"]:
            with contextlib.suppress(EngineUnreachable, KeyError):
                parts.backends[attempt["pool_id"]].cancel(attempt["handle"])


class Runtime:
    """The runtime's collaborators between ticks, its entry points, and `tick()` (the module's `tick`)."""

    def __init__(
        self,
        store: Store,
        config: RuntimeConfig,
        clock: Clock,
        state_dir: Path,
        backends: Mapping[str, Backend] | None = None,
        policy: Policy | None = None,
        lost_after: float = 60.0,
        lease: LeaseSettings | None = None,
    ) -> None:
        self.store = store
        self.lease = lease or LeaseSettings(state_dir / "leases")
        self.config = config
        self.clock = clock
        self.policy = policy or Policy(name=PolicyName.FIFO_HET, backfill=True)
        if (
            self.policy.preemptive
        ):  # a live attempt is not stopped to make room (the simulator's policies are)
            raise ValueError(f"the runtime does not preempt: policy {self.policy.name} is preemptive")
        self.lost_after = lost_after
        self.backends: dict[str, Backend] = dict(backends or {})
        shared: dict[str, Backend] = {}
        for pool in config.pools:
            if pool.id not in self.backends:
                # Pools on one engine share its adapter; a local (or fake) engine without a `gpus`
                # option has the pool's GPUs, so pools of different sizes get their own.
                sized = pool.backend.kind in ("local", "fake") and "gpus" not in pool.backend.options
                key = json.dumps(
                    [pool.backend.kind, sorted(pool.backend.options.items()), pool.gpus if sized else None]
                )
                if key not in shared:
                    shared[key] = make_backend(
                        pool.backend, state_dir, clock, gpus=pool.gpus, lease=self.lease
                    )
                self.backends[pool.id] = shared[key]
        instance = store.get_setting("instance")
        if instance is None:
            instance = secrets.token_hex(3)
            store.put_setting("instance", instance)
        self.instance = instance
        self.memory = Memory()

    # ---- entry points ---------------------------------------------------------------------
    def use_lease(self, lease: float, renew: float, grace: float) -> None:
        """Set the fence timings of every wrapped engine (`tender agent --lease/--renew/--kill-grace`)."""
        self.lease = LeaseSettings(self.lease.root, lease, renew, grace, self.lease.python)
        for backend in self.backends.values():
            current = getattr(backend, "lease", None)
            if isinstance(current, LeaseSettings):
                backend.lease = LeaseSettings(current.root, lease, renew, grace, current.python)  # type: ignore[attr-defined]

    def now(self) -> float:
        return self.clock.now().timestamp()

    def parts(self) -> Parts:
        """The collaborators of one tick, as they are now (`lost_after`, leases and backends may change)."""
        return Parts(self.store, self.config, self.backends, self.policy, self.instance, self.lost_after)

    def tick(self) -> TickReport:
        return tick(self.parts(), self.memory, self.now())

    def lease_of(self, pool_id: str) -> LeaseSettings | None:
        return self.parts().lease_of(pool_id)

    def backend(self, pool_id: str) -> Backend:
        return self.backends[pool_id]

    def submit(self, spec: JobSpec, *, submitted_by: str = "cli", team: str | None = None) -> str:
        with self.store.write() as s:
            return queue.submit(s, spec, now=self.clock.now(), submitted_by=submitted_by, team=team)

    def request_cancel(self, job_id: str, *, actor: str = "cli") -> bool:
        with self.store.write() as s:
            return queue.request_cancel(s, job_id, now=self.clock.now(), actor=actor)

    def logs(self, job_id: str) -> str:
        for attempt in reversed(self.store.attempts_of(job_id)):
            if attempt["handle"]:
                try:
                    return self.backend(attempt["pool_id"]).logs(attempt["handle"])
                except (EngineUnreachable, KeyError) as exc:
                    return f"(logs unavailable: {exc})\n"
        return ""

    def capacities(self) -> dict[str, CapacityReport]:
        return capacities(self.parts())

"""What one runtime tick works with, passed to every step of `tender.runtime.driver.tick`.

- `Parts`: the collaborators — the `Store`, the pools configuration, one backend per pool, the placement
  core (`schedule_round` and its `Policy`), this runtime's instance id and how long an engine may be silent.
- `Memory`: what the driver remembers between ticks outside the database (since when an engine or a
  handle has been silent); losing it (a restart) only restarts those timers.
- `TickReport`: what one tick did, for the agent's output.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from tender.fence.lease import LeaseSettings
from tender.placement import ClusterState, Eligibility, Policy, RoundResult, schedule_round
from tender.ports import Backend
from tender.runtime.pools import RuntimeConfig
from tender.runtime.store import Store

Scheduler = Callable[[ClusterState, float, Policy, Eligibility], RoundResult]  # the placement core


@dataclass(frozen=True)
class Parts:
    store: Store
    config: RuntimeConfig
    backends: Mapping[str, Backend]  # pool id -> its engine's adapter (pools on one engine share it)
    policy: Policy
    instance: str  # in every attempt key, so runtimes sharing an engine never collide
    lost_after: float  # seconds an engine or a handle may be silent before its attempts are lost
    schedule: Scheduler = schedule_round

    def lease_of(self, pool_id: str) -> LeaseSettings | None:
        """The fence settings of the pool's engine; None for engines without a wrapper (fake)."""
        lease = getattr(self.backends.get(pool_id), "lease", None)
        return lease if isinstance(lease, LeaseSettings) else None


@dataclass
class Memory:
    silent_since: dict[str, float] = field(default_factory=dict)  # pool id -> first failed probe/status
    unknown_since: dict[str, float] = field(default_factory=dict)  # attempt key -> first UNKNOWN


@dataclass
class TickReport:
    placed: list[str] = field(default_factory=list)
    finished: list[str] = field(default_factory=list)
    requeued: list[str] = field(default_factory=list)
    down: dict[str, str] = field(default_factory=dict)

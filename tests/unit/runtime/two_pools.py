"""The runtime tests' common set-up (imported by name): a `Harness` over two fake pools, "a" (provider prov-a)
and "b" (prov-b), 2 H100 each, jobs of 100 s, on a SQLite store in tmp_path (or the `store` given), lost after
30 s of silence, on a hand-moved clock.

Like Nomad's scheduler `Harness`, it records what happened: `Harness.tick()` runs one runtime tick and keeps
its `Tick` (the time and the driver's `TickReport`), so a test can read the history (`placed`, `finished`,
`requeued`, `downs`) beside the store's own rows — two records of one run, written by different code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from tender.backends import FakeBackend
from tender.clocks import ManualClock
from tender.domain.provider import BackendSpec
from tender.runtime.driver import Runtime
from tender.runtime.parts import TickReport
from tender.runtime.pools import PoolConfig, RuntimeConfig
from tender.runtime.spec import JobSpec
from tender.runtime.store import Store


@dataclass(frozen=True)
class Tick:
    at: float  # epoch seconds of the tick
    report: TickReport


@dataclass
class Harness:
    clock: ManualClock
    a: FakeBackend
    b: FakeBackend
    store: Store
    runtime: Runtime
    ticks: list[Tick] = field(default_factory=list)

    def backend(self, pool_id: str) -> FakeBackend:
        return {"a": self.a, "b": self.b}[pool_id]

    def submit(self, spec: JobSpec) -> str:
        return self.runtime.submit(spec)

    def tick(self) -> TickReport:
        """One runtime tick, recorded."""
        report = self.runtime.tick()
        self.ticks.append(Tick(self.clock.now().timestamp(), report))
        return report

    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)

    def placed(self) -> list[str]:
        """Every placement of every recorded tick, in order (a job placed twice appears twice)."""
        return [job for t in self.ticks for job in t.report.placed]

    def finished(self) -> list[str]:
        return [job for t in self.ticks for job in t.report.finished]

    def requeued(self) -> list[str]:
        return [job for t in self.ticks for job in t.report.requeued]

    def downs(self) -> list[dict[str, str]]:
        """Per recorded tick, the pools that were down and why."""
        return [t.report.down for t in self.ticks]


def two_pools(
    tmp_path: Path,
    clock: ManualClock | None = None,
    *,
    prices: dict[str, Decimal] | None = None,
    exclusivity: dict[str, str] | None = None,
    store: Store | None = None,
) -> Harness:
    clock = clock or ManualClock()
    a = FakeBackend(clock, gpus=2, default_seconds=100)
    b = FakeBackend(clock, gpus=2, default_seconds=100)
    pools = []
    for pool, provider in (("a", "prov-a"), ("b", "prov-b")):
        price = {"price_per_gpu_hour": prices[pool]} if prices else {}
        pools.append(PoolConfig(pool, provider, "r", "h100", 2, BackendSpec("fake"), **price))
    config = RuntimeConfig(tuple(pools), exclusivity or {})
    store = store or Store(f"sqlite:///{tmp_path / 'rt.db'}")
    runtime = Runtime(store, config, clock, tmp_path, backends={"a": a, "b": b}, lost_after=30)
    return Harness(clock, a, b, store, runtime)

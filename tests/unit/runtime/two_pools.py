"""The runtime tests' common set-up (imported by name): a Runtime over two fake pools, "a" (provider prov-a)
and "b" (prov-b), 2 H100 each, jobs of 100 s, on a SQLite store in tmp_path (or the `store` given), lost after 30 s of silence."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from step_clock import StepClock
from tender.backends import FakeBackend
from tender.domain.provider import BackendSpec
from tender.runtime.driver import Runtime
from tender.runtime.pools import PoolConfig, RuntimeConfig
from tender.runtime.store import Store


def two_pools(
    tmp_path: Path,
    clock: StepClock | None = None,
    *,
    prices: dict[str, Decimal] | None = None,
    exclusivity: dict[str, str] | None = None,
    store: Store | None = None,
) -> tuple[StepClock, FakeBackend, FakeBackend, Store, Runtime]:
    clock = clock or StepClock()
    a = FakeBackend(clock, gpus=2, default_seconds=100)
    b = FakeBackend(clock, gpus=2, default_seconds=100)
    pools = []
    for pool, provider in (("a", "prov-a"), ("b", "prov-b")):
        price = {"price_per_gpu_hour": prices[pool]} if prices else {}
        pools.append(PoolConfig(pool, provider, "r", "h100", 2, BackendSpec("fake"), **price))
    config = RuntimeConfig(tuple(pools), exclusivity or {})
    store = store or Store(f"sqlite:///{tmp_path / 'rt.db'}")
    runtime = Runtime(store, config, clock, tmp_path, backends={"a": a, "b": b}, lost_after=30)
    return clock, a, b, store, runtime

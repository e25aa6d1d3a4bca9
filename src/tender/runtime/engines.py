"""One capacity truth per engine: several pools may draw on one engine, and each job gets distinct devices.

1. `engine_names(pools, backends)`: pools whose adapter is the same object share one engine (the runtime
   builds one adapter per distinct `backend:` block); the engine is named by the first of its pool ids.
2. `free_gpus(config, capacity, open_attempts, engine_of)` -> (free per pool, free per engine), for
   `ClusterState.free` / `engine_free`:
   - a pool: min(its `gpus`, the engine's total) - GPUs of Tender's open attempts on that pool;
   - an engine: min(the engine's own free GPUs, its total - GPUs of Tender's open attempts on every pool
     of the engine): what others run there counts (the engine's free), and so do Tender's attempts the
     engine has not started yet (its total minus them). An engine that reports no GPU total (no GPU
     accounting) is left out: its pools are limited by their own `gpus`.
3. Devices: Slurm (`--gres=gpu:N` with a gres `File=`) and Ray (`entrypoint_num_gpus`) choose the devices
   and set `CUDA_VISIBLE_DEVICES` themselves; for engines that do not (`local`, `fake`), Tender picks the
   lowest device indices no open attempt on the same engine holds (`pick_devices`), records them on the
   attempt (`runtime_attempts.devices`) and passes `CUDA_VISIBLE_DEVICES` in the request's env.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy.engine import RowMapping

from tender.ports import Backend, CapacityReport
from tender.runtime.pools import PoolConfig, RuntimeConfig

TENDER_ASSIGNS_DEVICES = frozenset({"local", "fake"})  # engine kinds that do not pick devices themselves


def engine_names(pools: Sequence[PoolConfig], backends: Mapping[str, Backend]) -> dict[str, str]:
    """Pool id -> engine name (the smallest pool id on the same adapter)."""
    first: dict[int, str] = {}
    for pool in sorted(pools, key=lambda p: p.id):
        first.setdefault(id(backends[pool.id]), pool.id)
    return {pool.id: first[id(backends[pool.id])] for pool in pools}


def _gpus_by(attempts: Iterable[RowMapping], key: Mapping[str, str] | None = None) -> dict[str, int]:
    used: dict[str, int] = {}
    for attempt in attempts:
        name = attempt["pool_id"] if key is None else key.get(attempt["pool_id"])
        if name is not None:
            used[name] = used.get(name, 0) + int(attempt["gpus"])
    return used


def free_gpus(
    config: RuntimeConfig,
    capacity: Mapping[str, CapacityReport],
    open_attempts: Sequence[RowMapping],
    engine_of: Mapping[str, str],
) -> tuple[dict[str, int], dict[str, int], dict[str, str]]:
    """(free per pool, free per engine, pool -> engine for engines that report a GPU total)."""
    on_pool = _gpus_by(open_attempts)
    on_engine = _gpus_by(open_attempts, engine_of)
    pool_free: dict[str, int] = {}
    engine_free: dict[str, int] = {}
    counted: dict[str, str] = {}
    for pool in config.pools:
        cap = capacity[pool.id]
        limit = min(pool.gpus, cap.total_gpus) if cap.total_gpus else pool.gpus
        pool_free[pool.id] = max(0, limit - on_pool.get(pool.id, 0))
        engine = engine_of[pool.id]
        if cap.total_gpus:
            counted[pool.id] = engine
            engine_free[engine] = max(0, min(cap.free_gpus, cap.total_gpus - on_engine.get(engine, 0)))
    return pool_free, engine_free, counted


def devices_in_use(attempts: Iterable[RowMapping]) -> set[int]:
    held: set[int] = set()
    for attempt in attempts:
        held.update(int(d) for d in str(attempt["devices"] or "").split(",") if d)
    return held


def pick_devices(total: int, in_use: set[int], gpus: int) -> tuple[int, ...] | None:
    """The `gpus` lowest device indices in 0..total-1 not in use, or None if there are not enough."""
    free = [d for d in range(total) if d not in in_use]
    return tuple(free[:gpus]) if len(free) >= gpus else None

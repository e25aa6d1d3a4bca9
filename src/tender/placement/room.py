"""A round's tentative free GPUs: each pool's share, and the engine the pool draws on (one truth per engine).

Several pools may draw on one engine (three providers' pools on one Slurm partition, one local machine):
a pool has room for a gang only if both its own share and its engine have that many GPUs free, and a
placement takes the GPUs from both. Pools without an engine (`ClusterState.engine_of` has no entry) are
limited by their share alone, as before.

1. `Room.of(state, pool_free, engine_free)`: the pools' free GPUs for this round (a dict the caller built
   for it: the room keeps and changes it) and a copy of each engine's free GPUs.
2. `free(pool_id)` = min(pool's free, its engine's free); `view()` is that for every pool.
3. `take(pool_id, gpus)` reserves a placement on both.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tender.placement.model import ClusterState


@dataclass
class Room:
    pool_free: dict[str, int]
    engine_of: Mapping[str, str]
    engine_free: dict[str, int]

    @classmethod
    def of(cls, state: ClusterState, pool_free: dict[str, int], engine_free: Mapping[str, int]) -> Room:
        return cls(pool_free, state.engine_of, dict(engine_free) if engine_free else {})

    def free(self, pool_id: str) -> int:
        own = self.pool_free.get(pool_id, 0)
        engine = self.engine_of.get(pool_id)
        if engine is None:
            return own
        return max(0, min(own, self.engine_free.get(engine, 0)))

    def view(self) -> dict[str, int]:
        if not self.engine_of:
            return self.pool_free
        return {pool_id: self.free(pool_id) for pool_id in self.pool_free}

    def take(self, pool_id: str, gpus: int) -> None:
        self.pool_free[pool_id] = self.pool_free.get(pool_id, 0) - gpus
        engine = self.engine_of.get(pool_id)
        if engine is not None:
            self.engine_free[engine] = self.engine_free.get(engine, 0) - gpus

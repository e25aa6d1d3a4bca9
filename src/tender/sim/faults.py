"""Fault injection: pool outages and spot reclaims, from a schedule or drawn at a seeded rate."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from tender.placement import Pool


@dataclass(frozen=True)
class Fault:
    """Pool `pool_id` is unavailable over [start, end); every job on it is evicted at `start`."""

    pool_id: str
    start: float
    end: float
    kind: str = "outage"  # outage | spot


def seeded_faults(
    pools: Sequence[Pool],
    horizon: float,
    seed: int,
    outages_per_day: float = 0.0,
    spot_reclaims_per_day: float = 0.0,
    mean_duration_s: float = 3600.0,
) -> tuple[Fault, ...]:
    """Poisson outages on every pool and spot reclaims on preemptible pools, exponential durations.

    One `random.Random(seed)` stream, pools visited in id order: same seed, same faults.
    """
    rng = random.Random(seed)
    faults: list[Fault] = []
    for pool in sorted(pools, key=lambda p: p.id):
        for kind, per_day in (("outage", outages_per_day), ("spot", spot_reclaims_per_day)):
            if per_day <= 0 or (kind == "spot" and not pool.preemptible):
                continue
            t = 0.0
            while True:
                t += rng.expovariate(per_day / 86400.0)
                if t >= horizon:
                    break
                duration = rng.expovariate(1.0 / mean_duration_s)
                faults.append(Fault(pool.id, t, t + duration, kind))
                t += duration
    return tuple(sorted(faults, key=lambda f: (f.start, f.pool_id)))

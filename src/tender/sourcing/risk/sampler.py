"""Seeded draws of every uncertain input: sample `index` of `seed` is the same on any machine and worker.

1. `inputs(scenario)` lists what is uncertain, in a fixed (sorted) order, with its distribution
   (`distributions.py`);
2. `draw(inputs, seed, index)`: a numpy `Generator(PCG64(SeedSequence(seed, spawn_key=(index,))))`
   (the `index`-th child of `SeedSequence(seed).spawn`) draws, in that order: per campus n + 1
   standard normals (n phases), then one uniform per delivery slip, demand band and run slip, two
   per ROFR holder, one each for the on-demand and spot multipliers; every draw is taken even when
   its distribution is a point, so adding an input never reorders what comes before it;
3. a campus's phases are tied by an equicorrelated Gaussian copula: x = sqrt(1 - rho) (z - beta z_bar)
   with beta = 1 - sqrt(1 + n rho / (1 - rho)) (x_i = z_0 when rho = 1), u_i = Phi(x_i), and each
   phase's delay is the inverse CDF of its campus's table at u_i;
4. `sample_seed(seed, index)`: that sample's own seed. A risk study gives it to the holder model's
   coin (a modelled uncertainty; HiGHS gets the study's seed in every sample,
   `evaluate.sample_options`); `tender compare --samples` seeds each sampled plan with it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from tender.domain import Scenario
from tender.domain.uncertainty import HolderRanges, MonthsQuantiles
from tender.sourcing.risk.distributions import Table, band_table, months_table, uniform_pick


@dataclass(frozen=True)
class Campus:
    provider: str
    phases: int
    table: Table
    rho: Decimal


@dataclass(frozen=True)
class Inputs:
    campuses: tuple[Campus, ...]
    slips: tuple[tuple[str, Table], ...]
    bands: tuple[tuple[str, Table], ...]
    run_slips: tuple[tuple[str, Table], ...]
    holders: tuple[tuple[str, HolderRanges], ...]
    on_demand: Table | None
    spot: Table | None


@dataclass(frozen=True)
class Draw:
    """One sampled future's inputs (absent key = unchanged)."""

    index: int
    phase_delays: Mapping[str, tuple[int, ...]]  # campus -> delay per phase, in phase order
    slips: Mapping[str, int]
    demand: Mapping[str, Decimal]
    run_slips: Mapping[str, int]
    holders: Mapping[str, tuple[Decimal | None, Decimal | None]]  # accept probability, max share
    on_demand: Decimal = Decimal(1)
    spot: Decimal = Decimal(1)


def inputs(sc: Scenario) -> Inputs:
    u = sc.uncertainty
    campuses = tuple(
        Campus(
            p.id,
            len(p.campus_phases),
            months_table(MonthsQuantiles(p.delay_risk.p50, p.delay_risk.p90)),
            u.campus_delay_correlation.get(p.id, Decimal(0)),
        )
        for p in sorted(sc.providers.values(), key=lambda p: p.id)
        if p.campus_phases
    )
    return Inputs(
        campuses=campuses,
        slips=tuple((k, months_table(q)) for k, q in sorted(u.delivery_slip_months.items())),
        bands=tuple((k, band_table(b)) for k, b in sorted(u.demand_bands.items())),
        run_slips=tuple((k, months_table(q)) for k, q in sorted(u.run_start_slip_months.items())),
        holders=tuple(sorted(u.rofr_behavior_ranges.items())),
        on_demand=band_table(u.on_demand_multiplier) if u.on_demand_multiplier else None,
        spot=band_table(u.spot_multiplier) if u.spot_multiplier else None,
    )


def uncertain(sc: Scenario) -> bool:
    """Is anything in the scenario uncertain (a table of more than one value, or a holder range)?"""
    inp = inputs(sc)
    tables = [c.table for c in inp.campuses] + [t for _k, t in (*inp.slips, *inp.bands, *inp.run_slips)]
    tables += [t for t in (inp.on_demand, inp.spot) if t is not None]
    return bool(inp.holders) or any(len(t.values) > 1 for t in tables)


def generator(seed: int, index: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(index,))))


def sample_seed(seed: int, index: int) -> int:
    state = np.random.SeedSequence(seed, spawn_key=(index,)).generate_state(1)
    return int(state[0]) & 0x7FFFFFFF


def correlated_uniforms(z: list[float], rho: float) -> list[float]:
    """Step 3: n uniforms from n + 1 standard normals (z[0] is the common one when rho = 1)."""
    n = len(z) - 1
    if rho >= 1.0:
        x = [z[0]] * n
    else:
        own = z[1:]
        t = n * rho / (1.0 - rho)
        beta = 1.0 - math.sqrt(max(0.0, 1.0 + t))
        mean = sum(own) / n
        x = [math.sqrt(1.0 - rho) * (zi - beta * mean) for zi in own]
    return [0.5 * math.erfc(-xi / math.sqrt(2.0)) for xi in x]


def draw(inp: Inputs, seed: int, index: int) -> Draw:
    rng = generator(seed, index)
    delays: dict[str, tuple[int, ...]] = {}
    for c in inp.campuses:
        z = [float(v) for v in rng.standard_normal(c.phases + 1)]
        us = correlated_uniforms(z, float(c.rho))
        delays[c.provider] = tuple(int(c.table.pick(ui)) for ui in us)

    def one(t: Table) -> Decimal:
        return t.pick(float(rng.random()))

    slips = {k: int(one(t)) for k, t in inp.slips}
    demand = {k: one(t) for k, t in inp.bands}
    run_slips = {k: int(one(t)) for k, t in inp.run_slips}
    holders: dict[str, tuple[Decimal | None, Decimal | None]] = {}
    for k, r in inp.holders:
        ua, us_ = float(rng.random()), float(rng.random())
        holders[k] = (
            uniform_pick(r.accept_probability, ua) if r.accept_probability else None,
            uniform_pick(r.max_share_of_request, us_) if r.max_share_of_request else None,
        )
    u_od, u_spot = float(rng.random()), float(rng.random())
    return Draw(
        index,
        delays,
        slips,
        demand,
        run_slips,
        holders,
        inp.on_demand.pick(u_od) if inp.on_demand else Decimal(1),
        inp.spot.pick(u_spot) if inp.spot else Decimal(1),
    )

"""`apply(scenario, draw)`: the scenario of one sampled future (pure; the scenario is not mutated).

1. campus phases come online `delay` months late (a phase pushed past the horizon never does);
2. a provider with a delivery slip: every capacity step after month 1, existing or offerable, comes
   `slip` months late (the step before it holds meanwhile);
3. each fleet's monthly h100_eq times its demand multiplier;
4. a training run with a start slip: its whole window moves `slip` months later (start and end capped
   at the horizon; a run that no longer fits has no option and is missed);
5. ROFR holders: the sampled accept probability / max share replace the scenario's;
6. every on-demand rate times the on-demand multiplier, every spot rate times the spot multiplier
   (rounded to 1/10,000 USD).
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from tender.domain import Scenario
from tender.domain.provider import CapacityLine, CapacityStep, Provider, Rates
from tender.sourcing.risk.sampler import Draw

RATE = Decimal("0.0001")


def _late(line: CapacityLine, slip: int) -> CapacityLine:
    steps = tuple(s if s.from_month <= 1 else CapacityStep(s.from_month + slip, s.gpus) for s in line.steps)
    return replace(line, steps=steps)


def _rates(r: Rates, od: Decimal, spot: Decimal) -> Rates:
    return Rates(
        r.contract,
        None if r.on_demand is None else (r.on_demand * od).quantize(RATE),
        None if r.spot is None else (r.spot * spot).quantize(RATE),
    )


def _provider(p: Provider, d: Draw) -> Provider:
    delays = d.phase_delays.get(p.id)
    if delays:
        phases = tuple(
            replace(ph, online_month=ph.online_month + dl)
            for ph, dl in zip(p.campus_phases, delays, strict=True)
        )
        p = replace(p, campus_phases=phases)
    slip = d.slips.get(p.id, 0)
    if slip:
        p = replace(
            p,
            capacity=tuple(_late(ln, slip) for ln in p.capacity),
            new_capacity_offerable=tuple(_late(ln, slip) for ln in p.new_capacity_offerable),
        )
    accept, share = d.holders.get(p.id, (None, None))
    if p.rofr_behavior is not None and (accept is not None or share is not None):
        b = p.rofr_behavior
        p = replace(
            p,
            rofr_behavior=replace(
                b,
                accept_probability=b.accept_probability if accept is None else accept,
                max_share_of_request=b.max_share_of_request if share is None else share,
            ),
        )
    if d.on_demand != 1 or d.spot != 1:
        p = replace(p, rates={g: _rates(r, d.on_demand, d.spot) for g, r in p.rates.items()})
    return p


def apply(sc: Scenario, d: Draw) -> Scenario:
    fleets = tuple(
        replace(f, h100_eq=tuple(q * d.demand[f.id] for q in f.h100_eq)) if f.id in d.demand else f
        for f in sc.fleets
    )
    runs = []
    for r in sc.training_runs:
        slip = d.run_slips.get(r.id, 0)
        if slip:
            r = replace(
                r,
                earliest_start_month=min(sc.horizon, r.earliest_start_month + slip),
                latest_end_month=min(sc.horizon, r.latest_end_month + slip),
            )
        runs.append(r)
    providers = {pid: _provider(p, d) for pid, p in sc.providers.items()}
    return replace(sc, providers=providers, fleets=fleets, training_runs=tuple(runs))

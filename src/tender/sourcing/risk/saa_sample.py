"""One SAA sample of `tender plan --robust`: a future's recourse model with its own first-stage copies.

1. the future: `sampler.draw(inputs(sc), seed, i)` applied to the scenario, its planner data built
   with the ROFR protocol's holder blocks and releases (`Protocol`, the same in every sample);
2. the planner's own second-pass model of it (`pipeline.build_model`), costs as they are (unweighted);
3. per booked slot (`booking.slots`): a *local booking* column B (free, cost 0) and an idle column at
   the contract rate with usage + idle = B, so B is paid whether used and is the only contract
   capacity of the slot;
4. per run option: a *local run* column Y in [0, 1] (cost 0) keyed by (run, site, start as planned:
   the option's start minus the sample's start slip), with y <= Y: the sample places the run only on
   the chosen slot, and may leave it unplaced (missed, at the unmet penalty) as the recourse of
   `tender risk` may; so every first stage has a recourse (complete recourse);
5. `slot_caps`: each slot's GPUs in this future (the slot's offers' capacity that month), the largest
   booking that can matter (the master of the decomposition bounds B by it).
The extensive form (`extensive.py`) merges the local columns of all samples into shared ones; the
decomposition (`benders.py`) fixes them at a first stage and reads their reduced costs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from tender.domain import Scenario
from tender.sourcing import data as data_mod
from tender.sourcing import rofr_loop
from tender.sourcing.clauses import ClauseView
from tender.sourcing.ledger_projection import project
from tender.sourcing.needs import find_needs
from tender.sourcing.pipeline import build_model, run_pass
from tender.sourcing.risk.booking import Key, slots
from tender.sourcing.risk.future import apply
from tender.sourcing.risk.sampler import draw, inputs
from tender.sourcing.types import HOLDER_NEW, Offer, PlanOptions
from tender.sourcing.variables import LinearModel

RunKey = tuple[str, tuple[str, str, str], int]  # run, site, start (as planned, before any slip)


@dataclass(frozen=True)
class Protocol:
    blocks: tuple[Offer, ...]
    bounds: dict[tuple[str, str, str, str], tuple[int | None, ...]]


@dataclass
class SampleModel:
    index: int
    model: LinearModel
    booked: dict[Key, int]  # slot -> its local booking column
    runs: dict[RunKey, int]  # run option -> its local run column
    slot_caps: dict[Key, int]


def protocol(sc: Scenario, options: PlanOptions, now: datetime) -> Protocol:
    """The planner's steps 1-3 on the scenario as written (first pass, notices, answers)."""
    first_data = data_mod.build(sc, now=now, view=ClauseView.of(sc))
    first = run_pass(first_data, options, constant(first_data))
    needs = find_needs(first_data, first.usages)
    answered = rofr_loop.run_protocol(first_data, needs, options.coin)
    blocks, bounds, _ = rofr_loop.blocks_and_bounds(first_data, answered, len(first_data.offers))
    return Protocol(tuple(blocks), bounds)


def constant(d: data_mod.PlanData) -> Decimal:
    return project(d, [], [], []).revenue_share_usd


def _caps(data: data_mod.PlanData) -> dict[Key, int]:
    caps: dict[Key, int] = {}
    for o in data.offers:
        if o.kind == HOLDER_NEW:
            continue
        for m in data.months:
            if o.pricing[m - 1] == "contract" and not o.under_reservation(m) and o.rate[m - 1] is not None:
                key = (*o.site, m)
                caps[key] = caps.get(key, 0) + int(o.cap[m - 1])
    return caps


def build(
    sc: Scenario, proto: Protocol, seed: int, i: int, options: PlanOptions, now: datetime
) -> SampleModel:
    """Steps 1-5 for sample i."""
    d = draw(inputs(sc), seed, i)
    future = apply(sc, d)
    data = data_mod.build(
        future, extra_offers=proto.blocks, gate_bounds=proto.bounds, now=now, view=ClauseView.of(future)
    )
    model, v = build_model(data, options, constant(data))
    booked: dict[Key, int] = {}
    for s in slots(data, v):
        name = "{},{},{},{}".format(*s.key)
        booked[s.key] = model.var(f"B[{name}]")
        idle = model.var(f"idle[{name}]", cost=float(s.rate) * data.hours)
        model.row(f"book[{name}]", [*s.terms, (idle, 1.0), (booked[s.key], -1.0)], lb=0.0, ub=0.0)
    runs: dict[RunKey, int] = {}
    for (r_idx, si, start), j in v.y.items():
        run = data.runs[r_idx]
        key = (run.id, data.offers[data.sites[si][0]].site, start - d.run_slips.get(run.id, 0))
        if key not in runs:
            runs[key] = model.var(f"Y[{key[0]},{','.join(key[1])},{key[2]}]", ub=1.0)
        model.row(f"slot[{key[0]}]", [(j, 1.0), (runs[key], -1.0)], ub=0.0)
    caps = _caps(data)
    return SampleModel(i, model, booked, runs, {k: caps.get(k, 0) for k in booked})

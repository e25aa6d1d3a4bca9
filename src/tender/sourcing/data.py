"""Step 1: scenario -> indexed sets and parameters (offers, fleet/run eligibility, gates, commitments).

Everything the model needs is precomputed here as plain tuples so that the later steps are pure
index arithmetic. Money stays `Decimal` here; the model converts to float coefficients.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal

from tender.domain import CommittedSpend, Fleet, Rates, Scenario, TrainingRun
from tender.sourcing.clauses import ClauseView
from tender.sourcing.direct import direct_offers
from tender.sourcing.merge import fleet_groups
from tender.sourcing.reservations import Pool, committed_rate, reservation_pools
from tender.sourcing.types import HOLDER_NEW, Offer


@dataclass(frozen=True)
class Gate:
    """Third-party capacity for one demand and month that priority rights gate: every right that
    binds buying it, as (clause id, holder) in clause order; each holder must release it first."""

    rights: tuple[tuple[str, str], ...]

    @property
    def clause(self) -> str:
        """The first binding right: the clause an award on gated capacity cites."""
        return self.rights[0][0]


Gates = dict[tuple[str, int, int], Gate]  # (demand id, offer idx, month) -> the rights gating it


@dataclass(frozen=True)
class Commitment:
    """A committed-spend clause as the model reads it: the months whose eligible spend counts and,
    for one drawn down after another, the earlier one's total and months."""

    clause: CommittedSpend
    months: tuple[int, ...]  # months whose eligible spend counts
    after_total: Decimal | None  # total of the commitment this one draws down after (None = first)
    after_months: tuple[int, ...] = ()


@dataclass(frozen=True)
class PlanData:
    """Step 1's index of the scenario for one pass: offers, fleets, runs and their options, gates on
    third-party capacity, commitments, and (in the second pass) the holders' release bounds."""

    scenario: Scenario
    view: ClauseView
    months: tuple[int, ...]
    hours: int
    offers: tuple[Offer, ...]
    fleets: tuple[Fleet, ...]
    runs: tuple[TrainingRun, ...]
    # fleet index -> ((offer idx, months allowed, spot allowed), ...)
    fleet_offers: tuple[tuple[tuple[int, tuple[int, ...]], ...], ...]
    # run index -> ((site key, start month), ...) ; site key indexes `sites`
    sites: tuple[tuple[int, ...], ...]  # each site: offer indices sharing provider/gpu/region
    run_options: tuple[tuple[tuple[int, int, int], ...], ...]  # (site idx, start, gpus used)
    # (demand id, offer idx, month) -> Gate for ROFR-gated third-party capacity
    gates: Gates
    commitments: tuple[Commitment, ...]
    unmet_penalty: Decimal
    # (demand id, provider, gpu, region) -> per-month GPU bound on gated third-party capacity
    gate_bounds: dict[tuple[str, str, str, str], tuple[int | None, ...]] = field(default_factory=dict)
    now: datetime | None = None  # the plan instant: notices go out then (or when a right starts)
    gates_bounded: bool = False  # True once notices are answered: gated use only up to what was released
    # fleets sharing one set of columns (`merge.fleet_groups`); empty = one group per fleet
    fleet_groups: tuple[tuple[int, ...], ...] = ()
    pools: tuple[Pool, ...] = ()  # reservations, one per clause and month (`reservations.py`)

    def groups(self) -> tuple[tuple[int, ...], ...]:
        return self.fleet_groups or tuple((i,) for i in range(len(self.fleets)))

    def offer(self, idx: int) -> Offer:
        return self.offers[idx]

    def pool_of(self, o_idx: int, month: int) -> int | None:
        """The reservation pool governing offer `o_idx` in `month` (None = none)."""
        pool = self.offers[o_idx].pool
        return pool[month - 1] if pool else None

    def pool_cap(self, o_idx: int, month: int) -> int | None:
        """What a pool's offers may give together in a month: reserved + burst (None = no pool)."""
        pool = self.pool_of(o_idx, month)
        return None if pool is None else self.pools[pool].reserved + self.pools[pool].burst

    def released(self, demand: str, o_idx: int, month: int) -> int | None:
        """GPUs of gated capacity `demand` may take from (provider, gpu, region) of offer `o_idx` in
        `month`, as the holders released them; None = not bounded (not gated, or before answers).
        The one authority the model, the rounding, the top-up and the baseline all ask."""
        if not self.gates_bounded or (demand, o_idx, month) not in self.gates:
            return None
        bound = self.gate_bounds.get((demand, *self.offers[o_idx].site))
        return bound[month - 1] if bound is not None else 0


def _offer_for(
    scenario: Scenario,
    view: ClauseView,
    idx: int,
    site: tuple[str, str, str],
    pools: tuple[list[Pool], dict[tuple[str, str, str, int], int]],
) -> Offer | None:
    """One existing supply line: per month its capacity, base rate and pricing (a reservation pool,
    take-or-pay at the committed rate, else the contract rate, else on-demand)."""
    pid, gpu, region = site
    prov = scenario.providers[pid]
    acc = scenario.accelerators.get(gpu)
    rates = prov.rates.get(gpu)
    if acc is None or rates is None:
        return None
    months = tuple(scenario.calendar.months())
    month_terms = [_month_terms(scenario, view, site, rates, month, pools) for month in months]
    full_rack = prov.full_rack_only and acc.rack_size is not None
    return Offer(
        idx=idx,
        provider=pid,
        gpu=gpu,
        region=region,
        h100_eq=float(acc.h100_eq),
        cap=tuple(terms[0] for terms in month_terms),
        rate=tuple(terms[1] for terms in month_terms),
        pricing=tuple(terms[2] for terms in month_terms),
        clause=tuple(terms[3] for terms in month_terms),
        spot_rate=rates.spot,
        pool=tuple(terms[4] for terms in month_terms),
        top_min=tuple(terms[5] for terms in month_terms),
        rack=acc.rack_size if full_rack else None,
    )


def _month_terms(
    scenario: Scenario,
    view: ClauseView,
    site: tuple[str, str, str],
    rates: Rates,
    month: int,
    pools: tuple[list[Pool], dict[tuple[str, str, str, int], int]],
) -> tuple[int, Decimal | None, str, str | None, int | None, int]:
    """(capacity, rate, pricing, clause, pool, take-or-pay minimum) of one offer-month."""
    pid, gpu, region = site
    listed = scenario.providers[pid].existing_gpus(gpu, region, month)
    pool = pools[1].get((pid, gpu, region, month))
    if pool is not None:
        reservation = pools[0][pool]
        return (
            min(listed, reservation.reserved + reservation.burst),
            None,
            "reserved",
            reservation.clause,
            pool,
            0,
        )
    top = view.take_or_pay(pid, gpu, month)
    if top is not None:
        minimum = math.ceil(listed * top.minimum_pct_of_delivered_capacity / 100)
        return listed, committed_rate(rates), "take_or_pay", top.id, None, minimum
    if rates.contract is not None:
        return listed, rates.contract, "contract", None, None, 0
    return listed, rates.on_demand, "on_demand", None, None, 0


def build_offers(
    scenario: Scenario, view: ClauseView, pools: tuple[list[Pool], dict[tuple[str, str, str, int], int]]
) -> list[Offer]:
    offers: list[Offer] = []
    for pid in sorted(scenario.providers):
        prov = scenario.providers[pid]
        pairs = sorted(set(prov.gpu_region_pairs()))
        for gpu, region in pairs:
            if all(prov.existing_gpus(gpu, region, month) == 0 for month in scenario.calendar.months()):
                continue
            offer = _offer_for(scenario, view, len(offers), (pid, gpu, region), pools)
            if offer is not None:
                offers.append(offer)
    return offers


def eligible_months(
    view: ClauseView, demand: Fleet | TrainingRun, offer: Offer, months: tuple[int, ...]
) -> tuple[int, ...]:
    """Months in which `demand` may use `offer` under the hard rules (type, residency, exclusivity)."""
    allowed = demand.allowed_gpus if isinstance(demand, Fleet) else demand.gpu_types
    if offer.gpu not in allowed:
        return ()
    if demand.regions_allowed and offer.region not in demand.regions_allowed:
        return ()
    if not view.restricted(demand):
        return tuple(month for month in months if offer.cap[month - 1] > 0)
    blocked = view.blocked_months(demand, offer.region, offer.provider)
    return tuple(month for month in months if offer.cap[month - 1] > 0 and month not in blocked)


def commitments_of(view: ClauseView, months: tuple[int, ...]) -> tuple[Commitment, ...]:
    """One entry per committed-spend clause id: its latest version's terms, over every month any
    version is in force (the model's approximation; the ledger reads each version exactly)."""
    versions = view.commitments()
    by_id = {clause.id: clause for clause in versions}

    def live(cid: str) -> tuple[int, ...]:
        return tuple(
            month
            for month in months
            if any(version.id == cid and version.effective_in(month) for version in versions)
        )

    out: list[Commitment] = []
    for clause in sorted(by_id.values(), key=lambda clause: clause.id):
        after = by_id.get(clause.drawdown_after) if clause.drawdown_after else None
        out.append(
            Commitment(
                clause=clause,
                months=live(clause.id),
                after_total=after.total_usd if after is not None else None,
                after_months=live(after.id) if after is not None else (),
            )
        )
    return tuple(
        sorted(out, key=lambda commitment: (commitment.after_total is not None, commitment.clause.id))
    )


def build(
    scenario: Scenario,
    extra_offers: tuple[Offer, ...] = (),
    gate_bounds: dict[tuple[str, str, str, str], tuple[int | None, ...]] | None = None,
    now: datetime | None = None,
    view: ClauseView | None = None,
) -> PlanData:
    """Index the scenario. `extra_offers` are holder blocks; `gate_bounds` bound gated usage per need.

    1. reservation pools (`reservations.py`);
    2. offers: listed supply lines, then the holder blocks, then direct new capacity (`direct.py`);
    3. each fleet's (offer, months) under the hard rules, and the rights gating them;
    4. sites: offers grouped by (provider, accelerator, region);
    5. each run's (site, start, GPUs) options, and the rights gating them;
    6. commitments and fleet groups (`merge.py`), all in one `PlanData`.
    """
    view = view or ClauseView.of(scenario)
    now = now or scenario.calendar.month_start(1)
    months = tuple(scenario.calendar.months())
    pools = reservation_pools(scenario, view)
    offers = _all_offers(scenario, view, pools, extra_offers)
    fleet_rows = [_fleet_offers(view, fleet, offers, months, now) for fleet in scenario.fleets]
    sites = _sites(offers)
    run_rows = [_run_options(view, run, offers, sites, months, now) for run in scenario.training_runs]
    gates = _merged([gated for _row, gated in fleet_rows] + [gated for _opts, gated in run_rows])
    fleet_offers = [row for row, _gated in fleet_rows]
    return PlanData(
        scenario=scenario,
        view=view,
        months=months,
        hours=scenario.calendar.hours_per_month,
        offers=offers,
        fleets=scenario.fleets,
        runs=scenario.training_runs,
        fleet_offers=tuple(fleet_offers),
        sites=sites,
        run_options=tuple(opts for opts, _gated in run_rows),
        gates=gates,
        commitments=commitments_of(view, months),
        unmet_penalty=scenario.unmet_penalty_usd_per_h100_eq_hour,
        gate_bounds=dict(gate_bounds or {}),
        now=now,
        gates_bounded=gate_bounds is not None,
        fleet_groups=fleet_groups(
            scenario.fleets, fleet_offers, {demand for demand, _o_idx, _month in gates}
        ),
        pools=tuple(pools[0]),
    )


def _all_offers(
    scenario: Scenario,
    view: ClauseView,
    pools: tuple[list[Pool], dict[tuple[str, str, str, int], int]],
    extra_offers: tuple[Offer, ...],
) -> tuple[Offer, ...]:
    """Step 2: listed offers, the holder blocks re-indexed after them, then direct new capacity."""
    listed = build_offers(scenario, view, pools)
    blocks = [replace(block, idx=len(listed) + n) for n, block in enumerate(extra_offers)]
    direct = direct_offers(scenario, view, extra_offers, len(listed) + len(blocks))
    return (*listed, *blocks, *direct)


def _merged(found: list[Gates]) -> Gates:
    """The gates of every demand in one map (first finding first; a repeat finds the same rights)."""
    gates: Gates = {}
    for part in found:
        gates.update(part)
    return gates


def _fleet_offers(
    view: ClauseView, fleet: Fleet, offers: tuple[Offer, ...], months: tuple[int, ...], now: datetime
) -> tuple[tuple[tuple[int, tuple[int, ...]], ...], Gates]:
    """Step 3: every (offer, months) `fleet` may use (the hard rules, then the rights' gates), and
    the gates found."""
    row: list[tuple[int, tuple[int, ...]]] = []
    gates: Gates = {}
    for offer in offers:
        kept, found = _gate(view, fleet, offer, eligible_months(view, fleet, offer, months), now)
        gates.update(found)
        if kept:
            row.append((offer.idx, kept))
    return tuple(row), gates


def _sites(offers: tuple[Offer, ...]) -> tuple[tuple[int, ...], ...]:
    """Step 4: offers grouped by (provider, accelerator, region), in site order: where a run can be."""
    site_map: dict[tuple[str, str, str], list[int]] = {}
    for offer in offers:
        site_map.setdefault(offer.site, []).append(offer.idx)
    return tuple(tuple(site_map[key]) for key in sorted(site_map))


def _run_options(
    view: ClauseView,
    run: TrainingRun,
    offers: tuple[Offer, ...],
    sites: tuple[tuple[int, ...], ...],
    months: tuple[int, ...],
    now: datetime,
) -> tuple[tuple[tuple[int, int, int], ...], Gates]:
    """Step 5: (site, start, GPUs used) for every site of an allowed type that can hold the whole run
    in every month of a window inside its start window (GPUs rounded up to whole racks where sold),
    and the gates found on the way."""
    options: list[tuple[int, int, int]] = []
    gates: Gates = {}
    for site, offer_ids in enumerate(sites):
        if offers[offer_ids[0]].gpu not in run.gpu_types:
            continue
        rack = next((offers[i].rack for i in offer_ids if offers[i].rack), None)
        used = math.ceil(run.gpus / rack) * rack if rack else run.gpus
        for start in run.start_months():
            window = range(start, start + run.duration_months)
            if window[0] < 1 or window[-1] > len(months):
                continue
            holds, found = _window_holds(view, run, [offers[i] for i in offer_ids], window, used, now)
            gates.update(found)
            if holds:
                options.append((site, start, used))
    return tuple(options), gates


def _window_holds(
    view: ClauseView, run: TrainingRun, site_offers: list[Offer], window: range, used: int, now: datetime
) -> tuple[bool, Gates]:
    """Can the site hold `used` GPUs in every month of `window`? Months are tried in order up to
    the first that cannot; the gates of the months tried come back with the answer."""
    gates: Gates = {}
    for month in window:
        total = 0
        for offer in site_offers:
            kept, found = _gate(view, run, offer, eligible_months(view, run, offer, (month,)), now)
            gates.update(found)
            if kept and offer.base_usable(month):
                total += offer.cap[month - 1]
        if total < used:
            return False, gates
    return True, gates


def _gate(
    view: ClauseView, demand: Fleet | TrainingRun, offer: Offer, months: tuple[int, ...], now: datetime
) -> tuple[tuple[int, ...], Gates]:
    """The months of `months` `demand` may use `offer` in (gated months no answer can precede are
    dropped), and the rights gating each kept (demand, offer, month)."""
    if offer.kind == HOLDER_NEW:
        return months, {}
    kept: list[int] = []
    gates: Gates = {}
    for month in months:
        rights = view.open_rights(
            demand, offer.provider, offer.gpu, offer.region, month, offer.is_new(view, month), now
        )
        if rights is None:
            continue
        if rights:
            gates[(demand.id, offer.idx, month)] = Gate(tuple((right.id, right.holder) for right in rights))
        kept.append(month)
    return tuple(kept), gates

"""Checks of the `uncertainty:` section that need the whole scenario, and its conversion.

1. every key names what it is about: a campus (a provider with `campus_phases`), a provider with new
   capacity to deliver, a fleet, a training run, a ROFR holder with `rofr_behavior`;
2. quantiles are in order (p50 <= p90; p10 <= p50 <= p90), ranges are `[low, high]` with low <= high;
3. a negative campus correlation is one the campus's phases can all share (rho >= -1/(n-1));
4. `to_uncertainty` builds the domain `Uncertainty`.
"""

from __future__ import annotations

from decimal import Decimal

from tender.config.errors import FieldPath
from tender.config.findings import Findings, one_of
from tender.config.schema import ProviderIn, ScenarioIn
from tender.config.schema_uncertainty import BandIn, HolderRangesIn, MonthsIn, PriceBandIn, UncertaintyIn
from tender.domain.uncertainty import Band, HolderRanges, MonthsQuantiles, Range, Uncertainty

BASE: FieldPath = ("uncertainty",)


def check_uncertainty(sc: ScenarioIn, out: Findings) -> None:
    u = sc.uncertainty
    if u is None:
        return
    campuses = {pid: len(p.campus_phases) for pid, p in sc.providers.items() if p.campus_phases}
    delivering = {pid for pid, p in sc.providers.items() if _delivers(p)}
    fleets = {f.id for f in (*sc.demand.inference_fleets, *sc.demand.continuous_training)}
    runs = {r.id for r in sc.demand.training_runs}
    holders = {pid for pid, p in sc.providers.items() if p.rofr_behavior is not None}
    for pid, rho in u.campus_delay_correlation.items():
        path = (*BASE, "campus_delay_correlation", pid)
        if pid not in campuses:
            out.add(path, one_of("campus (provider with campus_phases)", pid, campuses))
        elif rho < 0 and campuses[pid] > 1 and rho * (campuses[pid] - 1) < -1:
            out.add(
                path,
                f"{rho} is below -1/{campuses[pid] - 1}: {campuses[pid]} phases cannot all be that anti-correlated",
            )
    for pid, m in u.delivery_slip_months.items():
        _months((*BASE, "delivery_slip_months", pid), pid, delivering, "provider with new capacity", m, out)
    for fid, band in u.demand_bands.items():
        path = (*BASE, "demand_bands", fid)
        if fid not in fleets:
            out.add(path, one_of("fleet", fid, fleets))
        _band(path, band, out)
    for rid, m in u.run_start_slip_months.items():
        _months((*BASE, "run_start_slip_months", rid), rid, runs, "training run", m, out)
    for pid, r in u.rofr_behavior_ranges.items():
        path = (*BASE, "rofr_behavior_ranges", pid)
        if pid not in holders:
            out.add(path, one_of("provider with rofr_behavior", pid, holders))
        _ranges(path, r, out)
    for key in ("on_demand", "spot"):
        band = getattr(u.price_multipliers, key)
        if band is not None and band.p90 < band.p10:
            out.add((*BASE, "price_multipliers", key, "p90"), "p90 is below p10 (p90 must be >= p10)")


def _delivers(p: ProviderIn) -> bool:
    """New capacity to deliver: a step after month 1 (existing or offerable capacity)."""
    return any(s.from_month > 1 for ln in (*p.capacity, *p.new_capacity_offerable) for s in ln.steps)


def _months(path: FieldPath, key: str, known: set[str], kind: str, m: MonthsIn, out: Findings) -> None:
    if key not in known:
        out.add(path, one_of(kind, key, known))
    if m.p90 < m.p50:
        out.add((*path, "p90"), "p90 is below p50 (p90 must be >= p50)")


def _band(path: FieldPath, b: BandIn, out: Findings) -> None:
    if b.p50 < b.p10:
        out.add((*path, "p50"), "p50 is below p10 (need p10 <= p50 <= p90)")
    if b.p90 < b.p50:
        out.add((*path, "p90"), "p90 is below p50 (need p10 <= p50 <= p90)")


def _ranges(path: FieldPath, r: HolderRangesIn, out: Findings) -> None:
    for key in ("accept_probability", "max_share_of_request"):
        pair = getattr(r, key)
        if pair is not None and pair[1] < pair[0]:
            out.add((*path, key, 1), f"high {pair[1]} is below low {pair[0]} (write [low, high])")


def to_uncertainty(u: UncertaintyIn | None) -> Uncertainty:
    if u is None:
        return Uncertainty()
    return Uncertainty(
        campus_delay_correlation=dict(sorted(u.campus_delay_correlation.items())),
        delivery_slip_months={
            k: MonthsQuantiles(m.p50, m.p90) for k, m in sorted(u.delivery_slip_months.items())
        },
        demand_bands={k: Band(b.p10, b.p50, b.p90) for k, b in sorted(u.demand_bands.items())},
        run_start_slip_months={
            k: MonthsQuantiles(m.p50, m.p90) for k, m in sorted(u.run_start_slip_months.items())
        },
        rofr_behavior_ranges={
            k: HolderRanges(_range(r.accept_probability), _range(r.max_share_of_request))
            for k, r in sorted(u.rofr_behavior_ranges.items())
        },
        on_demand_multiplier=_price(u.price_multipliers.on_demand),
        spot_multiplier=_price(u.price_multipliers.spot),
    )


def _range(pair: list[Decimal] | None) -> Range | None:
    return None if pair is None else Range(pair[0], pair[1])


def _price(b: PriceBandIn | None) -> Band | None:
    return None if b is None else Band(b.p10, (b.p10 + b.p90) / 2, b.p90)

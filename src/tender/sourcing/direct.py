"""Step 1b: a former ROFR holder's new capacity, bought directly once its right has ended.

While a ROFR is in force, the holder's `new_capacity_offerable` reaches the lab only through an
exercised notice (a holder block, `rofr_loop`). Once no ROFR held by that provider is in force any
more, the lab may order that capacity from it like any other: at its contract rate (on-demand if it
has none), usable `lead_time_months` after the order, which goes out in the first month without the
right. A provider that never held a ROFR can be ordered from month 1. Capacity already taken by
holder blocks in a month is not offered twice.
"""

from __future__ import annotations

from tender.domain import Provider, Rofr, Scenario
from tender.sourcing.clauses import ClauseView
from tender.sourcing.types import HOLDER_NEW, Offer

DIRECT_NEW = "direct_new"  # offer kind: a provider's new capacity ordered directly (no notice)


def order_month(view: ClauseView, provider: str, horizon: int) -> int | None:
    """First month the lab may order `provider`'s new capacity directly (None: never in the horizon)."""
    held = [
        month
        for month in range(1, horizon + 1)
        if any(isinstance(clause, Rofr) and clause.holder == provider for clause in view.at(month))
    ]
    first = max(held) + 1 if held else 1
    return first if first <= horizon else None


def direct_offers(
    scenario: Scenario, view: ClauseView, blocks: tuple[Offer, ...], start_idx: int
) -> list[Offer]:
    """One offer per (provider, accelerator, region) of new capacity the lab can buy without a notice."""
    horizon = len(tuple(scenario.calendar.months()))
    out: list[Offer] = []
    for pid in sorted(scenario.providers):
        provider = scenario.providers[pid]
        ordered = order_month(view, pid, horizon) if provider.new_capacity_offerable else None
        if ordered is None:
            continue
        for gpu, region in sorted({(line.gpu, line.region) for line in provider.new_capacity_offerable}):
            offer = _direct_line(
                scenario, provider, (pid, gpu, region), ordered, blocks, start_idx + len(out)
            )
            if offer is not None:
                out.append(offer)
    return out


def _direct_line(
    scenario: Scenario,
    provider: Provider,
    site: tuple[str, str, str],
    ordered: int,
    blocks: tuple[Offer, ...],
    idx: int,
) -> Offer | None:
    """The provider's new capacity at one (provider, accelerator, region) site, ordered in month `ordered`:
    usable from `ordered` + its lead time, less what holder blocks already take (None: nothing)."""
    pid, gpu, region = site
    months = tuple(scenario.calendar.months())
    acc = scenario.accelerators.get(gpu)
    rates = provider.rates.get(gpu)
    rate = (rates.contract if rates.contract is not None else rates.on_demand) if rates else None
    if acc is None or rate is None:
        return None
    taken = [
        sum(block.cap[month - 1] for block in blocks if block.kind == HOLDER_NEW and block.site == site)
        for month in months
    ]
    usable_from = ordered + provider.lead_time_months
    cap = tuple(
        max(provider.offerable_gpus(gpu, region, month) - taken[month - 1], 0) if month >= usable_from else 0
        for month in months
    )
    if not any(cap):
        return None
    horizon = len(months)
    return Offer(
        idx=idx,
        provider=pid,
        gpu=gpu,
        region=region,
        h100_eq=float(acc.h100_eq),
        cap=cap,
        rate=tuple(rate if gpus else None for gpus in cap),
        pricing=("contract" if rates and rates.contract is not None else "on_demand",) * horizon,
        clause=(None,) * horizon,
        spot_rate=None,
        top_min=(0,) * horizon,
        rack=acc.rack_size if provider.full_rack_only and acc.rack_size is not None else None,
        kind=DIRECT_NEW,
    )

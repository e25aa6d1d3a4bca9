"""Step 1b: a former ROFR holder's new capacity, bought directly once its right has ended.

While a ROFR is in force, the holder's `new_capacity_offerable` reaches the lab only through an
exercised notice (a holder block, `rofr_loop`). Once no ROFR held by that provider is in force any
more, the lab may order that capacity from it like any other: at its contract rate (on-demand if it
has none), usable `lead_time_months` after the order, which goes out in the first month without the
right. A provider that never held a ROFR can be ordered from month 1. Capacity already taken by
holder blocks in a month is not offered twice.
"""

from __future__ import annotations

from tender.domain import Rofr, Scenario
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
    months = tuple(scenario.calendar.months())
    out: list[Offer] = []
    for pid in sorted(scenario.providers):
        prov = scenario.providers[pid]
        if not prov.new_capacity_offerable:
            continue
        ordered = order_month(view, pid, len(months))
        if ordered is None:
            continue
        usable_from = ordered + prov.lead_time_months
        for gpu, region in sorted({(line.gpu, line.region) for line in prov.new_capacity_offerable}):
            acc = scenario.accelerators.get(gpu)
            rates = prov.rates.get(gpu)
            rate = (rates.contract if rates.contract is not None else rates.on_demand) if rates else None
            if acc is None or rate is None:
                continue
            taken = [
                sum(
                    block.cap[month - 1]
                    for block in blocks
                    if block.kind == HOLDER_NEW and block.site == (pid, gpu, region)
                )
                for month in months
            ]
            cap = tuple(
                max(prov.offerable_gpus(gpu, region, month) - taken[month - 1], 0)
                if month >= usable_from
                else 0
                for month in months
            )
            if not any(cap):
                continue
            horizon = len(months)
            out.append(
                Offer(
                    idx=start_idx + len(out),
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
                    rack=acc.rack_size if prov.full_rack_only and acc.rack_size is not None else None,
                    kind=DIRECT_NEW,
                )
            )
    return out

"""Why demand went unmet, and which hard rule leaves a demand with no possible supply.

Reason codes (the contract engine's where one exists): `capacity` (every offer the demand may use
that month is full — named alongside the rules that keep it off other providers' spare capacity),
`residency`, `exclusive_to_other`, `rofr_pending` (third-party capacity the ROFR holder has
not released), `campus_not_online` (a campus phase of an allowed type, in a region and with a provider the demand
may use, comes online later).
"""

from __future__ import annotations

from collections.abc import Iterable

from tender.contracts import Reason
from tender.domain import Fleet, TrainingRun
from tender.sourcing.clauses import ClauseView
from tender.sourcing.data import PlanData
from tender.sourcing.extract import Usage
from tender.sourcing.types import HOLDER_NEW, Infeasibility, Offer

CAMPUS_NOT_ONLINE = "campus_not_online"


def used_by_offer(uses: Iterable[Usage]) -> dict[tuple[int, int], int]:
    out: dict[tuple[int, int], int] = {}
    for use in uses:
        out[(use.offer, use.month)] = out.get((use.offer, use.month), 0) + use.gpus
    return out


def run_reasons(data: PlanData, run: TrainingRun, used: dict[tuple[int, int], int]) -> tuple[str, ...]:
    """Why an unplaced run found no site: the reasons of every month of its window; `capacity` when
    each month alone has room somewhere but no one site holds all its GPUs for a whole window."""
    last = min(run.latest_end_month, len(data.months))
    found = {
        reason
        for month in range(run.earliest_start_month, last + 1)
        for reason in month_reasons(data, run, month, used)
    }
    return tuple(sorted(found or {Reason.CAPACITY}))


def reasons(
    data: PlanData, demand: Fleet | TrainingRun, month: int, used: dict[tuple[int, int], int]
) -> tuple[str, ...]:
    """Binding reasons for `demand` being short (a fleet in `month`; a run over its window)."""
    if isinstance(demand, TrainingRun):
        return run_reasons(data, demand, used)
    return month_reasons(data, demand, month, used)  # empty = a fleet short beside spare capacity


def month_reasons(
    data: PlanData, demand: Fleet | TrainingRun, month: int, used: dict[tuple[int, int], int]
) -> tuple[str, ...]:
    """Binding reasons for `demand` being short in `month` (sorted; empty when spare capacity it
    may use exists that month)."""
    view = data.view
    allowed = demand.allowed_gpus if isinstance(demand, Fleet) else demand.gpu_types
    need = 1 if isinstance(demand, Fleet) else demand.gpus
    found: set[str] = set()
    scenario = data.scenario
    pooled: dict[int, int] = {}  # GPUs used per reservation pool this month
    for offer in data.offers:
        if (pool := data.pool_of(offer.idx, month)) is not None:
            pooled[pool] = pooled.get(pool, 0) + used.get((offer.idx, month), 0)
    for pid in sorted(scenario.providers):
        prov = scenario.providers[pid]
        region = prov.campus_region()
        for phase in prov.campus_phases:
            if (
                phase.gpu in allowed
                and phase.online_month > month
                and region is not None
                and not _blocked(view, demand, pid, region, month)
            ):
                found.add(CAMPUS_NOT_ONLINE)
    allowed_full = True  # every offer the demand may use this month is full
    preemptible = isinstance(demand, Fleet) and demand.preemptible_ok
    for offer in data.offers:
        if offer.gpu not in allowed or offer.kind == HOLDER_NEW:
            continue
        if not offer.base_usable(month) and not (preemptible and offer.spot_usable(month)):
            continue  # nothing this demand may buy here (e.g. spot-only, not preemptible)
        spare = _spare(data, offer, month, used, pooled)
        if spare < need:
            continue
        if (demand.regions_allowed and offer.region not in demand.regions_allowed) or view.residency_block(
            demand, offer.region, month
        ) is not None:
            found.add(Reason.RESIDENCY)
        elif view.exclusivity_block(demand, offer.provider, month) is not None:
            found.add(Reason.EXCLUSIVE_TO_OTHER)
        elif (
            view.rofr_clause(
                demand, offer.provider, offer.gpu, offer.region, month, offer.is_new(view, month)
            )
            is not None
        ):
            found.add(Reason.ROFR_PENDING)
        else:
            allowed_full = False
    if allowed_full:
        found.add(Reason.CAPACITY)  # the providers it may use are full: capacity binds too
    return tuple(sorted(found))


def _spare(
    data: PlanData, offer: Offer, month: int, used: dict[tuple[int, int], int], pooled: dict[int, int]
) -> int:
    """GPUs still free at `offer` in `month`: its capacity, its reservation pool's reserved + burst
    over every region the pool covers, and whole racks where racks are sold."""
    spare = offer.cap[month - 1] - used.get((offer.idx, month), 0)
    pool = data.pool_of(offer.idx, month)
    if pool is not None:
        spare = min(spare, data.pools[pool].reserved + data.pools[pool].burst - pooled.get(pool, 0))
    if offer.rack:
        spare = (spare // offer.rack) * offer.rack  # sold in whole racks only
    return spare


def _blocked(view: ClauseView, demand: Fleet | TrainingRun, provider: str, region: str, month: int) -> bool:
    """Does a hard rule (allowed regions, residency, exclusivity) keep `demand` off this provider/region?"""
    return bool(
        (demand.regions_allowed and region not in demand.regions_allowed)
        or view.residency_block(demand, region, month) is not None
        or view.exclusivity_block(demand, provider, month) is not None
    )


def hard_rule_conflicts(data: PlanData) -> list[Infeasibility]:
    """Demands that no offer may serve in some month because of one hard rule (type, residency,
    exclusivity): the rule and the demand are named, never just "infeasible"."""
    out: list[Infeasibility] = []
    view = data.view
    demands: list[Fleet | TrainingRun] = [*data.fleets, *data.runs]
    for demand in demands:
        allowed = demand.allowed_gpus if isinstance(demand, Fleet) else demand.gpu_types
        typed = [offer for offer in data.offers if offer.gpu in allowed and any(offer.cap)]
        if isinstance(demand, Fleet):
            months = tuple(month for month in data.months if demand.need(month) > 0)
        else:
            months = tuple(
                range(demand.earliest_start_month, min(demand.latest_end_month, len(data.months)) + 1)
            )
        if not typed:
            out.append(
                Infeasibility(
                    "allowed_gpus",
                    demand.id,
                    months,
                    f"{demand.id}: no provider offers any of {', '.join(allowed)}",
                )
            )
            continue
        for label in ("residency", "exclusivity"):
            bad_months: list[int] = []
            clause_ids: set[str] = set()
            for month in months:
                live = [offer for offer in typed if offer.cap[month - 1] > 0]
                blocks = [_block(view, label, demand, offer, month) for offer in live]
                if live and all(block is not None for block in blocks):
                    bad_months.append(month)
                    clause_ids.update(block for block in blocks if block is not None)
            if bad_months:
                rule = ",".join(sorted(clause_ids))
                out.append(
                    Infeasibility(
                        rule,
                        demand.id,
                        tuple(bad_months),
                        f"{demand.id}: {label} rule {rule} excludes every provider with capacity "
                        f"of an allowed type in months {bad_months[0]}..{bad_months[-1]}",
                    )
                )
    return out


def _block(view: ClauseView, label: str, demand: Fleet | TrainingRun, offer: Offer, month: int) -> str | None:
    if label == "residency":
        if demand.regions_allowed and offer.region not in demand.regions_allowed:
            return "regions_allowed"
        return view.residency_block(demand, offer.region, month)
    return view.exclusivity_block(demand, offer.provider, month)

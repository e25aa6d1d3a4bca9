"""An independent clause checker: reads the scenario and the plan's awards, never the model.

Each check returns human-readable violations (empty list = clean).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from tender.domain import (
    ChangeAction,
    DataResidency,
    Fleet,
    ReservedCapacity,
    Rofr,
    Scenario,
    TrainingRun,
    WorkloadExclusivity,
)
from tender.domain.provider import ProviderKind
from tender.sourcing import Plan


def in_force(sc: Scenario, clause_id: str, effective: bool, month: int) -> bool:
    """A clause is in force in `month` if its own range says so and no amendment terminated it by then."""
    if not effective:
        return False
    for a in sc.amendments:
        for ch in a.changes:
            if (
                ch.action is ChangeAction.TERMINATE
                and ch.contract_id == clause_id
                and a.effective_month <= month
            ):
                return False
    return True


def direct_from(sc: Scenario, provider: str) -> int:
    """First month a provider's new capacity can be used without a notice: ordered in the first month
    after every ROFR it holds has ended (month 1 if it holds none), usable after its lead time."""
    held = [
        m
        for c in sc.contracts
        if isinstance(c, Rofr) and c.holder == provider
        for m in sc.calendar.months()
        if in_force(sc, c.id, c.effective_in(m), m)
    ]
    return (max(held) + 1 if held else 1) + sc.providers[provider].lead_time_months


def demands(sc: Scenario) -> dict[str, Fleet | TrainingRun]:
    return {d.id: d for d in sc.demands}


def _parse(ts: str) -> datetime:
    return datetime.fromisoformat(ts.replace("Z", "+00:00"))


def check(sc: Scenario, plan: Plan) -> list[str]:
    bad: list[str] = []
    ds = demands(sc)
    notices = {n.id: n for n in plan.notices}
    blocks: dict[tuple[str, str, str, int], int] = defaultdict(int)
    used: dict[tuple[str, str, str, int], int] = defaultdict(int)
    for a in plan.awards:
        used[(a.provider, a.gpu, a.region, a.month)] += a.gpus
    # capacity from exercised notices (holder blocks)
    for n in plan.notices:
        if n.exercised_gpus > 0:
            for m in range(n.start_month, n.start_month + n.duration_months):
                for region in sc.providers[n.holder].regions:
                    if sc.providers[n.holder].offerable_gpus(n.gpu, region, m) > 0:
                        blocks[(n.holder, n.gpu, region, m)] += n.exercised_gpus
    for key, gpus in sorted(used.items()):
        p, g, r, m = key
        new = blocks.get(key, 0)
        if m >= direct_from(sc, p):  # the right has ended: its new capacity is for sale directly
            new = max(new, sc.providers[p].offerable_gpus(g, r, m))
        cap = sc.providers[p].existing_gpus(g, r, m) + new
        if gpus > cap:
            bad.append(f"capacity: {p} {g} {r} month {m}: {gpus} > {cap}")
        acc = sc.accelerators[g]
        if sc.providers[p].full_rack_only and acc.rack_size and gpus % acc.rack_size:
            bad.append(f"full racks: {p} {g} {r} month {m}: {gpus} not a multiple of {acc.rack_size}")
    for a in plan.awards:
        d = ds[a.demand]
        m = a.month
        prov = sc.providers[a.provider]
        allowed = d.allowed_gpus if isinstance(d, Fleet) else d.gpu_types
        if a.gpu not in allowed:
            bad.append(f"type: {a.demand} got {a.gpu}")
        if a.pricing == "spot" and not d.preemptible_ok:
            bad.append(f"spot: {a.demand} is not preemptible")
        if d.regions_allowed and a.region not in d.regions_allowed:
            bad.append(f"regions_allowed: {a.demand} in {a.region}")
        for c in sc.contracts:
            live = in_force(sc, c.id, c.effective_in(m), m)
            if (
                isinstance(c, DataResidency)
                and live
                and a.demand in c.workloads
                and a.region not in c.allowed_regions
            ):
                bad.append(f"residency {c.id}: {a.demand} in {a.region} month {m}")
            covered = isinstance(c, WorkloadExclusivity) and (
                a.demand in c.workloads or d.workload_class in c.workload_classes
            )
            if covered and live and a.provider != c.counterparty():
                bad.append(f"exclusivity {c.id}: {a.demand} on {a.provider} month {m}")
        rates = prov.rates.get(a.gpu)
        expected: Decimal | None
        if a.notice is not None and a.provider == notices[a.notice].holder:
            expected = notices[a.notice].price_usd_per_gpu_hour
        elif rates is None:
            expected = None
        elif a.pricing == "spot":
            expected = rates.spot
        elif a.pricing == "on_demand":
            expected = rates.on_demand
        else:
            expected = rates.contract
        if expected is None or a.rate_usd_per_gpu_hour != expected:
            bad.append(f"rate: {a} expected {expected}")
        bad.extend(_rofr(sc, plan, a, d, notices))
    bad.extend(_runs(sc, plan))
    return bad


def _existing_contracted(sc: Scenario, provider: str, gpu: str, region: str, month: int) -> bool:
    if sc.providers[provider].kind is ProviderKind.OWNED:
        return True
    return any(
        isinstance(c, ReservedCapacity)
        and c.provider == provider
        and c.gpu == gpu
        and c.region in (None, region)
        and c.start_month <= month <= c.start_month + c.term_months - 1
        for c in sc.contracts
    )


def _rofr(sc: Scenario, plan: Plan, a: object, d: Fleet | TrainingRun, notices: dict) -> list[str]:  # type: ignore[type-arg]
    from tender.sourcing import Award

    assert isinstance(a, Award)
    out: list[str] = []
    for c in sc.contracts:
        if not isinstance(c, Rofr) or not in_force(sc, c.id, c.effective_in(a.month), a.month):
            continue
        if a.provider == c.holder:
            continue
        if c.applies_to == "new_capacity" and _existing_contracted(sc, a.provider, a.gpu, a.region, a.month):
            continue
        if not c.scope.matches(
            workload=d.id, workload_class=d.workload_class, gpu=a.gpu, region=a.region, provider=a.provider
        ):
            continue
        carved = any(
            co.kind is None
            and co.scope.matches(
                workload=d.id,
                workload_class=d.workload_class,
                gpu=a.gpu,
                region=a.region,
                provider=a.provider,
            )
            for co in c.carve_outs
        )
        if carved:
            continue
        n = notices.get(a.notice) if a.notice else None
        if n is None:
            out.append(f"rofr {c.id}: third-party award without notice: {a}")
            continue
        if n.status not in ("declined", "expired", "partially_exercised"):
            out.append(f"rofr {c.id}: notice {n.id} is {n.status} but {a.provider} got {a.demand}")
        decided = _parse(n.responded_at or n.deadline)
        if decided > sc.calendar.month_start(a.month) or _parse(n.issued_at) > sc.calendar.month_start(
            a.month
        ):
            out.append(f"rofr {c.id}: award in month {a.month} before notice {n.id} was answered")
        if a.gpus > n.released_gpus:
            out.append(f"rofr {c.id}: {a.gpus} GPUs exceed the {n.released_gpus} released by {n.id}")
    return out


def _runs(sc: Scenario, plan: Plan) -> list[str]:
    out: list[str] = []
    for r in sc.training_runs:
        mine = [a for a in plan.awards if a.demand == r.id]
        placed = not any(u.demand == r.id for u in plan.unmet)
        if not placed:
            if mine:
                out.append(f"run {r.id}: unmet but has awards")
            continue
        sites = {(a.provider, a.region) for a in mine}
        types = {a.gpu for a in mine}
        if len(sites) != 1 or len(types) != 1:
            out.append(f"run {r.id}: not single-site / single-type: {sites} {types}")
        months = sorted({a.month for a in mine})
        if len(months) != r.duration_months or months != list(
            range(months[0], months[0] + r.duration_months)
        ):
            out.append(f"run {r.id}: months {months} not {r.duration_months} contiguous")
        if months and (months[0] < r.earliest_start_month or months[-1] > r.latest_end_month):
            out.append(f"run {r.id}: months {months} outside the window")
        for m in months:
            if sum(a.gpus for a in mine if a.month == m) < r.gpus:
                out.append(f"run {r.id}: month {m} has fewer than {r.gpus} GPUs")
    return out


def cover(sc: Scenario, plan: Plan) -> list[str]:
    """Every fleet-month: delivered h100_eq + reported unmet >= need."""
    bad: list[str] = []
    for f in sc.fleets:
        for m in sc.calendar.months():
            got = sum(
                (
                    a.gpus * sc.accelerators[a.gpu].h100_eq
                    for a in plan.awards
                    if a.demand == f.id and a.month == m
                ),
                Decimal(0),
            )
            short = sum(
                (u.h100_eq or Decimal(0) for u in plan.unmet if u.demand == f.id and u.month == m), Decimal(0)
            )
            if got + short < f.need(m) - Decimal("0.001"):
                bad.append(f"cover: {f.id} month {m}: {got} + unmet {short} < {f.need(m)}")
    return bad

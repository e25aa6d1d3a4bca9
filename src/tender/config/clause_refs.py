"""Checks of one clause against the rest of the scenario: the ids it names, its months, its milestones.

Used for every clause version: written in `contracts:`, added by `add_contract`, or the new version
a `set_field` makes (`amended.py`).
"""

from __future__ import annotations

from collections.abc import Iterable

from tender.config.errors import FieldPath
from tender.config.findings import Findings, Names, check_month, check_ref, one_of
from tender.config.schema_contracts import (
    ClauseIn,
    CommittedSpendIn,
    DataResidencyIn,
    FirstShipIn,
    PriorityRightIn,
    ReservedCapacityIn,
    RevenueShareIn,
    TakeOrPayIn,
    WorkloadExclusivityIn,
)


def check_clause(c: ClauseIn, base: FieldPath, names: Names, out: Findings) -> None:
    check_month(out, (*base, "effective_from_month"), c.effective_from_month, names)
    if c.effective_to_month is not None and c.effective_to_month < c.effective_from_month:
        out.add(
            (*base, "effective_to_month"),
            f"ends (month {c.effective_to_month}) before it starts (month {c.effective_from_month})",
        )
    if isinstance(c, PriorityRightIn):
        _check_right(c, base, names, out)
    elif isinstance(c, CommittedSpendIn):
        _check_commitment(c, base, names, out)
    elif isinstance(c, TakeOrPayIn | ReservedCapacityIn | WorkloadExclusivityIn):
        check_ref(out, (*base, "provider"), "provider", c.provider, names.providers)
        if isinstance(c, TakeOrPayIn | ReservedCapacityIn):
            check_ref(out, (*base, "gpu"), "accelerator", c.gpu, names.gpus)
        if isinstance(c, ReservedCapacityIn):
            _check_reservation(c, base, names, out)
        if isinstance(c, WorkloadExclusivityIn):
            scope_refs(out, base, names, workloads=c.workloads)
    elif isinstance(c, DataResidencyIn):
        scope_refs(out, base, names, workloads=c.workloads)
        for i, region in enumerate(c.allowed_regions):
            check_ref(out, (*base, "allowed_regions", i), "region", region, names.regions)
    elif isinstance(c, RevenueShareIn):
        check_ref(out, (*base, "counterparty"), "provider", c.counterparty, names.providers)


def _check_right(c: PriorityRightIn, base: FieldPath, names: Names, out: Findings) -> None:
    check_ref(out, (*base, "holder"), "provider", c.holder, names.providers)
    scope_refs(out, base, names, workloads=c.workloads, gpus=c.gpus, regions=c.regions)
    if isinstance(c, FirstShipIn):
        for i, product in enumerate(c.products):  # `products` is an alias of `workloads`
            check_ref(out, (*base, "products", i), "workload", product, names.demands)
    for i, carve in enumerate(c.carve_outs):
        if not isinstance(carve, str):
            scope_refs(
                out,
                (*base, "carve_outs", i),
                names,
                workloads=carve.workloads,
                gpus=carve.gpus,
                regions=carve.regions,
                providers=carve.providers,
            )


def _check_commitment(c: CommittedSpendIn, base: FieldPath, names: Names, out: Findings) -> None:
    check_ref(out, (*base, "provider"), "provider", c.provider, names.providers)
    previous = None
    for i, m in enumerate(c.milestones):
        check_month(out, (*base, "milestones", i, "by_month"), m.by_month, names)
        if previous is not None and (m.by_month <= previous[0] or m.cumulative_usd < previous[1]):
            out.add(
                (*base, "milestones", i),
                "milestones must grow: later by_month and a cumulative_usd at least the previous one",
            )
        if m.cumulative_usd > c.total_usd:
            out.add(
                (*base, "milestones", i, "cumulative_usd"),
                f"{m.cumulative_usd} exceeds the commitment's total_usd {c.total_usd}",
            )
        previous = (m.by_month, m.cumulative_usd)
    if c.drawdown_order:
        _check_drawdown(c.id, c.drawdown_order.removeprefix("after "), (*base, "drawdown_order"), names, out)


def _check_drawdown(cid: str, target: str, path: FieldPath, names: Names, out: Findings) -> None:
    others = [c for c in names.commits if c != cid]
    kind = names.clause_types.get(target)
    if target == cid:
        out.add(
            path,
            f"a commitment cannot draw down after itself (one of: {', '.join(sorted(others)) or 'none'})",
        )
    elif kind is None:
        out.add(path, one_of("committed_spend contract", target, others))
    elif kind != "committed_spend":
        out.add(
            path,
            f"'{target}' is a {kind}, not a committed_spend contract "
            f"(draw down after one of: {', '.join(sorted(others)) or 'none'})",
        )


def _check_reservation(c: ReservedCapacityIn, base: FieldPath, names: Names, out: Findings) -> None:
    check_month(out, (*base, "start_month"), c.start_month, names)
    regions = names.provider_regions.get(c.provider)
    if c.region is None or regions is None:  # an unknown provider is reported on its own
        return
    if c.region not in regions:
        out.add(
            (*base, "region"),
            f"region '{c.region}' is not one of {c.provider}'s regions ({', '.join(regions)})",
        )


def scope_refs(
    out: Findings,
    base: FieldPath,
    names: Names,
    *,
    workloads: Iterable[str] = (),
    gpus: Iterable[str] = (),
    regions: Iterable[str] = (),
    providers: Iterable[str] = (),
) -> None:
    for key, values, kind, known in (
        ("workloads", workloads, "workload", names.demands),
        ("gpus", gpus, "accelerator", names.gpus),
        ("regions", regions, "region", names.regions),
        ("providers", providers, "provider", names.providers),
    ):
        for i, value in enumerate(values):
            check_ref(out, (*base, key, i), kind, value, known)

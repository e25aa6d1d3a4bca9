"""Checks that need the whole scenario: references, months inside the horizon, ordering, lengths.

Each check appends `(path, message)` pairs; `validate.py` turns them into located problems.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from pydantic import ValidationError

from tender.config.schema import CapacityLineIn, ScenarioIn
from tender.config.schema_contracts import (
    ClauseIn,
    CommittedSpendIn,
    DataResidencyIn,
    PriorityRightIn,
    ReservedCapacityIn,
    RevenueShareIn,
    TakeOrPayIn,
    WorkloadExclusivityIn,
)
from tender.config.yamlpos import Path


@dataclass
class Findings:
    items: list[tuple[Path, str]] = field(default_factory=list)

    def add(self, path: Path, message: str) -> None:
        self.items.append((path, message))


@dataclass(frozen=True)
class Names:
    gpus: frozenset[str]
    providers: frozenset[str]
    regions: frozenset[str]
    demands: frozenset[str]
    horizon: int


def _one_of(kind: str, value: str, known: Iterable[str]) -> str:
    return f"unknown {kind} '{value}' (known: {', '.join(sorted(known)) or 'none'})"


def check_scenario(
    sc: ScenarioIn, contracts: list[tuple[int, ClauseIn]], added: Sequence[tuple[Path, ClauseIn]]
) -> list[tuple[Path, str]]:
    out = Findings()
    regions = {r for p in sc.providers.values() for r in p.regions}
    fleets = [*sc.demand.inference_fleets, *sc.demand.continuous_training]
    demand_ids = [f.id for f in fleets] + [r.id for r in sc.demand.training_runs]
    names = Names(
        frozenset(sc.gpu_catalog),
        frozenset(sc.providers),
        frozenset(regions),
        frozenset(demand_ids),
        sc.scenario.horizon_months,
    )
    _check_providers(sc, names, out)
    _check_demand(sc, names, out)
    _check_contracts(contracts, names, out)
    for path, clause in added:
        _check_clause(clause, path, names, out)
    _check_amendments(sc, contracts, names, out)
    _check_forecast_and_responses(sc, names, out)
    return out.items


def _month(out: Findings, path: Path, month: int, names: Names) -> None:
    if month > names.horizon:
        out.add(path, f"month {month} is outside the horizon (1..{names.horizon})")


def _check_lines(
    lines: list[CapacityLineIn], base: Path, regions: list[str], names: Names, out: Findings
) -> None:
    for i, line in enumerate(lines):
        if line.gpu not in names.gpus:
            out.add((*base, i, "gpu"), _one_of("accelerator", line.gpu, names.gpus))
        if line.region not in regions:
            out.add(
                (*base, i, "region"),
                f"region '{line.region}' is not one of this provider's regions ({', '.join(regions)})",
            )
        previous = 0
        for j, step in enumerate(line.steps):
            _month(out, (*base, i, "steps", j, "from_month"), step.from_month, names)
            if step.from_month <= previous:
                out.add(
                    (*base, i, "steps", j, "from_month"),
                    f"capacity steps out of order: month {step.from_month} after month {previous} (list steps by increasing from_month)",
                )
            previous = step.from_month


def _check_providers(sc: ScenarioIn, names: Names, out: Findings) -> None:
    for pid, p in sc.providers.items():
        base: Path = ("providers", pid)
        _check_lines(p.capacity, (*base, "capacity"), p.regions, names, out)
        _check_lines(p.new_capacity_offerable, (*base, "new_capacity_offerable"), p.regions, names, out)
        for i, phase in enumerate(p.campus_phases):
            if phase.gpu not in names.gpus:
                out.add((*base, "campus_phases", i, "gpu"), _one_of("accelerator", phase.gpu, names.gpus))
            _month(out, (*base, "campus_phases", i, "online_month"), phase.online_month, names)
        months = [ph.online_month for ph in p.campus_phases]
        if months != sorted(months):
            out.add(
                (*base, "campus_phases"), "campus phases out of order (list them by increasing online_month)"
            )
        for gpu in p.rates:
            if gpu not in names.gpus:
                out.add((*base, "rates", gpu), _one_of("accelerator", gpu, names.gpus))
        offered = {ln.gpu for ln in (*p.capacity, *p.new_capacity_offerable)} | {
            ph.gpu for ph in p.campus_phases
        }
        for gpu in sorted(offered & names.gpus):
            if gpu not in p.rates:
                out.add(
                    (*base, "rates"),
                    f"no rate for {gpu}, which this provider has capacity of (add rates.{gpu})",
                )
        if p.capacity_blocks and p.capacity_blocks.gpu not in names.gpus:
            out.add(
                (*base, "capacity_blocks", "gpu"), _one_of("accelerator", p.capacity_blocks.gpu, names.gpus)
            )
        if p.delay_risk_months.p90 < p.delay_risk_months.p50:
            out.add((*base, "delay_risk_months", "p90"), "p90 delay is below p50 (p90 must be >= p50)")


def _check_demand(sc: ScenarioIn, names: Names, out: Findings) -> None:
    seen: dict[str, Path] = {}
    for section in ("inference_fleets", "continuous_training"):
        for i, fleet in enumerate(getattr(sc.demand, section)):
            base: Path = ("demand", section, i)
            _unique(fleet.id, (*base, "id"), seen, out)
            for j, gpu in enumerate(fleet.allowed_gpus):
                if gpu not in names.gpus:
                    out.add((*base, "allowed_gpus", j), _one_of("accelerator", gpu, names.gpus))
            for key in ("regions_preferred", "regions_allowed"):
                for j, region in enumerate(getattr(fleet, key)):
                    if region not in names.regions:
                        out.add((*base, key, j), _one_of("region", region, names.regions))
            if len(fleet.h100_eq) != names.horizon:
                out.add(
                    (*base, "h100_eq"),
                    f"has {len(fleet.h100_eq)} monthly values, expected {names.horizon} (one per horizon month)",
                )
    for i, run in enumerate(sc.demand.training_runs):
        base = ("demand", "training_runs", i)
        _unique(run.id, (*base, "id"), seen, out)
        for j, gpu in enumerate(run.gpu_types):
            if gpu not in names.gpus:
                out.add((*base, "gpu_types", j), _one_of("accelerator", gpu, names.gpus))
        for j, region in enumerate(run.regions_allowed):
            if region not in names.regions:
                out.add((*base, "regions_allowed", j), _one_of("region", region, names.regions))
        _month(out, (*base, "earliest_start_month"), run.earliest_start_month, names)
        _month(out, (*base, "latest_end_month"), run.latest_end_month, names)
        span = run.latest_end_month - run.earliest_start_month + 1
        if span < run.duration_months:
            out.add(
                (*base, "duration_months"),
                f"a {run.duration_months}-month run cannot fit in months {run.earliest_start_month}..{run.latest_end_month} "
                f"({span} months; widen the window or shorten the run)",
            )


def _unique(value: str, path: Path, seen: dict[str, Path], out: Findings) -> None:
    if value in seen:
        out.add(path, f"duplicate id '{value}' (ids must be unique)")
    seen[value] = path


def _check_contracts(contracts: list[tuple[int, ClauseIn]], names: Names, out: Findings) -> None:
    by_id: dict[str, ClauseIn] = {}
    for index, c in contracts:
        _check_clause(c, ("contracts", index), names, out)
        other = by_id.get(c.id)
        if other is not None and _overlap(other, c):
            out.add(
                ("contracts", index, "id"),
                f"contract '{c.id}' is defined twice with overlapping effective months (give it a new id or disjoint months)",
            )
        by_id[c.id] = c
    for (i, a), (j, b) in _pairs(contracts):
        if (
            isinstance(a, PriorityRightIn)
            and isinstance(b, PriorityRightIn)
            and type(a) is type(b)
            and a.holder == b.holder
            and a.id != b.id
            and _overlap(a, b)
            and _same_scope(a, b)
        ):
            out.add(
                ("contracts", j, "effective_from_month"),
                f"overlaps '{a.id}' (the same {type(b).__name__.removesuffix('In').lower()} for {b.holder}, months {_range(a)}); end one before the other starts",
            )
        del i


def _pairs(items: list[tuple[int, ClauseIn]]) -> Iterable[tuple[tuple[int, ClauseIn], tuple[int, ClauseIn]]]:
    for n, first in enumerate(items):
        for second in items[n + 1 :]:
            yield first, second


def _same_scope(a: PriorityRightIn, b: PriorityRightIn) -> bool:
    return (sorted(a.workloads), sorted(a.workload_classes), sorted(a.gpus), sorted(a.regions)) == (
        sorted(b.workloads),
        sorted(b.workload_classes),
        sorted(b.gpus),
        sorted(b.regions),
    )


def _range(c: ClauseIn) -> str:
    return f"{c.effective_from_month}..{c.effective_to_month or 'end'}"


def _overlap(a: ClauseIn, b: ClauseIn) -> bool:
    a_to = a.effective_to_month or 10**9
    b_to = b.effective_to_month or 10**9
    return a.effective_from_month <= b_to and b.effective_from_month <= a_to


def _ref(out: Findings, path: Path, kind: str, value: str | None, known: frozenset[str]) -> None:
    if value is not None and value not in known:
        out.add(path, _one_of(kind, value, known))


def _check_clause(c: ClauseIn, base: Path, names: Names, out: Findings) -> None:
    _month(out, (*base, "effective_from_month"), c.effective_from_month, names)
    if c.effective_to_month is not None and c.effective_to_month < c.effective_from_month:
        out.add(
            (*base, "effective_to_month"),
            f"ends (month {c.effective_to_month}) before it starts (month {c.effective_from_month})",
        )
    if isinstance(c, PriorityRightIn):
        _ref(out, (*base, "holder"), "provider", c.holder, names.providers)
        _scope_refs(out, base, c.workloads, c.gpus, c.regions, (), names)
        for i, carve in enumerate(c.carve_outs):
            if not isinstance(carve, str):
                _scope_refs(
                    out,
                    (*base, "carve_outs", i),
                    carve.workloads,
                    carve.gpus,
                    carve.regions,
                    carve.providers,
                    names,
                )
    elif isinstance(c, CommittedSpendIn):
        _ref(out, (*base, "provider"), "provider", c.provider, names.providers)
        previous = None
        for i, m in enumerate(c.milestones):
            _month(out, (*base, "milestones", i, "by_month"), m.by_month, names)
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
    elif isinstance(c, TakeOrPayIn | ReservedCapacityIn | WorkloadExclusivityIn):
        _ref(out, (*base, "provider"), "provider", c.provider, names.providers)
        if isinstance(c, TakeOrPayIn | ReservedCapacityIn):
            _ref(out, (*base, "gpu"), "accelerator", c.gpu, names.gpus)
        if isinstance(c, ReservedCapacityIn):
            _month(out, (*base, "start_month"), c.start_month, names)
            _ref(out, (*base, "region"), "region", c.region, names.regions)
        if isinstance(c, WorkloadExclusivityIn):
            _scope_refs(out, base, c.workloads, (), (), (), names)
    elif isinstance(c, DataResidencyIn):
        _scope_refs(out, base, c.workloads, (), (), (), names)
        for i, region in enumerate(c.allowed_regions):
            _ref(out, (*base, "allowed_regions", i), "region", region, names.regions)
    elif isinstance(c, RevenueShareIn):
        _ref(out, (*base, "counterparty"), "provider", c.counterparty, names.providers)


def _scope_refs(
    out: Findings,
    base: Path,
    workloads: Iterable[str],
    gpus: Iterable[str],
    regions: Iterable[str],
    providers: Iterable[str],
    names: Names,
) -> None:
    for key, values, kind, known in (
        ("workloads", workloads, "workload", names.demands),
        ("gpus", gpus, "accelerator", names.gpus),
        ("regions", regions, "region", names.regions),
        ("providers", providers, "provider", names.providers),
    ):
        for i, value in enumerate(values):
            _ref(out, (*base, key, i), kind, value, known)


def _check_amendments(
    sc: ScenarioIn, contracts: list[tuple[int, ClauseIn]], names: Names, out: Findings
) -> None:
    ends: dict[str, int | None] = {c.id: c.effective_to_month for _, c in contracts}
    commits = {c.id for _, c in contracts if isinstance(c, CommittedSpendIn)}
    models = {c.id: c for _, c in contracts}
    order = sorted(enumerate(sc.amendments), key=lambda pair: (pair[1].effective_month, pair[0]))
    for i, amendment in order:
        base: Path = ("amendments", i)
        _month(out, (*base, "effective_month"), amendment.effective_month, names)
        month = amendment.effective_month
        for j, change in enumerate(amendment.changes):
            path: Path = (*base, "changes", j, "contract")
            if change.action in ("terminate", "set_field"):
                cid = str(change.contract)
                if cid not in ends:
                    out.add(path, _one_of("contract", cid, ends))
                    continue
                end = ends[cid]
                if end is not None and end < month - 1:
                    out.add(
                        path,
                        f"contract '{cid}' already ended in month {end}, before this amendment's month {month}",
                    )
                    continue
                if change.action == "terminate":
                    ends[cid] = month - 1
                elif cid in models:
                    _check_set_field(models[cid], str(change.field), change.value, (*base, "changes", j), out)
            elif change.action == "add_contract" and isinstance(change.contract, dict):
                cid = str(change.contract.get("id", ""))
                end = ends.get(cid, -1)
                if cid in ends and (end is None or end >= month):
                    out.add(
                        (*path, "id"),
                        f"contract '{cid}' is still in effect in month {month} (overlapping ranges; use a new id)",
                    )
                ends[cid] = change.contract.get("effective_to_month")
                if change.contract.get("type") == "committed_spend":
                    commits.add(cid)
    for index, c in contracts:
        if isinstance(c, CommittedSpendIn) and c.drawdown_order:
            target = c.drawdown_order.removeprefix("after ")
            if target not in commits:
                out.add(
                    ("contracts", index, "drawdown_order"),
                    _one_of("committed_spend contract", target, commits),
                )


def _check_forecast_and_responses(sc: ScenarioIn, names: Names, out: Findings) -> None:
    for key in ("revenue_forecast_usd_billions", "revenue_forecast_usd"):
        values = getattr(sc, key)
        if values is not None and len(values) != names.horizon:
            out.add(
                (key,), f"has {len(values)} monthly values, expected {names.horizon} (one per horizon month)"
            )
    if sc.revenue_forecast_usd_billions is not None and sc.revenue_forecast_usd is not None:
        out.add(
            ("revenue_forecast_usd",),
            "give the forecast once: revenue_forecast_usd_billions or revenue_forecast_usd",
        )
    for i, response in enumerate(sc.rofr_responses):
        _ref(out, ("rofr_responses", i, "need"), "demand", response.need, names.demands)
        _ref(out, ("rofr_responses", i, "holder"), "provider", response.holder, names.providers)
        if response.decline and response.exercise_gpus:
            out.add(
                ("rofr_responses", i, "decline"), "a response cannot both decline and exercise (pick one)"
            )


def _check_set_field(clause: ClauseIn, name: str, value: object, base: Path, out: Findings) -> None:
    """`set_field` may change any field of the clause but its id and type, to a value of the right type."""
    fields = sorted(set(type(clause).model_fields) - {"id", "type", "resembles", "note"})
    if name not in fields:
        out.add((*base, "field"), f"'{name}' is not a field of {clause.id} (one of: {', '.join(fields)})")
        return
    try:
        type(clause).model_validate({**clause.model_dump(exclude_unset=True), name: value})
    except ValidationError as exc:
        first = exc.errors()[0]
        out.add((*base, "value"), f"not a valid {name} for {clause.id}: {first['msg']} (got {value!r})")

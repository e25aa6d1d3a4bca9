"""Checks that need the whole scenario: references, months inside the horizon, ordering, lengths.

Flow (`check_scenario`): 1. the names the scenario defines; 2. providers (capacity lines, phases,
rates); 3. demand; 4. each clause of `contracts:` and each clause an amendment adds
(`clause_refs.py`), and ids defined twice; 5. the amendments replayed in the order the clause
timeline applies them (`amended.py`); 6. the revenue forecast and scripted ROFR answers; 7. the `uncertainty:` section
(`uncertainty_refs.py`).
Each check appends `(path, message)` pairs; `load.py` turns them into located problems.
"""

from __future__ import annotations

from tender.config.amended import check_amendments
from tender.config.clause_refs import check_clause
from tender.config.errors import FieldPath
from tender.config.findings import Findings, Names, check_month, check_ref, one_of
from tender.config.schema import CapacityLineIn, ProviderIn, RatesIn, ScenarioIn
from tender.config.schema_contracts import ClauseIn
from tender.config.uncertainty_refs import check_uncertainty


def check_scenario(
    sc: ScenarioIn, contracts: list[tuple[int, ClauseIn]], added: dict[int, dict[int, ClauseIn]]
) -> list[tuple[FieldPath, str]]:
    """Problems of a structurally valid scenario. `added[i][j]`: the clause amendment i, change j adds."""
    out = Findings()
    flat_added = [
        (("amendments", i, "changes", j, "contract"), c) for i, row in added.items() for j, c in row.items()
    ]
    names = _names(sc, [c for _, c in contracts] + [c for _, c in flat_added])
    _check_providers(sc, names, out)
    _check_demand(sc, names, out)
    _check_contracts(contracts, names, out)
    for path, clause in flat_added:
        check_clause(clause, path, names, out)
    check_amendments(sc, contracts, added, names, out)
    _check_forecast_and_responses(sc, names, out)
    check_uncertainty(sc, out)
    return out.items


def _names(sc: ScenarioIn, clauses: list[ClauseIn]) -> Names:
    fleets = [*sc.demand.inference_fleets, *sc.demand.continuous_training]
    return Names(
        gpus=frozenset(sc.gpu_catalog),
        providers=frozenset(sc.providers),
        regions=frozenset(r for p in sc.providers.values() for r in p.regions),
        demands=frozenset([f.id for f in fleets] + [r.id for r in sc.demand.training_runs]),
        horizon=sc.scenario.horizon_months,
        provider_regions={pid: tuple(p.regions) for pid, p in sc.providers.items()},
        clause_types={c.id: str(getattr(c, "type", "")) for c in clauses},
    )


def _check_lines(
    lines: list[CapacityLineIn], base: FieldPath, regions: list[str], names: Names, out: Findings
) -> None:
    for i, line in enumerate(lines):
        if line.gpu not in names.gpus:
            out.add((*base, i, "gpu"), one_of("accelerator", line.gpu, names.gpus))
        if line.region not in regions:
            out.add(
                (*base, i, "region"),
                f"region '{line.region}' is not one of this provider's regions ({', '.join(regions)})",
            )
        previous = 0
        for j, step in enumerate(line.steps):
            check_month(out, (*base, i, "steps", j, "from_month"), step.from_month, names)
            if step.from_month <= previous:
                out.add(
                    (*base, i, "steps", j, "from_month"),
                    f"capacity steps out of order: month {step.from_month} after month {previous} (list steps by increasing from_month)",
                )
            previous = step.from_month


def _check_providers(sc: ScenarioIn, names: Names, out: Findings) -> None:
    for pid, p in sc.providers.items():
        base: FieldPath = ("providers", pid)
        _check_lines(p.capacity, (*base, "capacity"), p.regions, names, out)
        _check_lines(p.new_capacity_offerable, (*base, "new_capacity_offerable"), p.regions, names, out)
        for i, phase in enumerate(p.campus_phases):
            if phase.gpu not in names.gpus:
                out.add((*base, "campus_phases", i, "gpu"), one_of("accelerator", phase.gpu, names.gpus))
            check_month(out, (*base, "campus_phases", i, "online_month"), phase.online_month, names)
        months = [ph.online_month for ph in p.campus_phases]
        if months != sorted(months):
            out.add(
                (*base, "campus_phases"), "campus phases out of order (list them by increasing online_month)"
            )
        _check_rates(p, base, names, out)
        if p.capacity_blocks and p.capacity_blocks.gpu not in names.gpus:
            out.add(
                (*base, "capacity_blocks", "gpu"), one_of("accelerator", p.capacity_blocks.gpu, names.gpus)
            )
        if p.delay_risk_months.p90 < p.delay_risk_months.p50:
            out.add((*base, "delay_risk_months", "p90"), "p90 delay is below p50 (p90 must be >= p50)")
        if p.skypilot is not None:
            _check_skypilot(p, (*base, "skypilot"), out)


# SkyPilot clouds whose regions are the user's own (contexts, node pools): no catalog rows.
SKYPILOT_CLOUDS_WITHOUT_CATALOG = ("Kubernetes", "SSH")


def _check_skypilot(p: ProviderIn, base: FieldPath, out: Findings) -> None:
    """The cloud is one SkyPilot knows (the shipped catalog's clouds, which are SkyPilot's); each mapped
    region is one of the provider's."""
    from tender.catalog.load import provider_names  # only when a scenario maps providers to SkyPilot

    assert p.skypilot is not None
    clouds = (*provider_names(), *SKYPILOT_CLOUDS_WITHOUT_CATALOG)
    if p.skypilot.cloud.lower() not in {c.lower() for c in clouds}:
        out.add((*base, "cloud"), one_of("SkyPilot cloud", p.skypilot.cloud, clouds))
    for region, names in p.skypilot.regions.items():
        if region not in p.regions:
            out.add(
                (*base, "regions", region),
                f"region '{region}' is not one of this provider's regions ({', '.join(p.regions)})",
            )
        if not names:
            out.add((*base, "regions", region), "name at least one SkyPilot region")


def _check_rates(p: ProviderIn, base: FieldPath, names: Names, out: Findings) -> None:
    for gpu in p.rates:
        if gpu not in names.gpus:
            out.add((*base, "rates", gpu), one_of("accelerator", gpu, names.gpus))
    offered = {ln.gpu for ln in (*p.capacity, *p.new_capacity_offerable)} | {ph.gpu for ph in p.campus_phases}
    for gpu in sorted(offered & names.gpus):
        if gpu not in p.rates:
            out.add(
                (*base, "rates"),
                f"no rate for {gpu}, which this provider has capacity of (add rates.{gpu})",
            )
        elif _no_rate(p.rates[gpu]):
            out.add(
                (*base, "rates", gpu),
                f"contract, on_demand and spot are all null for {gpu}, which this provider has capacity "
                "of: no rate to buy it at (give at least one)",
            )


def _no_rate(r: RatesIn) -> bool:
    return r.contract is None and r.on_demand is None and r.spot is None


def _check_demand(sc: ScenarioIn, names: Names, out: Findings) -> None:
    seen: dict[str, FieldPath] = {}
    for section in ("inference_fleets", "continuous_training"):
        for i, fleet in enumerate(getattr(sc.demand, section)):
            base: FieldPath = ("demand", section, i)
            _unique(fleet.id, (*base, "id"), seen, out)
            for j, gpu in enumerate(fleet.allowed_gpus):
                if gpu not in names.gpus:
                    out.add((*base, "allowed_gpus", j), one_of("accelerator", gpu, names.gpus))
            for key in ("regions_preferred", "regions_allowed"):
                for j, region in enumerate(getattr(fleet, key)):
                    if region not in names.regions:
                        out.add((*base, key, j), one_of("region", region, names.regions))
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
                out.add((*base, "gpu_types", j), one_of("accelerator", gpu, names.gpus))
        for j, region in enumerate(run.regions_allowed):
            if region not in names.regions:
                out.add((*base, "regions_allowed", j), one_of("region", region, names.regions))
        check_month(out, (*base, "earliest_start_month"), run.earliest_start_month, names)
        check_month(out, (*base, "latest_end_month"), run.latest_end_month, names)
        span = run.latest_end_month - run.earliest_start_month + 1
        if span < run.duration_months:
            out.add(
                (*base, "duration_months"),
                f"a {run.duration_months}-month run cannot fit in months {run.earliest_start_month}..{run.latest_end_month} "
                f"({span} months; widen the window or shorten the run)",
            )


def _unique(value: str, path: FieldPath, seen: dict[str, FieldPath], out: Findings) -> None:
    if value in seen:
        out.add(path, f"duplicate id '{value}' (ids must be unique)")
    seen[value] = path


def _check_contracts(contracts: list[tuple[int, ClauseIn]], names: Names, out: Findings) -> None:
    """Each written clause; an id written twice must not overlap itself. (Rights of one holder that
    overlap are checked on the amended timeline, in `amended.py`.)"""
    by_id: dict[str, ClauseIn] = {}
    for index, c in contracts:
        check_clause(c, ("contracts", index), names, out)
        other = by_id.get(c.id)
        if other is not None and _overlap(other, c):
            out.add(
                ("contracts", index, "id"),
                f"contract '{c.id}' is defined twice with overlapping effective months (give it a new id or disjoint months)",
            )
        by_id[c.id] = c


def _overlap(a: ClauseIn, b: ClauseIn) -> bool:
    a_to = a.effective_to_month or 10**9
    b_to = b.effective_to_month or 10**9
    return a.effective_from_month <= b_to and b.effective_from_month <= a_to


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
        check_ref(out, ("rofr_responses", i, "need"), "demand", response.need, names.demands)
        check_ref(out, ("rofr_responses", i, "holder"), "provider", response.holder, names.providers)
        if response.decline and response.exercise_gpus:
            out.add(
                ("rofr_responses", i, "decline"), "a response cannot both decline and exercise (pick one)"
            )

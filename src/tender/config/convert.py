"""Validated schema models -> frozen domain objects (the only place that knows both)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import TypedDict

from tender.config.schema import CapacityLineIn, FleetIn, ProviderIn, RatesIn, ScenarioIn
from tender.config.schema_contracts import (
    AmendmentIn,
    CarveOutIn,
    ClauseIn,
    CommittedSpendIn,
    DataResidencyIn,
    FirstShipIn,
    PriorityRightIn,
    ReservedCapacityIn,
    RevenueShareIn,
    TakeOrPayIn,
    WorkloadExclusivityIn,
    amendment_order,
    with_field,
)
from tender.config.uncertainty_refs import to_uncertainty
from tender.domain import (
    Accelerator,
    Amendment,
    BackendSpec,
    Calendar,
    CampusPhase,
    CapacityBlocks,
    CapacityLine,
    CapacityStep,
    CarveOut,
    Change,
    ChangeAction,
    CommittedSpend,
    Contract,
    DataResidency,
    DelayRisk,
    FirstShip,
    Fleet,
    FleetKind,
    MatchMode,
    Milestone,
    OnExpiry,
    Provider,
    ProviderKind,
    Rates,
    ReservedCapacity,
    RevenueShare,
    Rofr,
    RofrBehavior,
    Scenario,
    Scope,
    ScriptedResponse,
    SkyTarget,
    TakeOrPay,
    TrainingRun,
    WorkloadExclusivity,
)

BILLION = Decimal(1_000_000_000)


class _Common(TypedDict):
    id: str
    effective_from_month: int
    effective_to_month: int | None
    resembles: str


def to_scenario(
    sc: ScenarioIn,
    contracts: list[ClauseIn],
    added: dict[int, dict[int, ClauseIn]],
    rates_from_catalog: dict[tuple[str, str], Decimal],
) -> Scenario:
    """Build the domain `Scenario`. `added[i][j]` is the clause added by amendment i, change j."""
    header = sc.scenario
    calendar = Calendar.parse(header.start_month, header.horizon_months, header.hours_per_month)
    accelerators = {
        name: Accelerator(name, a.h100_eq, a.memory_gb, a.kw_per_gpu_facility, a.rack_size)
        for name, a in sc.gpu_catalog.items()
    }
    providers = {pid: _provider(pid, p, rates_from_catalog) for pid, p in sc.providers.items()}
    fleets = tuple(
        [_fleet(f, FleetKind.INFERENCE) for f in sc.demand.inference_fleets]
        + [_fleet(f, FleetKind.CONTINUOUS_TRAINING) for f in sc.demand.continuous_training]
    )
    runs = tuple(
        TrainingRun(
            r.id,
            r.workload_class,
            tuple(r.gpu_types),
            r.gpus,
            r.earliest_start_month,
            r.duration_months,
            r.latest_end_month,
            r.single_site,
            r.mixed_types_ok,
            r.preemptible_ok,
            tuple(r.regions_allowed),
        )
        for r in sc.demand.training_runs
    )
    if sc.revenue_forecast_usd_billions is not None:
        forecast = tuple(v * BILLION for v in sc.revenue_forecast_usd_billions)
    else:
        forecast = tuple(sc.revenue_forecast_usd or ())
    return Scenario(
        id=header.id,
        description=header.description.strip(),
        calendar=calendar,
        currency=header.currency,
        accelerators=accelerators,
        providers=providers,
        contracts=tuple(to_contract(c) for c in contracts),
        amendments=_amendments(sc.amendments, contracts, added),
        fleets=fleets,
        training_runs=runs,
        revenue_forecast_usd=forecast,
        rofr_responses=tuple(
            ScriptedResponse(r.need, r.holder, r.exercise_gpus, r.decline, r.silent, r.response_days)
            for r in sc.rofr_responses
        ),
        ledger_columns=tuple(sc.ledger_columns),
        unmet_penalty_usd_per_h100_eq_hour=header.unmet_penalty_usd_per_h100_eq_hour,
        uncertainty=to_uncertainty(sc.uncertainty),
    )


def _lines(lines: list[CapacityLineIn]) -> tuple[CapacityLine, ...]:
    return tuple(
        CapacityLine(ln.gpu, ln.region, tuple(CapacityStep(s.from_month, s.gpus) for s in ln.steps))
        for ln in lines
    )


def _rates(pid: str, gpu: str, r: RatesIn, from_catalog: dict[tuple[str, str], Decimal]) -> Rates:
    on_demand = (
        r.on_demand if isinstance(r.on_demand, Decimal) or r.on_demand is None else from_catalog[(pid, gpu)]
    )
    return Rates(r.contract, on_demand, r.spot)


def _provider(pid: str, p: ProviderIn, from_catalog: dict[tuple[str, str], Decimal]) -> Provider:
    behavior = p.rofr_behavior
    blocks = p.capacity_blocks
    backend = None
    if p.backend is not None:
        options = {k: str(v) for k, v in p.backend.model_dump(exclude={"kind"}).items() if v is not None}
        backend = BackendSpec(p.backend.kind, options)
    return Provider(
        id=pid,
        kind=ProviderKind(p.kind),
        regions=tuple(p.regions),
        capacity=_lines(p.capacity),
        new_capacity_offerable=_lines(p.new_capacity_offerable),
        campus_phases=tuple(
            CampusPhase(c.phase, c.online_month, c.mw, c.gpu, c.gpus) for c in p.campus_phases
        ),
        single_site=p.single_site,
        delay_risk=DelayRisk(p.delay_risk_months.p50, p.delay_risk_months.p90),
        lead_time_months=p.lead_time_months,
        rates={gpu: _rates(pid, gpu, r, from_catalog) for gpu, r in p.rates.items()},
        rofr_behavior=RofrBehavior(
            behavior.accept_probability, behavior.max_share_of_request, behavior.typical_response_days
        )
        if behavior
        else None,
        capacity_blocks=CapacityBlocks(
            blocks.gpu,
            blocks.durations_days,
            blocks.max_instances_per_block,
            blocks.paid_upfront,
            blocks.cancellable,
        )
        if blocks
        else None,
        full_rack_only=p.full_rack_only,
        min_block_hours=p.min_block_hours,
        resale_allowed=p.resale_allowed,
        price_volatility_pct=p.price_volatility_pct,
        backend=backend,
        resembles=p.resembles,
        note=p.note,
        skypilot=SkyTarget(
            p.skypilot.cloud, {region: tuple(names) for region, names in p.skypilot.regions.items()}
        )
        if p.skypilot
        else None,
    )


def _fleet(f: FleetIn, kind: FleetKind) -> Fleet:
    return Fleet(
        f.id,
        kind,
        f.workload_class,
        tuple(f.h100_eq),
        tuple(f.allowed_gpus),
        tuple(f.regions_preferred),
        tuple(f.regions_allowed),
        f.latency_sensitive,
        f.preemptible_ok,
    )


def _carve_out(c: str | CarveOutIn) -> CarveOut:
    if isinstance(c, str):
        return CarveOut(kind=c)
    classes = (*c.workload_classes, *([c.workload_class] if c.workload_class else []))
    return CarveOut(
        scope=Scope(tuple(c.workloads), classes, tuple(c.gpus), tuple(c.regions), tuple(c.providers))
    )


def _priority_right(c: PriorityRightIn, common: _Common) -> Rofr:
    workloads = (*c.workloads, *(c.products if isinstance(c, FirstShipIn) else ()))
    cls = FirstShip if isinstance(c, FirstShipIn) else Rofr
    return cls(
        **common,
        holder=c.holder,
        applies_to=c.applies_to,
        scope=Scope(tuple(workloads), tuple(c.workload_classes), tuple(c.gpus), tuple(c.regions)),
        carve_outs=tuple(_carve_out(x) for x in c.carve_outs),
        must_include=tuple(c.notice.must_include),
        response_window_days=c.response_window_days,
        match_mode=MatchMode(c.match_mode),
        partial_exercise=c.partial_exercise,
        min_exercise_block_gpus=c.min_exercise_block_gpus,
        on_expiry=OnExpiry(c.on_expiry),
        third_party_close_window_days=c.third_party_close_window_days,
        reoffer_if_terms_improve_pct=c.reoffer_if_terms_improve_pct,
    )


def _money_clause(c: ClauseIn, common: _Common) -> Contract | None:
    """Committed spend, take-or-pay and reserved capacity (None for any other clause)."""
    if isinstance(c, CommittedSpendIn):
        return CommittedSpend(
            **common,
            provider=c.provider,
            total_usd=c.total_usd,
            milestones=tuple(Milestone(m.by_month, m.cumulative_usd) for m in c.milestones),
            eligible_spend=tuple(c.eligible_spend),
            penalty_pct_of_shortfall=c.shortfall.penalty_pct_of_shortfall,
            convertible_to_prepayment_if_renewed=c.shortfall.convertible_to_prepayment_if_renewed,
            overage=c.overage,
            drawdown_after=c.drawdown_order.removeprefix("after ") if c.drawdown_order else None,
        )
    if isinstance(c, TakeOrPayIn):
        return TakeOrPay(
            **common,
            provider=c.provider,
            term_months=c.term_months,
            minimum_pct_of_delivered_capacity=c.minimum_pct_of_delivered_capacity,
            price_source=c.price_source,
            delivery_slip_relief=c.delivery_slip_relief,
            gpu=c.gpu,
        )
    if isinstance(c, ReservedCapacityIn):
        return ReservedCapacity(
            **common,
            provider=c.provider,
            gpu=c.gpu,
            gpus=c.gpus,
            region=c.region,
            start_month=c.start_month,
            term_months=c.term_months,
            billing=c.billing,
            burst_max_gpus=c.burst.max_gpus,
            burst_rate=c.burst.rate,
        )
    return None


def to_contract(c: ClauseIn) -> Contract:
    common = _Common(
        id=c.id,
        effective_from_month=c.effective_from_month,
        effective_to_month=c.effective_to_month,
        resembles=c.resembles,
    )
    if isinstance(c, PriorityRightIn):
        return _priority_right(c, common)
    money = _money_clause(c, common)
    if money is not None:
        return money
    if isinstance(c, WorkloadExclusivityIn):
        return WorkloadExclusivity(
            **common,
            provider=c.provider,
            workloads=tuple(c.workloads),
            workload_classes=tuple(c.workload_classes),
        )
    if isinstance(c, DataResidencyIn):
        return DataResidency(**common, workloads=tuple(c.workloads), allowed_regions=tuple(c.allowed_regions))
    if isinstance(c, RevenueShareIn):
        return RevenueShare(
            **common,
            counterparty_id=c.counterparty,
            outbound_rate=c.outbound_rate,
            outbound_cap_usd=c.outbound_cap_usd,
            inbound_rate=c.inbound_rate,
            settlement=c.settlement,
        )
    raise TypeError(f"unhandled clause model {type(c).__name__}")  # pragma: no cover


def _amendments(
    amendments: list[AmendmentIn], contracts: list[ClauseIn], added: dict[int, dict[int, ClauseIn]]
) -> tuple[Amendment, ...]:
    """Domain amendments. A `set_field` carries the whole new version of the clause, converted like any
    clause, so YAML field names (`counterparty`, `burst`, `shortfall`...) map onto the domain's."""
    current: dict[str, ClauseIn] = {c.id: c for c in contracts}
    out: dict[int, Amendment] = {}
    for i, a in amendment_order(amendments):
        changes = []
        for j, ch in enumerate(a.changes):
            action = ChangeAction(ch.action)
            if action is ChangeAction.ADD_CONTRACT:
                current[added[i][j].id] = added[i][j]
                clause = to_contract(added[i][j])
                if (
                    clause.effective_from_month < a.effective_month
                ):  # an added clause starts with its amendment
                    clause = replace(clause, effective_from_month=a.effective_month)
                changes.append(Change(action, clause.id, contract=clause))
            elif action is ChangeAction.SET_FIELD and str(ch.contract) in current:
                model = current[str(ch.contract)]
                new_model = with_field(model, str(ch.field), ch.value)  # checked in amended.py
                current[model.id] = new_model
                changes.append(
                    Change(action, model.id, contract=to_contract(new_model), field=ch.field, value=ch.value)
                )
            else:
                changes.append(Change(action, str(ch.contract), field=ch.field, value=ch.value))
        out[i] = Amendment(a.id, a.effective_month, tuple(changes), a.resembles)
    return tuple(out[i] for i in range(len(amendments)))

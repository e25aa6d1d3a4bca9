"""`plan(scenario, options)`: the whole strategic flow, pure and deterministic.

1. index the scenario (`data.build`) with gated third-party capacity usable once the holder could
   have answered; note hard-rule conflicts (`explain.hard_rule_conflicts`);
2. first pass: solve the MILP to find the best third-party alternative for every in-scope need;
3. ROFR loop (`rofr_loop`): notices, quotes, holder answers through the contract engine;
4. second pass: re-plan with the holder's blocks and what it released;
5. sign the released third-party capacity; extract awards and unmet demand with reasons;
6. project the ledger (exact money) and price the contract-blind baseline with the same penalties.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from tender.contracts import Notice as EngineNotice
from tender.contracts import NoticeStatus
from tender.contracts import iso as _iso
from tender.domain import Scenario
from tender.sourcing import baseline, explain, rofr_loop
from tender.sourcing import data as data_mod
from tender.sourcing.clauses import ClauseView
from tender.sourcing.extract import awards as price_awards
from tender.sourcing.ledger_projection import Projection, project
from tender.sourcing.pipeline import Pass, run_pass
from tender.sourcing.solve import Progress
from tender.sourcing.types import Award, Notice, Plan, PlanOptions, Unmet

ZERO = Decimal(0)


def plan(
    scenario: Scenario,
    options: PlanOptions = PlanOptions(),
    *,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> Plan:
    """Plan the scenario's horizon. `now` (UTC) is when notices go out: default the first month's start."""
    now = now or scenario.calendar.month_start(1)
    view = ClauseView.of(scenario)
    first_data = data_mod.build(scenario, now=now, view=view)
    constant = _revenue_share_total(first_data)
    first = run_pass(first_data, options, constant, progress)
    needs = rofr_loop.find_needs(first_data, first.usages)
    protocol = rofr_loop.run_protocol(first_data, needs, options.seed)
    blocks, bounds, notice_of = rofr_loop.blocks_and_bounds(first_data, protocol, len(first_data.offers))
    second_data = data_mod.build(scenario, extra_offers=tuple(blocks), gate_bounds=bounds, now=now, view=view)
    second = run_pass(second_data, options, constant, progress)
    protocol = rofr_loop.sign_third_parties(second_data, protocol, second.usages)
    blocks_clause = {o.idx: o.clause[0] or "" for o in second_data.offers if o.kind == data_mod.HOLDER_NEW}
    priced = price_awards(second_data, list(second.usages), notice_of, blocks_clause)
    proj = project(second_data, priced, second.unmet, second.unplaced)
    base = baseline.evaluate(second_data, notice_of, blocks_clause)
    return _assemble(scenario, options, first, second, priced, proj, base, protocol)


def _notice(sc: Scenario, np_: rofr_loop.NeedPlan, n: EngineNotice) -> Notice:
    """A protocol notice with its need's demand, accelerator, region, months and third party."""
    need = np_.need
    resolved = n.resolved_at if n.resolved_at and n.status is not NoticeStatus.OPEN else None
    return Notice(
        id=n.id,
        need=n.need,
        demand=np_.demand,
        holder=n.holder,
        clause=n.clause,
        gpu=need.gpu,
        gpus=n.gpus,
        region=need.region,
        start_month=need.start_month(sc.calendar),
        duration_months=need.months,
        price_usd_per_gpu_hour=n.price,
        best_third_party=n.best_quote_provider,
        best_third_party_quote=n.best_quote,
        issued_at=_iso(n.issued_at),
        deadline=_iso(n.deadline),
        status=n.status.value,
        exercised_gpus=n.exercised_gpus,
        released_gpus=n.released_gpus,
        responded_at=_iso(resolved) if resolved else None,
        third_party=np_.provider,
    )


def _breakdown(proj: Projection) -> dict[str, Decimal]:
    return {
        "compute": proj.billed_usd,
        "shortfall_penalty": proj.shortfall_usd,
        "revenue_share": proj.revenue_share_usd,
        "unmet_penalty": proj.unmet_penalty_usd,
    }


def _baseline_unmet(d: data_mod.PlanData, base: baseline.Baseline) -> tuple[Unmet, ...]:
    runs = {r.id: r for r in d.runs}
    fleets = {f.id: f for f in d.fleets}
    used = explain.used_by_offer(base.uses)
    out = [Unmet(f, m, eq, None, explain.reasons(d, fleets[f], m, used)) for f, m, eq in base.unmet]
    out += [
        Unmet(
            r,
            runs[r].earliest_start_month,
            None,
            runs[r].gpus,
            explain.reasons(d, runs[r], runs[r].earliest_start_month, used),
        )
        for r in base.unplaced
    ]
    return tuple(sorted(out, key=lambda u: (u.month, u.demand)))


def _revenue_share_total(d: data_mod.PlanData) -> Decimal:
    proj = project(d, [], [], [])
    return proj.revenue_share_usd


def _assemble(
    sc: Scenario,
    options: PlanOptions,
    first: Pass,
    second: Pass,
    priced: list[Award],
    proj: Projection,
    base: baseline.Baseline,
    protocol: rofr_loop.Protocol,
) -> Plan:
    d = second.data
    used = explain.used_by_offer(second.usages)
    unmet: list[Unmet] = []
    fleets = {f.id: f for f in d.fleets}
    for demand, month, eq in second.unmet:
        unmet.append(Unmet(demand, month, eq, None, explain.reasons(d, fleets[demand], month, used)))
    runs = {r.id: r for r in d.runs}
    for run_id in second.unplaced:
        r = runs[run_id]
        reasons = explain.reasons(d, r, r.earliest_start_month, used)
        unmet.append(Unmet(run_id, r.earliest_start_month, None, r.gpus, reasons))
    state = protocol.merged(d)
    notices = [_notice(sc, np_, n) for np_, _a, s in protocol.runs for n in s.notices]
    sol = second.solution
    total = proj.total_usd
    bound = Decimal(repr(round(sol.bound, 2)))
    explanations = tuple(
        f"{r.command} {r.need or ''}: {r.reason} ({r.clause or '-'}) {r.message}" for r in state.rejected
    )
    return Plan(
        scenario=sc.id,
        seed=options.seed,
        horizon=sc.horizon,
        awards=tuple(priced),
        notices=tuple(notices),
        unmet=tuple(sorted(unmet, key=lambda u: (u.month, u.demand))),
        ledger=proj.rows,
        cost_total_usd=total,
        cost_breakdown_usd=_breakdown(proj),
        lower_bound_usd=min(bound, total),
        gap=Decimal(repr(round(sol.gap, 6))),
        baseline_cost_usd=base.projection.total_usd,
        solve_seconds=first.solution.seconds + sol.seconds,
        status=sol.status,
        infeasibilities=tuple(explain.hard_rule_conflicts(d)),
        milestones=proj.milestones,
        explanations=explanations,
        baseline_awards=base.awards,
        baseline_unmet=_baseline_unmet(d, base),
        baseline_breakdown_usd=_breakdown(base.projection),
    )

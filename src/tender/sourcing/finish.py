"""Steps 3-6 of `planner.plan`, after `first_pass.first_pass`: the ROFR loop, the second pass,
signing, awards, the ledger and the contract-blind baseline.

3. `rofr_loop.run_protocol`: notices, quotes and the holders' answers through the contract engine;
4. the second pass: the data re-built with the holders' blocks and what they released, solved while
   the baseline is priced (`solve(..., meanwhile=...)`);
5. the solver's placement priced (`extract.awards`) and projected (`ledger_projection.project`), the
   cheaper of it and the baseline kept (`_cheaper`), the third parties signed;
6. `_assemble`: the `Plan`, with unmet demand and its reasons (`explain`).
`finish` makes the whole `Plan`; `finish_figures` only what a risk study reads (`Figures`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from tender.contracts import Notice as EngineNotice
from tender.contracts import NoticeStatus
from tender.contracts import iso as _iso
from tender.domain import Scenario
from tender.sourcing import baseline, explain, rofr_loop
from tender.sourcing import data as data_mod
from tender.sourcing.extract import Usage
from tender.sourcing.extract import awards as price_awards
from tender.sourcing.first_pass import FirstPass, fits, solver_key
from tender.sourcing.ledger_projection import Projection, project
from tender.sourcing.needs import NeedPlan
from tender.sourcing.pinned import pin_runs
from tender.sourcing.pipeline import Pass, run_pass
from tender.sourcing.solve import Progress
from tender.sourcing.types import HOLDER_NEW, Award, MilestoneStatus, Notice, Plan, PlanOptions, Unmet

if TYPE_CHECKING:  # a risk study's first stage (`tender risk`); a plain plan never loads it
    from tender.sourcing.risk.first_stage import FirstStage


def finish(
    fp: FirstPass,
    options: PlanOptions,
    progress: Progress | None = None,
    first_stage: FirstStage | None = None,
) -> Plan:
    """Steps 3-6 of `plan` after `first_pass`: the ROFR loop under `options`' coin, the second pass
    (restricted and bound by `first_stage`, which must fit `fp`), signing, awards, ledger and
    baseline. `options` must solve as the first pass's did."""
    s = _second(fp, options, progress, first_stage, always_baseline=True)
    assert s.base is not None
    return _assemble(fp.index.scenario, options, fp.solved, s.second, s.chosen, s.base, s.protocol)


@dataclass(frozen=True)
class Figures:
    """What a risk study reads of a plan (`finish_figures`): the values of the `Plan`'s fields of the
    same names, computed the same way, but unmet demand without its reasons, and neither the
    explanations nor, with bookings (where the baseline is never the plan), the baseline's pricing."""

    cost_total_usd: Decimal
    unmet: tuple[Unmet, ...]  # reasons ()
    awards: tuple[Award, ...]
    notices: tuple[Notice, ...]
    milestones: tuple[MilestoneStatus, ...]


def finish_figures(fp: FirstPass, options: PlanOptions, first_stage: FirstStage | None = None) -> Figures:
    """`finish` for a study's re-plan: its `Figures` only (tests/unit/risk/test_first_pass_reuse.py
    checks them against `plan`'s fields)."""
    s = _second(fp, options, None, first_stage, always_baseline=False)
    c = s.chosen
    unmet = _unmet(s.second.data, c.uses, c.unmet, c.unplaced, reasons=False)
    notices = _notices(fp.index.scenario, s.protocol)
    return Figures(c.projection.total_usd, unmet, c.awards, notices, c.projection.milestones)


@dataclass(frozen=True)
class _Second:
    second: Pass
    chosen: Chosen
    base: baseline.Baseline | None  # None: not priced (`always_baseline` off, with bookings)
    protocol: rofr_loop.Protocol


def _second(
    fp: FirstPass,
    options: PlanOptions,
    progress: Progress | None,
    first_stage: FirstStage | None,
    always_baseline: bool,
) -> _Second:
    """Steps 3-5 after `fp`, for `finish` and `finish_figures`."""
    if solver_key(options) != fp.solver:
        raise ValueError("finish: the options differ from the first pass's in more than the coin")
    if not fits(fp, first_stage):
        raise ValueError("finish: the first stage does not fit the first pass")
    scenario, fixed, first_data = fp.index.scenario, fp.index.fixed, fp.data
    fix = first_stage.restrict if first_stage is not None else _same
    protocol = rofr_loop.run_protocol(first_data, list(fp.needs), options.coin, options.on_coin)
    blocks, bounds, notice_of = rofr_loop.blocks_and_bounds(first_data, protocol, len(first_data.offers))
    built = data_mod.build(
        scenario, extra_offers=tuple(blocks), gate_bounds=bounds, now=fp.index.now, view=fp.index.view
    )
    second_data = pin_runs(fix(built), fixed)
    extend = first_stage.extend if first_stage is not None else None
    blocks_clause = {
        offer.idx: offer.clause[0] or "" for offer in second_data.offers if offer.kind == HOLDER_NEW
    }
    bases: list[baseline.Baseline] = []  # the baseline needs no solution: priced while HiGHS solves

    def price_baseline() -> None:
        bases.append(baseline.evaluate(second_data, notice_of, blocks_clause))

    wanted = always_baseline or extend is None
    second = run_pass(second_data, options, fp.constant, progress, extend, price_baseline if wanted else None)
    priced = price_awards(second_data, list(second.usages), notice_of, blocks_clause)
    proj = project(second_data, priced, second.unmet, second.unplaced)
    solved = Chosen(second.usages, second.unmet, second.unplaced, tuple(priced), proj)
    base = bases[0] if wanted else None
    # with bookings the greedy baseline (which knows none) is not a placement the first stage allows
    chosen = solved if extend is not None or base is None else _cheaper(solved, base)
    protocol = rofr_loop.sign_third_parties(second_data, protocol, chosen.uses)
    return _Second(second, chosen, base, protocol)


def _same(data: data_mod.PlanData) -> data_mod.PlanData:
    return data


@dataclass(frozen=True)
class Chosen:
    """The placement the plan reports: the solver's (rounded and repaired) or the baseline's."""

    uses: tuple[Usage, ...]
    unmet: tuple[tuple[str, int, Decimal], ...]
    unplaced: tuple[str, ...]
    awards: tuple[Award, ...]
    projection: Projection  # its ledger and costs
    from_baseline: bool = False


def _cheaper(solved: Chosen, base: baseline.Baseline) -> Chosen:
    """Both placements obey the same hard rules and releases; the plan is the cheaper of the two.
    (Rounding continuous columns, or a gap-limited solve, can leave the solver's plan a little above
    the greedy one; the baseline is then the better plan and is reported as such.)"""
    if base.projection.total_usd < solved.projection.total_usd:
        return Chosen(base.uses, base.unmet, base.unplaced, base.awards, base.projection, from_baseline=True)
    return solved


def _notice(scenario: Scenario, np_: NeedPlan, notice: EngineNotice) -> Notice:
    """A protocol notice with its need's demand, accelerator, region, months and third party."""
    need = np_.need
    resolved = notice.resolved_at if notice.resolved_at and notice.status is not NoticeStatus.OPEN else None
    return Notice(
        id=notice.id,
        need=notice.need,
        demand=np_.demand,
        holder=notice.holder,
        clause=notice.clause,
        gpu=need.gpu,
        gpus=notice.gpus,
        region=need.region,
        start_month=need.start_month(scenario.calendar),
        duration_months=need.months,
        price_usd_per_gpu_hour=notice.price,
        best_third_party=notice.best_quote_provider,
        best_third_party_quote=notice.best_quote,
        issued_at=_iso(notice.issued_at),
        deadline=_iso(notice.deadline),
        status=notice.status.value,
        exercised_gpus=notice.exercised_gpus,
        released_gpus=notice.released_gpus,
        responded_at=_iso(resolved) if resolved else None,
        third_party=np_.provider,
    )


def _notices(scenario: Scenario, protocol: rofr_loop.Protocol) -> tuple[Notice, ...]:
    return tuple(
        _notice(scenario, np_, notice)
        for np_, _answers, run_state in protocol.runs
        for notice in run_state.notices
    )


def _breakdown(proj: Projection) -> dict[str, Decimal]:
    return {
        "compute": proj.billed_usd,
        "shortfall_penalty": proj.shortfall_usd,
        "revenue_share": proj.revenue_share_usd,
        "unmet_penalty": proj.unmet_penalty_usd,
    }


def _unmet(
    data: data_mod.PlanData,
    uses: tuple[Usage, ...],
    short: tuple[tuple[str, int, Decimal], ...],
    unplaced: tuple[str, ...],
    reasons: bool = True,
) -> tuple[Unmet, ...]:
    """Unmet demand with its reasons (none without `reasons`), for a placement (the plan's or the
    baseline's)."""
    runs = {r.id: r for r in data.runs}
    fleets = {fleet.id: fleet for fleet in data.fleets}
    used = explain.used_by_offer(uses) if reasons else {}
    out = [
        Unmet(
            fleet_id,
            month,
            h100_eq,
            None,
            explain.reasons(data, fleets[fleet_id], month, used) if reasons else (),
        )
        for fleet_id, month, h100_eq in short
    ]
    for run_id in unplaced:
        run = runs[run_id]
        why = explain.reasons(data, run, run.earliest_start_month, used) if reasons else ()
        out.append(Unmet(run_id, run.earliest_start_month, None, run.gpus, why))
    return tuple(sorted(out, key=lambda unmet: (unmet.month, unmet.demand)))


def _assemble(
    scenario: Scenario,
    options: PlanOptions,
    first: Pass,
    second: Pass,
    chosen: Chosen,
    base: baseline.Baseline,
    protocol: rofr_loop.Protocol,
) -> Plan:
    data = second.data
    proj = chosen.projection
    unmet = _unmet(data, chosen.uses, chosen.unmet, chosen.unplaced)
    state = protocol.merged(data)
    notices = _notices(scenario, protocol)
    sol = second.solution
    total = proj.total_usd
    bound = min(Decimal(repr(round(sol.bound, 2))), total)
    gap = Decimal(repr(round(sol.gap, 6)))
    if chosen.from_baseline:
        gap = Decimal(repr(round(float((total - bound) / total), 6))) if total else Decimal(0)
    explanations = tuple(
        f"{rejection.command} {rejection.need or ''}: {rejection.reason} ({rejection.clause or '-'}) {rejection.message}"
        for rejection in state.rejected
    )
    return Plan(
        scenario=scenario.id,
        seed=options.seed,
        horizon=scenario.horizon,
        awards=chosen.awards,
        notices=notices,
        unmet=unmet,
        ledger=proj.rows,
        cost_total_usd=total,
        cost_breakdown_usd=_breakdown(proj),
        lower_bound_usd=bound,
        gap=gap,
        baseline_cost_usd=base.projection.total_usd,
        solve_seconds=first.solution.seconds + sol.seconds,
        status=sol.status,
        infeasibilities=tuple(explain.hard_rule_conflicts(data)),
        milestones=proj.milestones,
        explanations=explanations,
        charges=proj.charges,
        baseline_awards=base.awards,
        baseline_unmet=_unmet(data, base.uses, base.unmet, base.unplaced),
        baseline_breakdown_usd=_breakdown(base.projection),
    )

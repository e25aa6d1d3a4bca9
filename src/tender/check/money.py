"""Spec §7: the checker's own bill, drawdown, revenue share and unmet penalty, against the plan's numbers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from tender.check.billing import billed, spend_lines
from tender.check.context import Context
from tender.check.drawdown import MilestoneDue, drawdown
from tender.check.ledger_drawdown import ledger_drawdown
from tender.check.plan_doc import Award, Breakdown, PlanDoc, Unmet
from tender.check.violation import Code, Violation, violation
from tender.domain import Fleet, RevenueShare
from tender.domain.money import cents

ZERO = Decimal(0)
JSON_H100_EQ_STEP = Decimal("0.001")


@dataclass(frozen=True)
class Costs:
    """What one set of awards and unmet entries costs, recomputed exactly."""

    billed: dict[tuple[str, int], Decimal]  # (provider, month)
    milestones: list[MilestoneDue]
    drawn: dict[tuple[str, int], Decimal]  # (commitment, month)
    revenue: dict[tuple[str, int], Decimal]  # (counterparty, month)
    unmet_penalty: Decimal
    unmet_tolerance: Decimal

    @property
    def penalties(self) -> list[Decimal]:
        return [m.penalty for m in self.milestones]


def revenue_share(ctx: Context) -> dict[tuple[str, int], Decimal]:
    """Each revenue-share id accrues revenue x rate while a version is in force, never past the cap."""
    out: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    forecast = ctx.scenario.revenue_forecast_usd
    for cid in ctx.timeline.ids():
        total = ZERO
        for m in ctx.calendar.months():
            v = ctx.timeline.version_in_force(cid, m)
            if not isinstance(v, RevenueShare):
                continue
            accrued = (forecast[m - 1] if m <= len(forecast) else ZERO) * v.outbound_rate
            if v.outbound_cap_usd is not None:
                accrued = min(accrued, max(ZERO, v.outbound_cap_usd - total))
            total += accrued
            out[(v.counterparty_id, m)] += accrued
    return dict(out)


def _unmet_penalty(ctx: Context, awards: list[Award], unmet: list[Unmet]) -> tuple[Decimal, Decimal]:
    """The unmet penalty, and the slack the JSON's 0.001-rounded h100_eq allows."""
    price = ctx.scenario.unmet_penalty_usd_per_h100_eq_hour * ctx.hours
    fleet_entries = [u for u in unmet if isinstance(ctx.demands[u.demand], Fleet)]
    total = sum(((u.h100_eq or ZERO) * price for u in fleet_entries), ZERO)
    placed = {a.demand for a in awards}
    for run in ctx.scenario.training_runs:
        if run.id not in placed:
            most = max((ctx.scenario.accelerators[g].h100_eq for g in run.gpu_types), default=ZERO)
            total += run.gpus * most * run.duration_months * price
    return total, len(fleet_entries) * JSON_H100_EQ_STEP * price


def recompute(ctx: Context, awards: list[Award], unmet: list[Unmet]) -> Costs:
    lines = spend_lines(ctx, awards)
    drawn = drawdown(ctx, lines)
    penalty, slack = _unmet_penalty(ctx, awards, unmet)
    return Costs(billed(lines), drawn.milestones, drawn.monthly, revenue_share(ctx), penalty, slack)


def _sum(amounts: Iterable[Decimal]) -> Decimal:
    return sum(amounts, ZERO)


def either_total(amounts: Iterable[Decimal]) -> set[Decimal]:
    """A total the plan may state: the sum of the rounded items, or the rounded exact sum."""
    items = list(amounts)
    return {_sum(cents(a) for a in items), cents(_sum(items))}


def differs(code: Code, what: str, stated: Decimal, accepted: set[Decimal]) -> list[Violation]:
    if stated in accepted:
        return []
    mine = min(accepted)
    return [violation(code, f"{what} is {stated}, expected {mine}", stated=stated, expected=mine)]


ROUNDING_OF_FOUR = Decimal("0.02")  # four amounts each rounded half-even to cents


def breakdown_checks(costs: Costs, breakdown: Breakdown, stated_total: Decimal, what: str) -> list[Violation]:
    """The breakdown items a plan and a baseline both state (compute is checked by the caller)."""
    found = differs(
        Code.REVENUE_SHARE,
        f"{what}.revenue_share",
        breakdown.revenue_share,
        either_total(costs.revenue.values()),
    )
    found += differs(
        Code.SHORTFALL_TOTAL,
        f"{what}.shortfall_penalty",
        breakdown.shortfall_penalty,
        either_total(costs.penalties),
    )
    mine = cents(costs.unmet_penalty)
    if abs(breakdown.unmet_penalty - mine) > costs.unmet_tolerance:
        message = f"{what}.unmet_penalty is {breakdown.unmet_penalty}, expected {mine}"
        found.append(violation(Code.UNMET_PENALTY, message, stated=breakdown.unmet_penalty, expected=mine))
    # the four items are each rounded to cents, the total once: they may differ by a cent or two
    if abs(stated_total - breakdown.total) > ROUNDING_OF_FOUR:
        message = f"total {stated_total} != the sum of {what} {breakdown.total}"
        found.append(violation(Code.COST_TOTAL, message, stated=stated_total, expected=breakdown.total))
    return found


def _per_key(
    code: Code, what: str, mine: dict[tuple[str, int], Decimal], stated: dict[tuple[str, int], Decimal]
) -> Iterator[Violation]:
    for provider, month in sorted(set(mine) | set(stated)):
        expected = cents(mine.get((provider, month), ZERO))
        got = stated.get((provider, month), ZERO)
        if got != expected:
            message = f"ledger {provider} month {month}: {what} {got}, expected {expected}"
            yield violation(code, message, month=month, provider=provider, stated=got, expected=expected)


def _milestones(ctx: Context, costs: Costs, doc: PlanDoc) -> Iterator[Violation]:
    mine = {(m.contract, m.by_month): m for m in costs.milestones}
    stated = {(r.contract, r.by_month): r for r in doc.milestones}
    for key in sorted(set(mine) | set(stated)):
        m, r = mine.get(key), stated.get(key)
        if m is None or r is None:
            what = "not a milestone of the scenario" if m is None else "missing from the plan"
            yield violation(
                Code.MILESTONE, f"milestone {key[0]} month {key[1]}: {what}", clause=key[0], month=key[1]
            )
            continue
        got = (r.cumulative, r.drawdown, r.shortfall)
        expected = (cents(m.cumulative), cents(m.drawn), cents(m.shortfall))
        if got != expected:
            message = f"{r.path}: cumulative/drawdown/shortfall {'/'.join(map(str, got))}, expected {'/'.join(map(str, expected))}"
            yield violation(Code.MILESTONE, message, clause=key[0], month=key[1])


def plan_money(ctx: Context, doc: PlanDoc, awards: list[Award], unmet: list[Unmet]) -> list[Violation]:
    """Ledger rows, drawdown, revenue share, penalties and totals of the plan itself."""
    costs = recompute(ctx, awards, unmet)
    ledger_billed: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    ledger_share: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    for row in doc.ledger:
        ledger_billed[(row.provider, row.month)] += row.billed
        ledger_share[(row.provider, row.month)] += row.revenue_share
    found = list(_per_key(Code.LEDGER_BILLED, "billed", costs.billed, ledger_billed))
    found += _per_key(Code.REVENUE_SHARE, "revenue share", costs.revenue, ledger_share)
    found += differs(
        Code.COMPUTE_TOTAL,
        "cost_breakdown_usd.compute",
        doc.breakdown.compute,
        {_sum(ledger_billed.values()), cents(_sum(costs.billed.values()))},  # rounded rows, or exact
    )
    found += _milestones(ctx, costs, doc)
    found += ledger_drawdown(ctx, costs.drawn, doc)
    found += breakdown_checks(costs, doc.breakdown, doc.cost_total, "cost_breakdown_usd")
    if doc.lower_bound is not None and doc.lower_bound > doc.cost_total:
        message = f"lower bound {doc.lower_bound} exceeds the plan cost {doc.cost_total}"
        found.append(violation(Code.BOUND, message, stated=doc.lower_bound, cost=doc.cost_total))
    return found

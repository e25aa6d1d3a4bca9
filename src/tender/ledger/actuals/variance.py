"""Plan vs actual, per provider x month, and the commitments' burn-down from actuals. Pure.

1. Actuals (`actuals_by_month`): imported FOCUS rows and the runtime's metered use, summed per
   provider x horizon month x spend category. For a provider-month that has imported FOCUS rows the
   bill is the truth and the runtime's metered rows are not added (they are the same use, metered);
   otherwise the metered use counts, as `compute_contract` when the provider has a contract rate for
   the accelerator, else `compute_on_demand`. Rows outside the horizon are counted, not used.
2. `as_of`: the first month not fixed to actuals (default: the month after the last one with any
   actual row). Months before it compare planned with actual; from it on only the plan holds.
3. Variance = actual - planned (spend and GPU-hours), per provider and month before `as_of`.
4. Burn-down: the contract engine's one attribution (`tender.contracts.drawdown`) run three times,
   on the planned spend, on the actual spend only, and on actual-then-planned spend (actuals before
   `as_of`, the plan from it on). At each milestone: what the plan said would be short, and the
   projected shortfall if the rest of the plan holds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from tender.contracts import CommitmentMonth, Spend, drawdown
from tender.contracts.money.commitments import version_at
from tender.domain import Scenario
from tender.ledger.actuals.planned import Planned
from tender.ledger.sql.actuals_store import ActualLine
from tender.sourcing.clauses import ClauseView

ZERO = Decimal(0)
PM = tuple[str, int]


@dataclass(frozen=True)
class Actuals:
    billed: dict[PM, Decimal]
    gpu_hours: dict[PM, Decimal]
    spend: dict[tuple[str, int, str], Decimal]
    outside_horizon: int
    last_month: int  # 0 when there is no actual row in the horizon


@dataclass(frozen=True)
class ProviderMonth:
    provider: str
    month: int
    planned_usd: Decimal
    planned_gpu_hours: Decimal
    actual_usd: Decimal | None  # None from `as_of` on
    actual_gpu_hours: Decimal | None

    @property
    def variance_usd(self) -> Decimal | None:
        return None if self.actual_usd is None else self.actual_usd - self.planned_usd

    @property
    def variance_gpu_hours(self) -> Decimal | None:
        return None if self.actual_gpu_hours is None else self.actual_gpu_hours - self.planned_gpu_hours


@dataclass(frozen=True)
class BurnMonth:
    clause: str
    month: int
    total_usd: Decimal
    planned_cumulative: Decimal
    actual_cumulative: Decimal | None  # None from `as_of` on
    projected_cumulative: Decimal  # actuals before as_of, then the plan


@dataclass(frozen=True)
class MilestoneView:
    clause: str
    by_month: int
    due_usd: Decimal
    planned_shortfall: Decimal
    projected_cumulative: Decimal
    projected_shortfall: Decimal


@dataclass(frozen=True)
class Comparison:
    scenario: str
    as_of: int
    rows: tuple[ProviderMonth, ...]
    burn: tuple[BurnMonth, ...]
    milestones: tuple[MilestoneView, ...]
    outside_horizon: int


def period_month(sc: Scenario, period: str) -> int:
    """Horizon month of a `YYYY-MM` period (may fall outside 1..horizon)."""
    year, month = (int(part) for part in period.split("-"))
    return (year - sc.calendar.start_year) * 12 + (month - sc.calendar.start_month) + 1


def _runtime_category(sc: Scenario, line: ActualLine) -> str:
    provider = sc.providers.get(line.provider)
    rates = provider.rates.get(line.accelerator) if provider is not None else None
    return "compute_contract" if rates is not None and rates.contract is not None else "compute_on_demand"


def actuals_by_month(sc: Scenario, lines: Iterable[ActualLine]) -> Actuals:
    focus: dict[tuple[str, int, str], Decimal] = {}
    metered: dict[tuple[str, int, str], Decimal] = {}
    hours: dict[tuple[str, str, int], Decimal] = {}  # (source, provider, month)
    outside = 0
    for line in lines:
        month = period_month(sc, line.period)
        if not 1 <= month <= sc.horizon:
            outside += 1
            continue
        category = line.spend_category or _runtime_category(sc, line)
        into = focus if line.source == "focus" else metered
        into[(line.provider, month, category)] = (
            into.get((line.provider, month, category), ZERO) + line.billed_cost
        )
        hk = (line.source, line.provider, month)
        hours[hk] = hours.get(hk, ZERO) + line.gpu_hours
    billed_by = {(p, m) for p, m, _c in focus}
    spend = dict(focus)
    for (p, m, c), amount in metered.items():
        if (p, m) not in billed_by:
            spend[(p, m, c)] = spend.get((p, m, c), ZERO) + amount
    billed: dict[PM, Decimal] = {}
    for (p, m, _c), amount in spend.items():
        billed[(p, m)] = billed.get((p, m), ZERO) + amount
    gpu_hours: dict[PM, Decimal] = {}
    for (source, p, m), h in hours.items():
        if source == "focus" or (p, m) not in billed_by:
            gpu_hours[(p, m)] = gpu_hours.get((p, m), ZERO) + h
    last = max((m for _p, m in billed), default=0)
    return Actuals(billed, gpu_hours, spend, outside, last)


def _lines(spend: dict[tuple[str, int, str], Decimal]) -> list[Spend]:
    return [Spend(m, p, c, amount) for (p, m, c), amount in sorted(spend.items()) if amount]


def _cumulative(rows: tuple[CommitmentMonth, ...]) -> dict[tuple[str, int], CommitmentMonth]:
    return {(r.clause, r.month): r for r in rows}


def compare(sc: Scenario, planned: Planned, actual: Actuals, as_of: int | None = None) -> Comparison:
    as_of = as_of if as_of is not None else actual.last_month + 1
    fixed = range(1, min(as_of, sc.horizon + 1))
    rows = tuple(
        ProviderMonth(
            p,
            m,
            planned.billed.get((p, m), ZERO),
            planned.gpu_hours.get((p, m), ZERO),
            actual.billed.get((p, m), ZERO) if m in fixed else None,
            actual.gpu_hours.get((p, m), ZERO) if m in fixed else None,
        )
        for p, m in sorted(
            {*planned.billed, *((p, m) for p, m in actual.billed if m in fixed)}, key=lambda k: (k[1], k[0])
        )
    )
    actual_spend = {k: v for k, v in actual.spend.items() if k[1] in fixed}
    later = [s for s in planned.spend if s.month not in fixed]
    commitments = ClauseView.of(sc).commitments()
    plan_rows = _cumulative(drawdown(commitments, planned.spend, sc.horizon))
    actual_rows = _cumulative(drawdown(commitments, _lines(actual_spend), sc.horizon))
    projected = drawdown(commitments, [*_lines(actual_spend), *later], sc.horizon)
    first = {c.id: c for c in reversed(commitments)}
    burn = tuple(
        BurnMonth(
            r.clause,
            r.month,
            (version_at(commitments, r.clause, r.month) or first[r.clause]).total_usd,
            plan_rows[(r.clause, r.month)].cumulative,
            actual_rows[(r.clause, r.month)].cumulative if r.month in fixed else None,
            r.cumulative,
        )
        for r in projected
    )
    milestones = tuple(
        MilestoneView(
            r.clause,
            r.month,
            r.due,
            plan_rows[(r.clause, r.month)].shortfall,
            r.cumulative,
            r.shortfall,
        )
        for r in projected
        if r.due is not None
    )
    return Comparison(sc.id, as_of, rows, burn, milestones, actual.outside_horizon)

"""Ledger projection: month x provider rows in FOCUS-style columns, exact `Decimal` money.

Flow (`project`), each step one function returning what it found (steps 1-4, in `billing.py`, their
charges, summed into one `_Books`):
1. usage awards (contract / on-demand / spot, burst above a reservation) bill GPUs x rate x hours;
2. reservations bill through the contract engine's `reserved_cost` at the committed rate (prepaid =
   whole term up front, effective cost spread over the term), used or not;
3. ROFR holder blocks bill every month of the block, used or not;
4. take-or-pay bills max(used, minimum) through `take_or_pay`, in its term only;
5. eligible spend draws down commitments through `drawdown`, the one attribution (in `drawdown_after`
   order, only eligible spend, never above a total; milestone shortfalls become penalties); each
   commitment's drawdown and penalty sit on its own row (month, provider, commitment), the drawdown
   in whole cents so that a commitment's rows up to a month add up to its rounded cumulative;
6. revenue share through `revenue_share_versions` on the counterparty's row;
7. rows: one per (month, provider) carrying the billing, under the provider's first contract, plus
   one per other commitment of the provider that draws or is penalised that month;
8. totals: billed + shortfall penalties + revenue share, and the unmet-demand penalty.
Every clause is read on the amended timeline: each version bills only in the months it is in force.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from tender.contracts import Spend, drawdown, revenue_share_versions
from tender.domain import RevenueShare
from tender.domain.money import cents
from tender.sourcing.billing import (
    Lines,
    ProviderMonth,
    bill_holder_blocks,
    bill_reservations,
    bill_take_or_pay,
    bill_usage,
)
from tender.sourcing.data import PlanData
from tender.sourcing.types import HOLDER_NEW, Award, Charge, LedgerRow, MilestoneStatus

ZERO = Decimal(0)
CONTRACT_TYPES = ("committed_spend", "reserved_capacity", "take_or_pay")
ClauseMonth = tuple[str, int]  # (commitment clause id, month)


@dataclass(frozen=True)
class Projection:
    """A placement's ledger: its rows and milestones, and its costs by kind (`total_usd` sums them)."""

    rows: tuple[LedgerRow, ...]
    billed_usd: Decimal
    shortfall_usd: Decimal
    revenue_share_usd: Decimal
    unmet_penalty_usd: Decimal
    milestones: tuple[MilestoneStatus, ...]
    charges: tuple[Charge, ...] = ()

    @property
    def total_usd(self) -> Decimal:
        return self.billed_usd + self.shortfall_usd + self.revenue_share_usd + self.unmet_penalty_usd


@dataclass(frozen=True)
class _Books:
    """Per-(provider, month) amounts of every billing step, and the spend lines commitments draw
    down from."""

    billed: dict[ProviderMonth, Decimal]
    effective: dict[ProviderMonth, Decimal]
    gpu_hours: dict[ProviderMonth, Decimal]
    unused: frozenset[ProviderMonth]
    spend: tuple[Spend, ...]
    charges: tuple[Charge, ...]


def project(
    data: PlanData,
    awards: Sequence[Award],
    unmet_h100_eq: Iterable[tuple[str, int, Decimal]],
    unplaced_runs: Iterable[str],
) -> Projection:
    """The flow of the module docstring, one step per helper, each returning what it found."""
    hours = Decimal(data.hours)
    blocks = {(offer.notice, *offer.site) for offer in data.offers if offer.kind == HOLDER_NEW}
    steps = (
        bill_usage(awards, blocks, hours),  # 1.
        bill_reservations(data, awards, hours),  # 2.
        bill_holder_blocks(data, awards, hours),  # 3.
        bill_take_or_pay(data, awards, hours),  # 4.
    )
    books = _books(_gpu_hours(awards, hours), steps)
    drawn, penalty, milestones = _drawdown(data, books.spend)  # 5.
    share = _revenue_share(data)  # 6.
    rows = _rows(data, books, drawn, penalty, share)  # 7.
    return Projection(  # 8.
        rows,
        sum(books.billed.values(), ZERO),
        sum(penalty.values(), ZERO),
        sum(share.values(), ZERO),
        unmet_penalty(data, unmet_h100_eq, unplaced_runs),
        milestones,
        books.charges,
    )


def _gpu_hours(awards: Sequence[Award], hours: Decimal) -> dict[ProviderMonth, Decimal]:
    """GPU-hours used per (provider, month), whatever the pricing."""
    used: dict[ProviderMonth, Decimal] = {}
    for award in awards:
        key = (award.provider, award.month)
        used[key] = used.get(key, ZERO) + award.gpus * hours
    return used


def _books(gpu_hours: dict[ProviderMonth, Decimal], steps: Sequence[Lines]) -> _Books:
    """The billing steps' charges summed per (provider, month), in step order; a charge with a
    non-zero bill is a spend line too."""
    billed: dict[ProviderMonth, Decimal] = {}
    effective: dict[ProviderMonth, Decimal] = {}
    spend: list[Spend] = []
    for step in steps:
        for line, category in step.charges:
            key = (line.provider, line.month)
            billed[key] = billed.get(key, ZERO) + line.billed_usd
            effective[key] = effective.get(key, ZERO) + line.effective_usd
            if line.billed_usd:
                spend.append(Spend(line.month, line.provider, category, line.billed_usd))
    return _Books(
        billed=billed,
        effective=effective,
        gpu_hours=gpu_hours,
        unused=frozenset[ProviderMonth]().union(*(step.unused for step in steps)),
        spend=tuple(spend),
        charges=tuple(line for step in steps for line, _category in step.charges),
    )


def _drawdown(
    data: PlanData, spend: Sequence[Spend]
) -> tuple[dict[ClauseMonth, Decimal], dict[ClauseMonth, Decimal], tuple[MilestoneStatus, ...]]:
    """Step 5: eligible spend against commitments (every version): per (commitment, month) what it
    drew and its penalty, and the milestones, all from the one `drawdown` attribution."""
    commitments = data.view.commitments()
    provider_of = {clause.id: clause.provider for clause in commitments}
    drawn: dict[ClauseMonth, Decimal] = {}
    penalty: dict[ClauseMonth, Decimal] = {}
    milestones: list[MilestoneStatus] = []
    for row in drawdown(commitments, spend, data.scenario.horizon):
        key = (row.clause, row.month)
        if row.drawn:  # whole cents, telescoped: the rows up to a month sum to cents(cumulative)
            drawn[key] = cents(row.cumulative) - cents(row.cumulative - row.drawn)
        if row.penalty:
            penalty[key] = row.penalty
        if row.due is not None:
            milestones.append(
                MilestoneStatus(
                    row.clause, provider_of[row.clause], row.month, row.due, row.cumulative, row.shortfall
                )
            )
    return drawn, penalty, tuple(milestones)


def _revenue_share(data: PlanData) -> dict[ProviderMonth, Decimal]:
    """Step 6: what each revenue-share clause accrues per month (amended rate and cap)."""
    scenario = data.scenario
    versions: dict[str, list[RevenueShare]] = {}
    for share_clause in data.view.revenue_shares():
        versions.setdefault(share_clause.id, []).append(share_clause)
    share: dict[ProviderMonth, Decimal] = {}
    for clause_versions in versions.values():
        for row in revenue_share_versions(clause_versions, scenario.revenue_forecast_usd[: scenario.horizon]):
            live = next(version for version in clause_versions if version.effective_in(row.month))
            key = (live.counterparty_id, row.month)
            share[key] = share.get(key, ZERO) + row.accrued
    return share


def _rows(
    data: PlanData,
    books: _Books,
    drawn: dict[ClauseMonth, Decimal],
    penalty: dict[ClauseMonth, Decimal],
    share: dict[ProviderMonth, Decimal],
) -> tuple[LedgerRow, ...]:
    """Step 7: the provider-month rows (billing, under the provider's first contract) and a row for
    each other commitment that draws or is penalised that month; drawdown and penalty columns
    always belong to the row's `contract_id`."""
    contract_of = _contract_of(data)
    provider_of = {clause.id: clause.provider for clause in data.view.commitments()}
    keys = {*books.billed, *share, *books.gpu_hours}
    keys |= {
        (provider_of[commitment], month)
        for commitment, month in (*drawn, *penalty)
        if contract_of.get(provider_of[commitment]) == commitment
    }
    rows = [
        LedgerRow(
            month=month,
            provider=provider,
            contract_id=contract_of.get(provider),
            gpu_hours=books.gpu_hours.get((provider, month), ZERO),
            billed_cost_usd=books.billed.get((provider, month), ZERO),
            effective_cost_usd=books.effective.get((provider, month), ZERO),
            commitment_status=("unused" if (provider, month) in books.unused else "used")
            if provider in contract_of
            else "none",
            commitment_drawdown_usd=drawn.get((contract_of.get(provider, ""), month), ZERO),
            shortfall_accrual_usd=penalty.get((contract_of.get(provider, ""), month), ZERO),
            revenue_share_usd=share.get((provider, month), ZERO),
        )
        for provider, month in keys
    ]
    rows += [
        LedgerRow(
            month=month,
            provider=provider_of[commitment],
            contract_id=commitment,
            gpu_hours=ZERO,
            billed_cost_usd=ZERO,
            effective_cost_usd=ZERO,
            commitment_status="used",
            commitment_drawdown_usd=drawn.get((commitment, month), ZERO),
            shortfall_accrual_usd=penalty.get((commitment, month), ZERO),
            revenue_share_usd=ZERO,
        )
        for commitment, month in sorted({*drawn, *penalty})
        if contract_of.get(provider_of[commitment]) != commitment
    ]
    return tuple(sorted(rows, key=_row_order(contract_of)))


def _contract_of(data: PlanData) -> dict[str, str]:
    """Each provider's first contract (committed spend, reservation or take-or-pay): the clause its
    billing row is filed under."""
    contract_of: dict[str, str] = {}
    for clause in data.view.all_clauses():
        counterparty = clause.counterparty()
        if counterparty is not None and clause.type.value in CONTRACT_TYPES:
            contract_of.setdefault(counterparty, clause.id)
    return contract_of


def _row_order(contract_of: dict[str, str]) -> Callable[[LedgerRow], tuple[int, str, int, str]]:
    """Month, provider, the provider's billing row first, then its other commitments by id."""

    def key(row: LedgerRow) -> tuple[int, str, int, str]:
        own = row.contract_id is None or contract_of.get(row.provider) == row.contract_id
        return (row.month, row.provider, 0 if own else 1, row.contract_id or "")

    return key


def unmet_penalty(
    data: PlanData, unmet_h100_eq: Iterable[tuple[str, int, Decimal]], unplaced_runs: Iterable[str]
) -> Decimal:
    """Step 7: the scenario's price of unmet demand; an unplaced run costs its whole size."""
    scenario = data.scenario
    penalty_rate = data.unmet_penalty * data.hours
    total = sum((h100_eq * penalty_rate for _demand, _month, h100_eq in unmet_h100_eq), ZERO)
    for run_id in unplaced_runs:
        run = next(candidate for candidate in data.runs if candidate.id == run_id)
        h100_eq = max(
            scenario.accelerators[gpu].h100_eq for gpu in run.gpu_types if gpu in scenario.accelerators
        )
        total += penalty_rate * run.gpus * h100_eq * run.duration_months
    return total

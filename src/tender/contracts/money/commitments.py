"""Committed spend: which spend draws down which commitment, and what a missed milestone costs.

Flow (`drawdown`):
1. commitments are ordered so that one with `drawdown_after: X` comes after X (then by id);
2. month by month, each spend line (provider, category, amount) is offered to the commitments of
   its provider that are in force that month and list its category in `eligible_spend`, in that
   order; a commitment takes at most what is left of its `total_usd`, and one that draws down
   after X takes nothing until X's total is met; spend nobody takes is overage;
3. at each milestone month the shortfall is the cumulative amount due minus what was drawn and
   what earlier shortfalls already charged (a paid shortfall counts towards later milestones);
   the penalty is `penalty_pct_of_shortfall` % of it;
4. `behind` shows the accrual between milestones: how far the cumulative drawdown trails a
   straight line from the previous milestone to the next.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from tender.domain import CommittedSpend

ZERO = Decimal(0)
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Spend:
    """Spend with `provider` in horizon `month`, of one category (e.g. `compute_contract`)."""

    month: int
    provider: str
    category: str
    amount: Decimal


@dataclass(frozen=True)
class CommitmentMonth:
    """One commitment in one month. `due` is the cumulative milestone amount when a milestone falls
    in this month (else None); `shortfall` and `penalty` are non-zero only then."""

    clause: str
    month: int
    drawn: Decimal
    cumulative: Decimal
    remaining: Decimal
    due: Decimal | None
    shortfall: Decimal
    penalty: Decimal
    behind: Decimal


def order_commitments(commitments: Sequence[CommittedSpend]) -> list[CommittedSpend]:
    """One clause per id (its first version), in drawdown order: a commitment comes after the one
    it draws down after; among those free to go next, the smallest id first (a cycle, which the
    validator refuses, is broken by id)."""
    by_id: dict[str, CommittedSpend] = {}
    for c in commitments:
        by_id.setdefault(c.id, c)
    done: list[CommittedSpend] = []
    placed: set[str] = set()
    while len(done) < len(by_id):
        ready = [
            c
            for c in by_id.values()
            if c.id not in placed and (c.drawdown_after not in by_id or c.drawdown_after in placed)
        ]
        nxt = min(ready or [c for c in by_id.values() if c.id not in placed], key=lambda c: c.id)
        placed.add(nxt.id)
        done.append(nxt)
    return done


def version_at(versions: Sequence[CommittedSpend], clause: str, month: int) -> CommittedSpend | None:
    """The version of `clause` in force in `month` (None when none is)."""
    return next((v for v in versions if v.id == clause and v.effective_in(month)), None)


InForce = dict[tuple[str, int], CommittedSpend]  # (clause id, month) -> its version then (absent: none)


def _in_force(versions: Sequence[CommittedSpend], ids: Sequence[str], horizon: int) -> InForce:
    """`version_at` of every clause id in `ids` and month 1..`horizon`, asked once each."""
    table: InForce = {}
    for clause in ids:
        for month in range(1, horizon + 1):
            version = version_at(versions, clause, month)
            if version is not None:
                table[(clause, month)] = version
    return table


def _take(
    every: Sequence[CommittedSpend],
    in_force: InForce,
    ordered: Sequence[CommittedSpend],
    line: Spend,
    cumulative: dict[str, Decimal],
    drawn: dict[str, Decimal],
) -> None:
    """Offer one spend line to the commitments in drawdown order (step 2 of the flow). `every`: every
    version; `in_force`: the one of each id in force in each month (`_in_force`)."""
    left = line.amount
    for first in ordered:
        c = in_force.get((first.id, line.month))
        if left <= 0:
            break
        if c is None or c.provider != line.provider:
            continue
        if c.eligible_spend and line.category not in c.eligible_spend:
            continue
        after = in_force.get((c.drawdown_after or "", line.month)) or next(
            (v for v in reversed(every) if v.id == c.drawdown_after), None
        )
        if after is not None and cumulative[after.id] < after.total_usd:
            continue
        take = min(left, c.total_usd - cumulative[c.id])
        if take <= 0:
            continue
        cumulative[c.id] += take
        drawn[c.id] += take
        left -= take


def _lines_by_month(spend: Sequence[Spend]) -> dict[int, list[Spend]]:
    """Each month's spend lines, by (provider, category, amount): the order they are offered in.
    One stable sort of every line, then split by month: the order a per-month sort would give."""
    by_month: dict[int, list[Spend]] = {}
    for line in sorted(spend, key=lambda s: (s.provider, s.category, s.amount)):
        by_month.setdefault(line.month, []).append(line)
    return by_month


def drawdown(
    commitments: Sequence[CommittedSpend], spend: Sequence[Spend], horizon: int
) -> tuple[CommitmentMonth, ...]:
    """Rows for every commitment id (in drawdown order) and every month 1..`horizon`, month-major.

    `commitments` may hold several versions of one clause (an amendment changed a field): each
    month uses the version in force then (its total, eligibility and milestones); an id with no
    version in force takes nothing that month."""
    ordered = order_commitments(commitments)
    cumulative = {c.id: ZERO for c in ordered}
    charged = {c.id: ZERO for c in ordered}
    rows: list[CommitmentMonth] = []
    by_month = _lines_by_month(spend)
    in_force = _in_force(commitments, [c.id for c in ordered], horizon)
    for month in range(1, horizon + 1):
        drawn = {c.id: ZERO for c in ordered}
        for line in by_month.get(month, ()):
            _take(commitments, in_force, ordered, line, cumulative, drawn)
        for first in ordered:
            version = in_force.get((first.id, month))
            c = version or first
            live = version is not None
            due = (
                next((m.cumulative_usd for m in c.milestones if m.by_month == month), None) if live else None
            )
            shortfall = ZERO
            if due is not None:
                shortfall = max(ZERO, due - cumulative[c.id] - charged[c.id])
                charged[c.id] += shortfall
            rows.append(
                CommitmentMonth(
                    clause=c.id,
                    month=month,
                    drawn=drawn[c.id],
                    cumulative=cumulative[c.id],
                    remaining=c.total_usd - cumulative[c.id],
                    due=due,
                    shortfall=shortfall,
                    penalty=shortfall * c.penalty_pct_of_shortfall / HUNDRED,
                    behind=max(ZERO, straight_line_target(c, month) - cumulative[c.id] - charged[c.id]),
                )
            )
    return tuple(rows)


def straight_line_target(c: CommittedSpend, month: int) -> Decimal:
    """Cumulative amount due by `month` on a straight line between milestones (0 before the first
    milestone's line starts at the clause's first month)."""
    previous_month, previous_amount = c.effective_from_month - 1, ZERO
    for m in sorted(c.milestones, key=lambda m: m.by_month):
        if month <= m.by_month:
            span = m.by_month - previous_month
            if span <= 0:
                return m.cumulative_usd
            progress = Decimal(max(0, month - previous_month)) / Decimal(span)
            return previous_amount + (m.cumulative_usd - previous_amount) * progress
        previous_month, previous_amount = m.by_month, m.cumulative_usd
    return previous_amount

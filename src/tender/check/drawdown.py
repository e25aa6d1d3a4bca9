"""Spec §7, committed spend: which commitment each month's spend draws down, and shortfalls at milestones.

1. Order the commitments: one with `drawdown_after: X` after X; ties by id.
2. Month by month, each provider's spend, categories in alphabetical order, is offered to that
   provider's commitments in force and eligible for the category, in that order; each takes up to
   what is left of its total (one waiting on X takes nothing until X is drawn to its total).
3. At a milestone month: shortfall = max(0, cumulative due - drawn - shortfalls already charged).
4. What each commitment drew in each month is kept (`Drawn.monthly`): the ledger rows must say it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from tender.check.billing import SpendKey
from tender.check.context import Context
from tender.domain import CommittedSpend

ZERO = Decimal(0)


@dataclass(frozen=True)
class MilestoneDue:
    contract: str
    provider: str
    by_month: int
    cumulative: Decimal
    drawn: Decimal
    shortfall: Decimal
    penalty: Decimal


@dataclass(frozen=True)
class Drawn:
    """The checker's attribution: the milestones, and (commitment, month) -> amount drawn."""

    milestones: list[MilestoneDue]
    monthly: dict[tuple[str, int], Decimal]


def _order(ctx: Context) -> list[str]:
    latest = [vs[-1] for vs in ctx.timeline.by_id.values()]
    after = {v.id: v.drawdown_after for v in latest if isinstance(v, CommittedSpend)}
    order: list[str] = []
    left = sorted(after)
    while left:
        ready = [c for c in left if after[c] is None or after[c] in order or after[c] not in after]
        pick = ready[0] if ready else left[0]  # a cycle (refused by the loader) falls back to id order
        order.append(pick)
        left.remove(pick)
    return order


class _Drawdown:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.order = _order(ctx)
        self.drawn: dict[str, Decimal] = defaultdict(Decimal)
        self.charged: dict[str, Decimal] = defaultdict(Decimal)
        self.monthly: dict[tuple[str, int], Decimal] = defaultdict(Decimal)

    def version(self, cid: str, month: int) -> CommittedSpend | None:
        v = self.ctx.timeline.version_in_force(cid, month)
        return v if isinstance(v, CommittedSpend) else None

    def _waiting(self, c: CommittedSpend, month: int) -> bool:
        if c.drawdown_after is None:
            return False
        first = self.version(c.drawdown_after, month)
        if first is None:
            versions = self.ctx.timeline.versions_of(c.drawdown_after)
            first = next((v for v in reversed(versions) if isinstance(v, CommittedSpend)), None)
        return first is not None and self.drawn[first.id] < first.total_usd

    def offer(self, month: int, provider: str, category: str, amount: Decimal) -> None:
        for cid in self.order:
            c = self.version(cid, month)
            if c is None or c.provider != provider or (c.eligible_spend and category not in c.eligible_spend):
                continue
            if self._waiting(c, month):
                continue
            take = min(amount, max(ZERO, c.total_usd - self.drawn[cid]))
            self.drawn[cid] += take
            if take:
                self.monthly[(cid, month)] += take
            amount -= take

    def milestones(self, month: int) -> list[MilestoneDue]:
        versions = [self.version(cid, month) for cid in self.order]
        return [self._due(c, month) for c in versions if c is not None and month in _months(c)]

    def _due(self, c: CommittedSpend, month: int) -> MilestoneDue:
        cumulative = max(ms.cumulative_usd for ms in c.milestones if ms.by_month == month)
        short = max(ZERO, cumulative - self.drawn[c.id] - self.charged[c.id])
        self.charged[c.id] += short
        penalty = short * c.penalty_pct_of_shortfall / 100
        return MilestoneDue(c.id, c.provider, month, cumulative, self.drawn[c.id], short, penalty)


def _months(c: CommittedSpend) -> set[int]:
    return {ms.by_month for ms in c.milestones}


def drawdown(ctx: Context, lines: dict[SpendKey, Decimal]) -> Drawn:
    """Every milestone with what was drawn by then and its shortfall (no commitment draws past its
    total), and what each commitment drew each month."""
    state = _Drawdown(ctx)
    by_month: dict[int, list[tuple[str, str, Decimal]]] = defaultdict(list)
    for (month, provider, category), amount in sorted(lines.items()):
        by_month[month].append((provider, category, amount))
    due: list[MilestoneDue] = []
    for month in ctx.calendar.months():
        for provider, category, amount in by_month[month]:
            state.offer(month, provider, category, amount)
        due += state.milestones(month)
    return Drawn(due, dict(state.monthly))

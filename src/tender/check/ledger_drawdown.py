"""Spec §7, the ledger's commitment rows: each commitment's drawdown as the checker attributes it.

1. Per (commitment, month) the ledger rows of that `contract_id` state what the checker's own
   attribution (`drawdown.py`) drew, in whole cents telescoped (cents of the cumulative drawn by
   the month minus cents of the cumulative by the month before); a drawdown on a row whose `contract_id` is not a
   committed_spend clause is wrong too (`ledger_drawdown`).
2. Running over the months, a commitment's ledger drawdown never exceeds the total of the version
   in force (the latest version once none is) (`ledger_drawdown`, "above its total").
A ledger that disagrees with the plan's milestones disagrees with the checker on a month (here) or
the milestone does (`milestone`, money.py): both are held to the same attribution.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal

from tender.check.context import Context
from tender.check.plan_doc import PlanDoc
from tender.check.violation import Code, Violation, violation
from tender.domain import CommittedSpend
from tender.domain.money import cents

ZERO = Decimal(0)
Key = tuple[str, int]  # (commitment, month)


def _commitments(ctx: Context) -> set[str]:
    return {
        cid
        for cid in ctx.timeline.ids()
        if any(isinstance(v, CommittedSpend) for v in ctx.timeline.versions_of(cid))
    }


def _total(ctx: Context, cid: str, month: int) -> Decimal:
    live = ctx.timeline.version_in_force(cid, month)
    if isinstance(live, CommittedSpend):
        return live.total_usd
    versions = [v for v in ctx.timeline.versions_of(cid) if isinstance(v, CommittedSpend)]
    return versions[-1].total_usd


def _stated(doc: PlanDoc, commitments: set[str]) -> tuple[dict[Key, Decimal], list[Violation]]:
    stated: dict[Key, Decimal] = defaultdict(Decimal)
    found: list[Violation] = []
    for row in doc.ledger:
        if not row.drawdown:
            continue
        if row.contract_id not in commitments:
            message = (
                f"{row.path}: drawdown {row.drawdown} on {row.contract_id or 'no contract'}, not a commitment"
            )
            found.append(violation(Code.LEDGER_DRAWDOWN, message, month=row.month, provider=row.provider))
            continue
        stated[(row.contract_id, row.month)] += row.drawdown
    return stated, found


def _telescoped(mine: dict[Key, Decimal]) -> dict[Key, Decimal]:
    """(commitment, month) -> cents(drawn up to the month) - cents(drawn up to the month before)."""
    out: dict[Key, Decimal] = {}
    running: dict[str, Decimal] = defaultdict(Decimal)
    for cid, month in sorted(mine, key=lambda k: (k[1], k[0])):
        before = running[cid]
        running[cid] += mine[(cid, month)]
        out[(cid, month)] = cents(running[cid]) - cents(before)
    return out


def _per_month(mine: dict[Key, Decimal], stated: dict[Key, Decimal]) -> Iterator[Violation]:
    for cid, month in sorted(set(mine) | set(stated)):
        expected, got = mine.get((cid, month), ZERO), stated.get((cid, month), ZERO)
        if got != expected:
            message = f"ledger {cid} month {month}: drawdown {got}, expected {expected}"
            yield violation(
                Code.LEDGER_DRAWDOWN, message, clause=cid, month=month, stated=got, expected=expected
            )


def _over_total(ctx: Context, stated: dict[Key, Decimal], commitments: set[str]) -> Iterator[Violation]:
    for cid in sorted(commitments):
        running = ZERO
        for month in ctx.calendar.months():
            running += stated.get((cid, month), ZERO)
            total = _total(ctx, cid, month)
            if running > total:
                message = f"ledger {cid}: drawn {running} by month {month}, above its total {total}"
                yield violation(Code.LEDGER_DRAWDOWN, message, clause=cid, month=month, stated=running)
                break


def ledger_drawdown(ctx: Context, mine: dict[Key, Decimal], doc: PlanDoc) -> list[Violation]:
    """The ledger's commitment rows against the checker's attribution, the totals and the milestones."""
    commitments = _commitments(ctx)
    stated, found = _stated(doc, commitments)
    found += _per_month(_telescoped(mine), stated)
    found += _over_total(ctx, stated, commitments)
    return found

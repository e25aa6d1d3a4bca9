"""Variants side by side: each variant's accounts and its differences from the base.

1. `primary_of(base)`: the party whose carried capex is reported — the counterparty of the base's
   revenue share, else the holder of its first priority right (ROFR / first-ship), else none;
2. `compare_one(name, file, scenario, plan, primary)`: the variant's `Accounts`;
3. `delta(base, variant)`: variant minus base, for the lab's cost (and each of its lines) and for
   every party's revenue (a party only one side knows counts as zero on the other).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from tender.domain import Contract, FirstShip, RevenueShare, Rofr, Scenario
from tender.sourcing.compare.accounts import Accounts, accounts
from tender.sourcing.types import Plan

ZERO = Decimal(0)


@dataclass(frozen=True)
class VariantResult:
    name: str
    file: str
    accounts: Accounts
    plan_status: str


@dataclass(frozen=True)
class Delta:
    lab_cost_usd: Decimal
    lab_lines_usd: tuple[tuple[str, Decimal], ...]  # the lab's cost lines (waterfall steps), variant - base
    parties: tuple[tuple[str, Decimal], ...]  # revenue, variant - base


def primary_of(sc: Scenario) -> str | None:
    clauses: list[Contract] = list(sc.contracts)
    for c in clauses:
        if isinstance(c, RevenueShare):
            return c.counterparty_id
    for c in clauses:
        if isinstance(c, (Rofr, FirstShip)):
            return c.holder
    return None


def compare_one(name: str, file: str, sc: Scenario, p: Plan, primary: str | None) -> VariantResult:
    return VariantResult(name, file, accounts(sc, p, primary), p.status)


def lab_lines(a: Accounts) -> tuple[tuple[str, Decimal], ...]:
    """The lab's cost as named lines: compute per provider, then shortfall, revenue share, unmet."""
    return (
        *((f"compute {p}", v) for p, v in a.lab.compute_by_provider_usd),
        ("shortfall penalties", a.lab.shortfall_usd),
        ("revenue share", a.lab.revenue_share_usd),
        ("unmet penalty", a.lab.unmet_penalty_usd),
    )


def delta(base: Accounts, v: Accounts) -> Delta:
    return Delta(
        v.lab.total_usd - base.lab.total_usd,
        _diff(lab_lines(base), lab_lines(v)),
        _diff(
            tuple((r.party, r.revenue_usd) for r in base.providers),
            tuple((r.party, r.revenue_usd) for r in v.providers),
        ),
    )


def _diff(
    base: tuple[tuple[str, Decimal], ...], v: tuple[tuple[str, Decimal], ...]
) -> tuple[tuple[str, Decimal], ...]:
    b, w = dict(base), dict(v)
    names = [*b, *(n for n in w if n not in b)]
    return tuple((n, w.get(n, ZERO) - b.get(n, ZERO)) for n in names)

"""The money balances, per party, on generated scenarios and on the shipped regimes.

For every plan: the lab's total cost as `tender compare` reports it equals the plan's own total, and
equals the sum of every party's revenue plus the unmet penalty. Each party's revenue is checked
against the plan's LEDGER ROWS (billed + shortfall accrual + revenue share of the rows of that
provider), summed here independently — the accounts read the billing from the charges instead.
Scenarios: hypothesis draws seeds of the generator behind tests/generated (every clause type,
amendments, scripted ROFR answers, unservable demand), and the example under each shipped regime.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scenario_gen import generate, to_yaml

from tender.config.load import load_scenario_text
from tender.config.overlay import build, load_base, load_variant
from tender.domain import Scenario
from tender.sourcing import PlanOptions, plan
from tender.sourcing.compare.accounts import accounts
from tender.sourcing.compare.deltas import primary_of
from tender.sourcing.types import Plan

REPO = Path(__file__).resolve().parents[3]
BASE = str(REPO / "examples" / "frontier-lab.yaml")
ZERO = Decimal(0)


def _check(sc: Scenario, p: Plan) -> None:
    a = accounts(sc, p, primary_of(sc))
    by_row: dict[str, Decimal] = {}
    for r in p.ledger:
        by_row[r.provider] = by_row.get(r.provider, ZERO) + (
            r.billed_cost_usd + r.shortfall_accrual_usd + r.revenue_share_usd
        )
    unmet = p.cost_breakdown_usd["unmet_penalty"]
    assert {r.party: r.revenue_usd for r in a.providers if r.revenue_usd or r.party in by_row} == by_row
    assert a.lab.total_usd == p.cost_total_usd
    assert a.lab.total_usd == sum(by_row.values(), ZERO) + unmet
    assert a.lab.total_usd == sum((r.revenue_usd for r in a.providers), ZERO) + a.lab.unmet_penalty_usd


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=10**6))
def test_generated_plans_balance(seed: int) -> None:
    sc = load_scenario_text(to_yaml(generate(seed)), f"gen-{seed}.yaml")
    _check(sc, plan(sc, PlanOptions(seed=seed, time_limit_s=20)))


@pytest.mark.parametrize("regime", ["exclusive", "first-ship"])
def test_regime_plans_balance(regime: str) -> None:
    v = load_variant(load_base(BASE), str(REPO / "examples" / "regimes" / f"{regime}.yaml"))
    sc = build(v)
    _check(sc, plan(sc, PlanOptions(seed=0)))

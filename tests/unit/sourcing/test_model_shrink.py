"""Exact shrinking and the LP-relaxation start: same plans, every clause kept (independent checker)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from checked import violations
from sourcing_gen import generate

from tender.domain import Rofr, Scenario
from tender.sourcing import PlanOptions, plan, warmstart
from tender.sourcing import data as data_mod
from tender.sourcing.pipeline import build_model
from tender.sourcing.solve import solve


def _with_twins(sc: Scenario) -> Scenario:
    """Each fleet gets a twin with the same eligibility and a different need (ids sort after).
    ROFRs are dropped: a gated fleet never shares columns (its gates are its own)."""
    twins = tuple(
        replace(f, id=f"{f.id}-twin", h100_eq=tuple(x / 2 + 1 for x in f.h100_eq)) for f in sc.fleets
    )
    contracts = tuple(c for c in sc.contracts if not isinstance(c, Rofr))
    return replace(sc, fleets=(*sc.fleets, *twins), contracts=contracts)


@pytest.mark.parametrize("seed", range(4))
def test_merged_fleets_keep_every_clause_and_cover(seed: int) -> None:
    sc = _with_twins(generate(seed))
    d = data_mod.build(sc)
    assert len(d.groups()) < len(d.fleets)  # some twins share columns
    result = plan(sc, PlanOptions(seed=seed, time_limit_s=20))
    assert violations(sc, result) == []
    assert result.cost_total_usd <= result.baseline_cost_usd
    assert all(u.reasons for u in result.unmet)


@pytest.mark.parametrize("seed", range(4))
def test_merge_is_exact(seed: int) -> None:
    """The merged model's optimum equals the unmerged one's (within the solver's gap)."""
    sc = _with_twins(generate(seed))
    d = data_mod.build(sc)
    merged, _v = build_model(d, PlanOptions(), Decimal(0))
    apart, _w = build_model(replace(d, fleet_groups=()), PlanOptions(), Decimal(0))
    assert merged.num_cols < apart.num_cols
    a = solve(merged, time_limit_s=30, mip_gap=1e-6).objective
    b = solve(apart, time_limit_s=30, mip_gap=1e-6).objective
    assert a == pytest.approx(b, rel=1e-5)


@pytest.mark.parametrize("seed", range(4))
def test_relaxation_start_keeps_every_clause(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    sc = generate(seed)
    plain = plan(sc, PlanOptions(seed=seed, time_limit_s=20))
    monkeypatch.setattr(warmstart, "MIN_COLS", 0)  # take the large-model path on a small scenario
    started = plan(sc, PlanOptions(seed=seed, time_limit_s=20))
    assert violations(sc, started) == []
    assert started.cost_total_usd <= started.baseline_cost_usd
    assert started.gap <= Decimal("0.001")
    assert started.lower_bound_usd <= started.cost_total_usd
    assert float(started.cost_total_usd) == pytest.approx(float(plain.cost_total_usd), rel=2e-3)

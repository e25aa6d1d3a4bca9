"""FOCUS rows of generated plans add up to their ledger, and a few pass the FinOps validator.

Per (provider, month) of each generated plan: the FOCUS rows' BilledCost is the ledger's billed cost
plus its shortfall penalty and revenue share, their EffectiveCost the effective cost plus the same,
to the cent (the ledger is rounded per row, the charges are exact). Three of them also go through
focus-validator 1.0.0 (tests/focus_validator.py).
"""

from __future__ import annotations

import functools
import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from scenario_gen import generate, to_yaml

from focus_validator import validate
from tender.config.load import load_scenario_text
from tender.domain import Scenario
from tender.ledger.focus import plan_rows, render_csv
from tender.ledger.focus.columns import FocusRow
from tender.plan_output import plan_to_dict
from tender.sourcing import PlanOptions, plan

SEEDS = range(40)
CENT = Decimal("0.01")
ZERO = Decimal(0)


@functools.cache
def _planned(seed: int) -> tuple[Scenario, dict[str, Any]]:
    sc = load_scenario_text(to_yaml(generate(seed)), f"gen-{seed}.yaml")
    return sc, json.loads(json.dumps(plan_to_dict(plan(sc, PlanOptions(seed=0, time_limit_s=20)), sc)))


def _money(row: FocusRow, column: str) -> Decimal:
    value = row.get(column)
    return value if isinstance(value, Decimal) else ZERO


@pytest.mark.parametrize("seed", SEEDS)
def test_focus_rows_add_up_to_the_ledger(seed: int) -> None:
    sc, doc = _planned(seed)
    billed: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    effective: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    for r in plan_rows(sc, doc):
        key = (str(r["ProviderName"]), int(str(r["x_PlanMonth"])))
        billed[key] += _money(r, "BilledCost")
        effective[key] += _money(r, "EffectiveCost")
    want_billed: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    want_effective: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    for row in doc["ledger"]:
        key = (row["provider"], row["month"])
        extra = Decimal(row["shortfall_accrual_usd"]) + Decimal(row["revenue_share_usd"])
        want_billed[key] += Decimal(row["billed_cost_usd"]) + extra
        want_effective[key] += Decimal(row["effective_cost_usd"]) + extra
    for key in sorted(set(billed) | set(want_billed)):
        assert abs(billed[key] - want_billed[key]) <= CENT, (seed, key, billed[key], want_billed[key])
        assert abs(effective[key] - want_effective[key]) <= CENT, (seed, key, effective[key])


@pytest.mark.requires_engine
@pytest.mark.parametrize("seed", [0, 7, 18])
def test_generated_focus_exports_pass_focus_validator(
    seed: int, tmp_path: Path, focus_validator_path: Path
) -> None:
    sc, doc = _planned(seed)
    out = tmp_path / f"gen-{seed}.csv"
    out.write_text(render_csv(plan_rows(sc, doc), preview_names=True), encoding="utf-8")
    passed, report = validate(focus_validator_path, out)
    assert passed, report

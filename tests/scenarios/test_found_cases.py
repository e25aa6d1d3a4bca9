"""Every planner failure the scenario generator found, kept as a fixed file (`found/`, each with a
first comment saying what broke): the plan now passes the independent checker."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from tender.check import check_plan
from tender.config import load_scenario
from tender.plan_output import plan_to_json
from tender.sourcing import PlanOptions, plan

FOUND = sorted((Path(__file__).parent / "found").glob("*.yaml"))


@pytest.mark.parametrize("path", FOUND, ids=[p.stem for p in FOUND])
def test_found_case_plans_clean(path: Path) -> None:
    sc = load_scenario(str(path))
    doc = json.loads(plan_to_json(plan(sc, PlanOptions(seed=0, time_limit_s=20)), sc))
    assert [f"{v.code} {v.message}" for v in check_plan(sc, doc)] == []
    assert Decimal(doc["cost_total_usd"]) <= Decimal(doc["baseline_cost_usd"])

"""Spec §8: a `baseline` object is checked like the plan (codes prefixed `baseline_`), and a plan that
costs more than its baseline is reported only when both serve their demand correctly."""

from __future__ import annotations

import copy

import pytest
from check_builders import Plan, award, changed, minimal, minimal_plan, plus

from tender.check import check_plan
from tender.domain import Scenario


@pytest.fixture(scope="module")
def sc() -> Scenario:
    return minimal()


def with_baseline(plan: Plan) -> Plan:
    out = copy.deepcopy(plan)
    own = copy.deepcopy(out)
    out["baseline"] = {"awards": own["awards"], "unmet": [], "cost_breakdown_usd": own["cost_breakdown_usd"]}
    return out


def codes(sc: Scenario, plan: Plan) -> list[str]:
    return sorted({v.code for v in check_plan(sc, plan)})


def test_a_baseline_equal_to_the_plan_is_clean(sc: Scenario) -> None:
    assert check_plan(sc, with_baseline(minimal_plan())) == []


def test_baseline_structure(sc: Scenario) -> None:
    plan = with_baseline(minimal_plan())
    plan["baseline"]["awards"] = [
        *plan["baseline"]["awards"],
        award("ghost", "on-prem", "us-west", "H100", 1, 1, "1.45"),
    ]
    assert codes(sc, plan) == ["baseline_structure"]


def test_a_contract_blind_baseline_breaks_exclusivity_and_is_cheaper(sc: Scenario) -> None:
    # month 1 of api-serving: 2,000 H100 on on-prem at 1.45 and 3,000 at primary-cloud at 3.00:
    # 2,000 x (3.00 - 1.45) x 730 h = 2,263,000.00 less, so compute = 463,988,000 - 2,263,000 = 461,725,000.00
    plan = with_baseline(minimal_plan())
    plan["baseline"]["awards"][0] = award(
        "api-serving", "primary-cloud", "us-central", "H100", 1, 3000, "3.00"
    )
    plan["baseline"]["awards"].append(award("api-serving", "on-prem", "us-west", "H100", 1, 2000, "1.45"))
    plan["baseline"]["cost_breakdown_usd"] = {**plan["cost_breakdown_usd"], "compute": "461725000.00"}
    plan["baseline_cost_usd"] = "461725000.00"
    assert codes(sc, plan) == ["baseline_exclusivity", "cost_above_baseline"]


def test_baseline_compute_and_total(sc: Scenario) -> None:
    plan = with_baseline(minimal_plan())
    plan["baseline"]["cost_breakdown_usd"] = {**plan["cost_breakdown_usd"], "compute": "463988001.00"}
    plan["baseline_cost_usd"] = "463988001.00"
    assert codes(sc, plan) == ["baseline_compute_total"]
    plan = changed(
        with_baseline(minimal_plan()), "baseline_cost_usd", plus(minimal_plan()["cost_total_usd"], "1.00")
    )
    assert codes(sc, plan) == ["baseline_cost_total"]


def test_no_cost_comparison_while_a_demand_is_served_wrongly(sc: Scenario) -> None:
    plan = minimal_plan()
    plan = changed(plan, "awards.0.gpus", 4999)  # api-serving short in month 1, not reported
    plan = changed(plan, "ledger.0.billed_cost_usd", "10947810.00")  # 4,999 x 3.00 x 730
    rows = {(r["contract_id"], r["month"]): k for k, r in enumerate(plan["ledger"])}
    plan = changed(plan, f"ledger.{rows[('c-commit', 1)]}.commitment_drawdown_usd", "10947810.00")
    plan = changed(plan, f"ledger.{rows[('c-commit', 5)]}.commitment_drawdown_usd", "3574190.00")  # to 50M
    plan = changed(plan, "cost_breakdown_usd.compute", "463985810.00")
    plan = changed(plan, "cost_total_usd", "463985810.00")
    plan = changed(plan, "lower_bound_usd", "463985810.00")
    plan = changed(plan, "baseline_cost_usd", "1.00")
    assert codes(sc, plan) == ["cover"]

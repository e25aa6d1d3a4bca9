"""The example scenario: clauses hold (independent checker), notices precede third-party awards,
the plan beats the contract-blind baseline, and the JSON is byte-identical across runs."""

from __future__ import annotations

from decimal import Decimal

from checked import violations

from tender.domain import Scenario
from tender.plan_output import plan_to_json
from tender.sourcing import Plan, PlanOptions, plan

PRICINGS = {"contract", "on_demand", "spot", "reserved", "take_or_pay"}


def test_no_award_breaks_a_clause(example: Scenario, example_plan: Plan) -> None:
    assert violations(example, example_plan) == []


def test_every_in_scope_need_got_a_notice_first(example: Scenario, example_plan: Plan) -> None:
    third_party_notices = {a.notice for a in example_plan.awards if a.clause == "c-primary-rofr"}
    assert third_party_notices, "the example has ROFR-gated third-party awards"
    issued = {n.id: n for n in example_plan.notices}
    for a in example_plan.awards:
        if a.clause == "c-primary-rofr":
            assert a.notice in issued
            assert a.month <= 16  # the amendment ends the ROFR in month 17


def test_cost_at_most_baseline(example_plan: Plan) -> None:
    assert example_plan.cost_total_usd <= example_plan.baseline_cost_usd
    assert example_plan.lower_bound_usd <= example_plan.cost_total_usd
    assert example_plan.gap <= Decimal("0.001")


def test_awards_are_explained(example_plan: Plan) -> None:
    assert {a.pricing for a in example_plan.awards} <= PRICINGS
    assert {"take_or_pay", "reserved", "contract", "spot"} <= {a.pricing for a in example_plan.awards}
    for u in example_plan.unmet:
        assert u.reasons


def test_training_runs_placed_single_site(example_plan: Plan) -> None:
    for run in ("pretrain-v6", "midtrain-v6.5", "pretrain-v7"):
        sites = {(a.provider, a.region, a.gpu) for a in example_plan.awards if a.demand == run}
        assert len(sites) == 1, run
    v7 = [a for a in example_plan.awards if a.demand == "pretrain-v7"]
    assert {a.provider for a in v7} == {"jv-datacenter"}  # only the campus reaches 100k GB200


def test_json_byte_identical(example: Scenario, example_plan: Plan) -> None:
    again = plan(example, PlanOptions(seed=0))
    assert plan_to_json(example_plan, example) == plan_to_json(again, example)
    assert '"solve_seconds"' not in plan_to_json(example_plan, example)


def test_whole_gpus_leave_no_rounding_artifacts(example_plan: Plan) -> None:
    """Rounding the continuous fleet columns leaves no sub-GPU unmet demand and no tiny notices."""
    for u in example_plan.unmet:  # under one accelerator only where everything it may use is full
        assert u.h100_eq is None or u.h100_eq >= 1 or "capacity" in u.reasons, u
    assert all(n.gpus >= 100 for n in example_plan.notices), [
        n.id for n in example_plan.notices if n.gpus < 100
    ]


def test_former_holder_capacity_is_bought_directly_after_the_rofr_ends(example_plan: Plan) -> None:
    """The ROFR ends in month 17 (lead time 2): api-serving (exclusive to primary-cloud) is covered
    in months 23-24 by primary-cloud's new capacity, bought without a notice."""
    assert not [u for u in example_plan.unmet if u.demand == "api-serving"]
    late = [
        a for a in example_plan.awards if a.provider == "primary-cloud" and a.gpu == "GB300" and a.month >= 19
    ]
    assert late and all(a.notice is None and a.pricing == "contract" for a in late)


def test_award_clauses_are_in_force_in_their_month(example: Scenario, example_plan: Plan) -> None:
    """An award names the clause that allowed it: one in force that month (a notice's clause may be older)."""
    from tender.contracts import clauses_at

    for award in example_plan.awards:
        if award.clause is None or award.notice is not None:
            continue
        in_force = {c.id for c in clauses_at(example, award.month)}
        assert award.clause in in_force, award

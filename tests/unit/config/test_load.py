"""Loading the shipped examples and the conversions a user relies on."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from tender.config import InputError, load_scenario, load_scenario_text
from tender.domain import ChangeAction, CommittedSpend, ReservedCapacity, Rofr

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


@pytest.fixture(scope="module")
def frontier():  # type: ignore[no-untyped-def]
    return load_scenario(str(EXAMPLES / "frontier-lab.yaml"))


def test_frontier_example_loads_with_exact_money(frontier) -> None:  # type: ignore[no-untyped-def]
    assert frontier.horizon == 24
    assert len(frontier.providers) == 9
    assert frontier.providers["primary-cloud"].rates["H100"].contract == Decimal("3.00")
    assert frontier.providers["jv-datacenter"].rates["GB200"].contract == Decimal("3.40")
    assert frontier.revenue_forecast_usd[0] == Decimal("1200000000.000")
    assert frontier.fleets[0].need(24) == Decimal(123000)


def test_frontier_capacity_includes_campus_phases(frontier) -> None:  # type: ignore[no-untyped-def]
    jv = frontier.providers["jv-datacenter"]
    assert jv.existing_gpus("GB200", "us-south", 2) == 0
    assert jv.existing_gpus("GB200", "us-south", 3) == 30000
    assert jv.existing_gpus("GB200", "us-south", 15) == 130000
    primary = frontier.providers["primary-cloud"]
    assert primary.offerable_gpus("GB200", "us-central", 7) == 40000
    assert primary.existing_gpus("GB200", "us-central", 7) == 20000


def test_frontier_contracts_and_amendment(frontier) -> None:  # type: ignore[no-untyped-def]
    rofr = frontier.contract("c-primary-rofr")
    assert isinstance(rofr, Rofr)
    assert rofr.min_exercise_block_gpus == 2304
    assert rofr.carve_outs[0].kind == "existing_contracted_capacity"
    assert rofr.carve_outs[1].scope.workload_classes == ("training",)
    assert rofr.carve_outs[1].scope.providers == ("jv-datacenter", "on-prem")
    reserved = frontier.contract("c-neocloud-a-reserved")
    assert isinstance(reserved, ReservedCapacity) and reserved.burst_max_gpus == 5000
    amendment = frontier.amendments[0]
    assert [c.action for c in amendment.changes] == [ChangeAction.TERMINATE, ChangeAction.ADD_CONTRACT]
    added = amendment.changes[1].contract
    assert isinstance(added, CommittedSpend)
    assert added.drawdown_after == "c-primary-commit"
    assert added.effective_from_month == 17  # an added clause starts with its amendment, never before


def test_minimal_example_loads() -> None:
    sc = load_scenario(str(EXAMPLES / "minimal.yaml"))
    assert sc.calendar.label(1) == "2026-07" and sc.calendar.label(12) == "2027-06"
    assert [r.id for r in sc.training_runs] == ["pretrain-x"]


def test_every_problem_is_listed_sorted_by_line() -> None:
    text = (EXAMPLES / "minimal.yaml").read_text()
    text = text.replace("holder: primary-cloud", "holder: nobody").replace("gpus: 20000", "gpus: 0")
    text = text.replace("lead_time_months: 2", "lead_time_months: -2")
    with pytest.raises(InputError) as info:
        load_scenario_text(text, "bad.yaml")
    problems = info.value.problems
    assert (
        len(problems) == 2
    )  # schema problems first; cross-references are checked once the structure is valid
    assert [p.line for p in problems] == sorted(p.line for p in problems)
    assert {p.path for p in problems} == {
        "providers.primary-cloud.lead_time_months",
        "demand.training_runs[0].gpus",
    }


def test_on_demand_rate_from_the_catalog() -> None:
    text = (EXAMPLES / "minimal.yaml").read_text()
    text = text.replace("H100: {contract: 1.45}", "H100: {contract: 1.45, on_demand: {catalog: Lambda}}")
    sc = load_scenario_text(text, "catalog.yaml")
    price = sc.providers["on-prem"].rates["H100"].on_demand
    assert price is not None and price > 0
    assert isinstance(price, Decimal)

"""One attribution of spend to commitments: the ledger and the milestones say the same thing.

On the example and on generated scenarios (about a fifth have a `drawdown_order: after X` chain),
per commitment: the ledger rows of its `contract_id` (whole cents), summed up to a milestone month,
are exactly the milestone's `drawdown_usd` in cents; the running sum never exceeds the total of the version in force;
and the CSV a user opens, summed per `contract_id` in cents, gives the same numbers as plan.json's
milestones. The checker (`tender.check`) recomputes the attribution on its own (see
test_checker_catches.py for the mutations it must catch).
"""

from __future__ import annotations

import csv
import functools
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from scenario_gen import generate, to_yaml

from tender.config.load import load_scenario, load_scenario_text
from tender.domain import ChangeAction, CommittedSpend, Scenario
from tender.domain.money import cents
from tender.plan_output import ledger_csv, plan_to_json
from tender.sourcing import Plan, PlanOptions, plan

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "frontier-lab.yaml"
SEEDS = range(40)
ZERO = Decimal(0)


@functools.cache
def _generated(seed: int) -> tuple[Scenario, Plan]:
    sc = load_scenario_text(to_yaml(generate(seed)), f"gen-{seed}.yaml")
    return sc, plan(sc, PlanOptions(seed=0, time_limit_s=20))


@functools.cache
def _example() -> tuple[Scenario, Plan]:
    sc = load_scenario(EXAMPLE)
    return sc, plan(sc, PlanOptions(seed=0))


def _totals(sc: Scenario) -> dict[str, list[Decimal]]:
    """Every total each committed_spend clause ever has: its own, an added clause's, a `set_field`'s."""
    out: dict[str, list[Decimal]] = {}
    for c in sc.contracts:
        if isinstance(c, CommittedSpend):
            out.setdefault(c.id, []).append(c.total_usd)
    for a in sc.amendments:
        for ch in a.changes:
            if isinstance(ch.contract, CommittedSpend):
                out.setdefault(ch.contract_id, []).append(ch.contract.total_usd)
            elif ch.action == ChangeAction.SET_FIELD and ch.field == "total_usd" and ch.contract_id in out:
                out[ch.contract_id].append(Decimal(str(ch.value)))
    return out


def _chained(sc: Scenario) -> set[str]:
    clauses = [*sc.contracts, *(ch.contract for a in sc.amendments for ch in a.changes if ch.contract)]
    return {c.id for c in clauses if isinstance(c, CommittedSpend) and c.drawdown_after}


def _assert_one_truth(sc: Scenario, p: Plan) -> int:
    totals, chained_ids = _totals(sc), _chained(sc)
    chained = 0
    for cid in {m.contract for m in p.milestones}:
        rows = [r for r in p.ledger if r.contract_id == cid]
        ceiling = max(totals[cid])
        running = ZERO
        by_month: dict[int, Decimal] = {}
        for month in range(1, p.horizon + 1):
            running += sum((r.commitment_drawdown_usd for r in rows if r.month == month), ZERO)
            by_month[month] = running
            assert running <= ceiling, (cid, month, running, ceiling)
        for m in (m for m in p.milestones if m.contract == cid):
            assert by_month[m.by_month] == cents(m.drawdown_usd), (cid, m.by_month, by_month[m.by_month], m)
        chained += cid in chained_ids
    # a row's drawdown belongs to a commitment, never to a reservation or an empty contract id
    assert all(r.contract_id in totals for r in p.ledger if r.commitment_drawdown_usd)
    return chained


def _csv_matches_json(sc: Scenario, p: Plan) -> None:
    labels = {m: sc.calendar.label(m) for m in range(1, p.horizon + 1)}
    drawn: dict[str, Decimal] = {}
    for row in csv.DictReader(io.StringIO(ledger_csv(p, labels))):
        if row["contract_id"] and Decimal(row["commitment_drawdown_usd"]):
            drawn[row["contract_id"]] = drawn.get(row["contract_id"], ZERO) + Decimal(
                row["commitment_drawdown_usd"]
            )
    doc = json.loads(plan_to_json(p, sc))
    last: dict[str, tuple[int, Decimal]] = {}
    for m in doc["milestones"]:
        if m["contract"] not in last or m["by_month"] > last[m["contract"]][0]:
            last[m["contract"]] = (m["by_month"], Decimal(m["drawdown_usd"]))
    for cid, (month, stated) in last.items():
        if month == p.horizon:  # the last milestone at the horizon's end: everything drawn by then
            assert drawn.get(cid, ZERO) == stated, (cid, drawn.get(cid), stated)
    for cid, cash in drawn.items():  # the CSV never draws more than any version's total
        assert cash <= max(_totals(sc)[cid]), (cid, cash)


def test_the_example_ledger_draws_each_commitment_as_its_milestones_say() -> None:
    sc, p = _example()
    assert _assert_one_truth(sc, p) == 1  # c-primary-commit-2 draws after c-primary-commit
    _csv_matches_json(sc, p)
    by_contract: dict[str, Decimal] = {}
    for r in p.ledger:
        if r.contract_id:
            by_contract[r.contract_id] = by_contract.get(r.contract_id, ZERO) + r.commitment_drawdown_usd
    # the reproduction: c-primary-commit drew 4.6B against a 3.6B total, -2 had no row
    assert by_contract["c-primary-commit"] <= Decimal("3600000000")
    assert by_contract["c-primary-commit-2"] > 0


@pytest.mark.parametrize("seed", SEEDS)
def test_generated_ledgers_draw_each_commitment_as_its_milestones_say(seed: int) -> None:
    sc, p = _generated(seed)
    _assert_one_truth(sc, p)
    _csv_matches_json(sc, p)


def test_the_generated_scenarios_do_chain_commitments() -> None:
    assert sum(_assert_one_truth(*_generated(seed)) for seed in SEEDS) >= 5

"""The checker is not a rubber stamp: on real plans of generated scenarios, a broken rule is caught.

Each mutation breaks one rule whatever the scenario: an award re-priced by a cent (`rate`), a
third-party award whose notice is removed (`rofr_no_notice` or `structure`), a fleet award the
fleet cannot do without dropped (`cover`), a placed training run moved one month later (at least
its bill moves: never clean), and the commitment rows of the ledger (`ledger_drawdown`): chained
commitments summed onto the first (issue 13's defect), a cent more drawn, a total overdrawn.
"""

from __future__ import annotations

import copy
import functools
import json
from decimal import Decimal
from typing import Any

import pytest
from scenario_gen import generate, to_yaml

from tender.check import check_plan
from tender.config.load import load_scenario_text
from tender.domain import CommittedSpend, Scenario
from tender.plan_output import plan_to_json
from tender.sourcing import PlanOptions, plan

SEEDS = range(40)


@functools.cache
def _plan_text(seed: int) -> tuple[Scenario, str]:
    sc = load_scenario_text(to_yaml(generate(seed)), f"gen-{seed}.yaml")
    return sc, plan_to_json(plan(sc, PlanOptions(seed=0, time_limit_s=20)), sc)


def _planned(seed: int) -> tuple[Scenario, dict[str, Any]]:
    sc, text = _plan_text(seed)
    return sc, json.loads(text)


def _codes(sc: Scenario, doc: dict[str, Any]) -> set[str]:
    return {str(v.code) for v in check_plan(sc, doc)}


@pytest.mark.parametrize("seed", SEEDS)
def test_a_cent_more_on_any_priced_award_is_caught(seed: int) -> None:
    sc, doc = _planned(seed)
    notices = {n["id"]: n for n in doc["notices"]}
    priced = [
        k
        for k, a in enumerate(doc["awards"])
        if a["pricing"] in ("contract", "on_demand", "spot")
        and not (a["notice"] in notices and notices[a["notice"]]["holder"] == a["provider"])
    ]
    for k in priced[:3]:
        bad = copy.deepcopy(doc)
        bad["awards"][k]["rate_usd_per_gpu_hour"] = str(
            Decimal(bad["awards"][k]["rate_usd_per_gpu_hour"]) + Decimal("0.01")
        )
        assert "rate" in _codes(sc, bad), bad["awards"][k]


def test_a_third_party_award_without_its_notice_is_caught() -> None:
    mutated = 0
    for seed in SEEDS:
        sc, doc = _planned(seed)
        holders = {n["id"]: n["holder"] for n in doc["notices"]}
        cited = [a for a in doc["awards"] if a["notice"] in holders and holders[a["notice"]] != a["provider"]]
        if cited:
            bad = copy.deepcopy(doc)
            bad["notices"] = [n for n in bad["notices"] if n["id"] != cited[0]["notice"]]
            assert _codes(sc, bad) & {"rofr_no_notice", "structure"}, seed
            mutated += 1
    assert mutated >= 10  # the generated plans do have third-party awards under a right


def test_dropping_a_fleet_award_the_fleet_needs_is_caught() -> None:
    """Only awards the fleet-month cannot do without (a fleet may be over-covered: whole racks,
    a take-or-pay minimum, a paid reservation)."""
    mutated = 0
    for seed in SEEDS:
        sc, doc = _planned(seed)
        k = _needed_award(sc, doc)
        if k is not None:
            bad = copy.deepcopy(doc)
            del bad["awards"][k]
            assert "cover" in _codes(sc, bad), seed
            mutated += 1
    assert mutated >= 30


def _needed_award(sc: Scenario, doc: dict[str, Any]) -> int | None:
    eq = {name: acc.h100_eq for name, acc in sc.accelerators.items()}
    fleets = {f.id: f for f in sc.fleets}
    got: dict[tuple[str, int], Decimal] = {}
    for a in doc["awards"]:
        key = (a["demand"], a["month"])
        got[key] = got.get(key, Decimal(0)) + a["gpus"] * eq[a["gpu"]]
    short = {(u["demand"], u["month"]): Decimal(u["h100_eq"] or 0) for u in doc["unmet"]}
    for k, a in enumerate(doc["awards"]):
        f = fleets.get(a["demand"])
        if f is None:
            continue
        key = (a["demand"], a["month"])
        left = got[key] - a["gpus"] * eq[a["gpu"]] + short.get(key, Decimal(0))
        if left < f.need(a["month"]) - Decimal(1):
            return k
    return None


def test_a_run_moved_one_month_is_caught() -> None:
    mutated = 0
    for seed in SEEDS:
        sc, doc = _planned(seed)
        for run in sc.training_runs:
            mine = [a for a in doc["awards"] if a["demand"] == run.id]
            if mine and max(a["month"] for a in mine) < sc.horizon:
                bad = copy.deepcopy(doc)
                for a in bad["awards"]:
                    if a["demand"] == run.id:
                        a["month"] += 1
                assert check_plan(sc, bad) != [], (seed, run.id)
                mutated += 1
    assert mutated >= 5  # 8 placed runs end before the horizon in these 40 plans


def _chained_rows(doc: dict[str, Any]) -> list[int]:
    """Ledger rows of a commitment that is not its provider's billing row (it drew after another)."""
    billing = {r["provider"]: r["contract_id"] for r in doc["ledger"] if Decimal(r["billed_cost_usd"])}
    return [
        k
        for k, r in enumerate(doc["ledger"])
        if Decimal(r["commitment_drawdown_usd"])
        and billing.get(r["provider"]) not in (None, r["contract_id"])
    ]


def test_a_ledger_that_sums_chained_commitments_onto_the_first_is_caught() -> None:
    """Issue 13's defect: every drawdown of a provider on its first commitment's row (over its total)."""
    mutated = 0
    for seed in SEEDS:
        sc, doc = _planned(seed)
        moved = _chained_rows(doc)
        if not moved:
            continue
        bad = copy.deepcopy(doc)
        first = {r["provider"]: r["contract_id"] for r in doc["ledger"] if Decimal(r["billed_cost_usd"])}
        for k in moved:
            bad["ledger"][k]["contract_id"] = first[bad["ledger"][k]["provider"]]
        found = [v for v in check_plan(sc, bad) if v.code == "ledger_drawdown"]
        assert found, seed
        mutated += 1
    assert mutated >= 3


def test_a_cent_more_drawn_on_any_commitment_row_is_caught() -> None:
    mutated = 0
    for seed in SEEDS:
        sc, doc = _planned(seed)
        rows = [k for k, r in enumerate(doc["ledger"]) if Decimal(r["commitment_drawdown_usd"])]
        for k in rows[:2]:
            bad = copy.deepcopy(doc)
            row = bad["ledger"][k]
            row["commitment_drawdown_usd"] = str(Decimal(row["commitment_drawdown_usd"]) + Decimal("0.01"))
            assert "ledger_drawdown" in _codes(sc, bad), (seed, row)
            mutated += 1
    assert mutated >= 20


def test_a_commitment_drawn_past_its_total_is_caught() -> None:
    """A commitment the ledger draws to its total (never amended) draws a dollar more in its last month."""
    mutated = 0
    for seed in SEEDS:
        sc, doc = _planned(seed)
        amended = {ch.contract_id for a in sc.amendments for ch in a.changes}
        totals = {
            c.id: c.total_usd for c in sc.contracts if isinstance(c, CommittedSpend) and c.id not in amended
        }
        drawn: dict[str, list[int]] = {}
        for k, r in enumerate(doc["ledger"]):
            if r["contract_id"] in totals and Decimal(r["commitment_drawdown_usd"]):
                drawn.setdefault(r["contract_id"], []).append(k)
        for cid, rows in drawn.items():
            if sum(Decimal(doc["ledger"][k]["commitment_drawdown_usd"]) for k in rows) != totals[cid]:
                continue
            bad = copy.deepcopy(doc)
            row = bad["ledger"][rows[-1]]
            row["commitment_drawdown_usd"] = str(Decimal(row["commitment_drawdown_usd"]) + 1)
            messages = [v.message for v in check_plan(sc, bad) if v.code == "ledger_drawdown"]
            assert any(f"ledger {cid}: drawn" in m and "above its total" in m for m in messages), (
                seed,
                messages,
            )
            mutated += 1
    assert mutated >= 3

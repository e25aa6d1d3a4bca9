"""Random valid scenarios, planned and checked: every clause holds on every one of them.

Each seed of `scenario_gen.generate` is planned exactly as `tender plan` does, written to JSON and
read back, then checked by the independent checker (`tender.check`), which never sees the model.
The larger sweep (1,000+ seeds, timings) is `bench/sweep_generated.py`; every failure either ever
found is kept as a fixed case under `tests/scenarios/found/`.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from scenario_gen import generate, to_yaml

from tender.check import check_plan
from tender.config.load import load_scenario_text
from tender.contracts import Reason
from tender.domain import Scenario
from tender.plan_output import plan_to_json
from tender.sourcing import PlanOptions, plan

SEEDS = range(300)
RULES = {v for k, v in vars(Reason).items() if k.isupper()}


def _plan(seed: int) -> tuple[Scenario, str]:
    sc = load_scenario_text(to_yaml(generate(seed)), f"gen-{seed}.yaml")
    return sc, plan_to_json(plan(sc, PlanOptions(seed=seed, time_limit_s=20)), sc)


@pytest.mark.parametrize("seed", SEEDS)
def test_generated_plan_keeps_every_clause(seed: int) -> None:
    sc, text = _plan(seed)
    doc: dict[str, Any] = json.loads(text)
    found = check_plan(sc, doc)
    assert [f"{v.code} {v.message}" for v in found] == []
    assert Decimal(doc["cost_total_usd"]) <= Decimal(doc["baseline_cost_usd"])
    assert all(u["reasons"] for u in doc["unmet"])
    # The planner's own commands are never refused. A scripted answer may be: deliberately invalid
    # ("invalid-script"), or more than a need turned out to be (`exceeds_notice`); its refusal names
    # the rule it broke (`respond NEED: REASON (CLAUSE) ...`).
    scripted = {r.need for r in sc.rofr_responses}
    for line in doc["protocol_rejections"]:
        command, need, reason = (
            line.split(" ", 1)[0],
            line.split(" ", 1)[1].split(":")[0],
            line.split(": ", 1)[1],
        )
        assert command == "respond" and (need in scripted or need.split("/")[0] in scripted), line
        assert reason.split(" ", 1)[0] in RULES, line
        if "invalid-script" not in sc.description:
            assert reason.startswith(("exceeds_notice", "exceeds_need")), line


@pytest.mark.parametrize("seed", [3, 17, 42, 99, 123])
def test_generated_plan_is_deterministic(seed: int) -> None:
    assert _plan(seed)[1] == _plan(seed)[1]

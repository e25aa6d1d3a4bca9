"""`check_plan`: every rule of the spec, applied to one scenario and one plan JSON, in numbered steps."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tender.check.awards import check_awards
from tender.check.baseline import baseline, cost_above_baseline
from tender.check.context import Context
from tender.check.money import plan_money
from tender.check.notices import notice_rules
from tender.check.pinned import pinned_rules
from tender.check.plan_doc import parse_plan
from tender.check.structure import notice_structure
from tender.check.violation import Code, Violation, sorted_violations, violation
from tender.domain import Scenario
from tender.domain.rebase import FixedMonths


def scripted_answer(scenario: Scenario, rejection: str) -> bool:
    """Is `rejection` (`respond NEED: reason ...`) the refusal of an answer the scenario scripts?
    A need id is `DEMAND/GPU/THIRD_PARTY[/REGION]`; a script names the need or its demand."""
    command, _, rest = rejection.partition(" ")
    need = rest.split(":", 1)[0].strip()
    if command != "respond" or not need:
        return False
    demand = need.split("/", 1)[0]
    return any(r.need in (need, demand) for r in scenario.rofr_responses)


def check_plan(
    scenario: Scenario, plan: Mapping[str, Any], fixed: FixedMonths | None = None
) -> list[Violation]:
    """Every violation of the plan, sorted; raises `PlanDocError` when the JSON lacks a field. A re-plan
    (`scenario` re-based on `fixed`) is also held to its pinned facts (step 8, `check.pinned`)."""
    doc = parse_plan(plan)  # 1. read the JSON into typed records
    ctx = Context(scenario, doc.notices)  # 2. build the clause timeline and lookups
    found = notice_structure(ctx, doc.notices) + notice_rules(ctx)  # 3. the notices themselves
    checked = check_awards(ctx, doc.awards, doc.unmet)  # 4. awards and unmet entries, §1-§6
    money = plan_money(ctx, doc, checked.awards, checked.unmet)  # 5. ledger, drawdown and totals, §7
    base = baseline(ctx, doc)  # 6. the baseline, §8
    above = cost_above_baseline(doc, checked.found, base)
    rejected = [  # 7. §9: a refused scripted answer is the script's mistake, reported, not the plan's
        violation(Code.PROTOCOL_REJECTION, r)
        for r in doc.protocol_rejections
        if not scripted_answer(scenario, r)
    ]
    pinned = pinned_rules(ctx, doc, fixed)  # 8. runs in progress, capacity held, notices answered
    return sorted_violations([*found, *checked.found, *money, *base, *above, *rejected, *pinned])

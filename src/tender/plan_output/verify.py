"""A plan checks itself before anyone reads it: the independent checker runs on its JSON form.

1. the plan is rendered as `--json` writes it (`PlanRenders.json_text`: the same bytes, which
   `verified_renders` hands on to be written);
2. `tender.check.check_plan` reads that text, parsed, and the scenario, never the model;
3. a plan with violations keeps its awards but loses its status: `check_failed`, with every
   violation listed (`check_violations`), so nobody takes it for an optimal, clause-abiding plan.
"""

from __future__ import annotations

import json
from dataclasses import replace

from tender.check import check_plan
from tender.domain import Scenario
from tender.domain.rebase import FixedMonths
from tender.plan_output.rendered import PlanRenders
from tender.sourcing import Plan

CHECK_FAILED = "check_failed"


def verified(plan: Plan, scenario: Scenario, fixed: FixedMonths | None = None) -> Plan:
    """`plan`, or a copy with status `check_failed` and the violations when the checker finds any
    (a re-plan: `scenario` re-based on `fixed`, whose pinned facts the checker holds it to)."""
    return verified_renders(plan, scenario, fixed).result


def verified_renders(
    plan: Plan, scenario: Scenario, fixed: FixedMonths | None = None, timings: bool = False
) -> PlanRenders:
    """The renders of `verified(plan, ...)`. A plan the checker passes keeps the JSON text it read, so
    `--json` writes the very bytes that were checked (`timings` adds `solve_seconds`, which no rule reads)."""
    renders = PlanRenders(plan, scenario, timings)
    found = check_plan(scenario, json.loads(renders.json_text()), fixed)
    if not found:
        return renders
    lines = tuple(
        f"{v.code} clause={v.clause or '-'} demand={v.demand or '-'} month={v.month or '-'}: {v.message}"
        for v in found
    )
    return PlanRenders(replace(plan, status=CHECK_FAILED, check_violations=lines), scenario, timings)

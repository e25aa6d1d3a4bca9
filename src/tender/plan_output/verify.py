"""A plan checks itself before anyone reads it: the independent checker runs on its JSON form.

1. the plan is rendered exactly as `--json` writes it (`plan_to_dict`, through JSON text);
2. `tender.check.check_plan` reads that document and the scenario, never the model;
3. a plan with violations keeps its awards but loses its status: `check_failed`, with every
   violation listed (`check_violations`), so nobody takes it for an optimal, clause-abiding plan.
"""

from __future__ import annotations

import json
from dataclasses import replace

from tender.check import check_plan
from tender.domain import Scenario
from tender.domain.rebase import FixedMonths
from tender.plan_output.json_out import plan_to_dict
from tender.sourcing import Plan

CHECK_FAILED = "check_failed"


def verified(plan: Plan, scenario: Scenario, fixed: FixedMonths | None = None) -> Plan:
    """`plan`, or a copy with status `check_failed` and the violations when the checker finds any
    (a re-plan: `scenario` re-based on `fixed`, whose pinned facts the checker holds it to)."""
    doc = json.loads(json.dumps(plan_to_dict(plan, scenario)))
    found = check_plan(scenario, doc, fixed)
    if not found:
        return plan
    lines = tuple(
        f"{v.code} clause={v.clause or '-'} demand={v.demand or '-'} month={v.month or '-'}: {v.message}"
        for v in found
    )
    return replace(plan, status=CHECK_FAILED, check_violations=lines)

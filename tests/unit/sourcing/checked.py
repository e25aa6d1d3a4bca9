"""The package's independent checker on a plan, exactly as `tender plan --json` writes it."""

from __future__ import annotations

import json

from tender.check import check_plan
from tender.domain import Scenario
from tender.plan_output import plan_to_json
from tender.sourcing import Plan


def violations(sc: Scenario, plan: Plan) -> list[str]:
    doc = json.loads(plan_to_json(plan, sc))
    return [f"{v.code} {v.message}" for v in check_plan(sc, doc)]

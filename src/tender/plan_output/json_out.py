"""`--json`: the plan as a stable document (see docs/plan-json.md).

Money is a JSON *string* holding an exact decimal: amounts in USD rounded half-even to cents
("1234.50"), rates exactly as in the scenario ("3.40"). Keys are sorted and lists are in a fixed
order, so the same scenario and seed give byte-identical output. `solve_seconds` (wall-clock) is
written only when `timings=True`.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from tender.domain import Scenario
from tender.domain.money import cents
from tender.sourcing import Award, Charge, LedgerRow, MilestoneStatus, Notice, Plan, Unmet

SCHEMA = "tender.plan/1"


def usd(amount: Decimal) -> str:
    return format(cents(amount), "f")


def _charge(c: Charge) -> dict[str, object]:
    return {
        "month": c.month,
        "provider": c.provider,
        "kind": c.kind,
        "clause": c.clause,
        "notice": c.notice,
        "billed_cost_usd": format(c.billed_usd, "f"),
        "effective_cost_usd": format(c.effective_usd, "f"),
        "unused_cost_usd": format(c.unused_usd, "f"),
        "gpu_hours": format(c.gpu_hours, "f"),
        "upfront": c.upfront,
        "demand": c.demand,
        "gpu": c.gpu,
        "region": c.region,
        "pricing": c.pricing,
        "rate_usd_per_gpu_hour": rate(c.rate),
    }


def rate(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _award(a: Award) -> dict[str, Any]:
    return {
        "demand": a.demand,
        "provider": a.provider,
        "region": a.region,
        "gpu": a.gpu,
        "month": a.month,
        "gpus": a.gpus,
        "rate_usd_per_gpu_hour": rate(a.rate_usd_per_gpu_hour),
        "pricing": a.pricing,
        "clause": a.clause,
        "notice": a.notice,
    }


def _unmet(u: Unmet) -> dict[str, Any]:
    return {
        "demand": u.demand,
        "month": u.month,
        "h100_eq": None if u.h100_eq is None else format(u.h100_eq.quantize(Decimal("0.001")), "f"),
        "gpus": u.gpus,
        "reasons": list(u.reasons),
    }


def _notice(n: Notice) -> dict[str, Any]:
    return {
        "id": n.id,
        "need": n.need,
        "demand": n.demand,
        "holder": n.holder,
        "clause": n.clause,
        "gpu": n.gpu,
        "gpus": n.gpus,
        "region": n.region,
        "start_month": n.start_month,
        "duration_months": n.duration_months,
        "issued_at": n.issued_at,
        "deadline": n.deadline,
        "responded_at": n.responded_at,
        "third_party": n.third_party,
        "status": n.status,
        "exercised_gpus": n.exercised_gpus,
        "released_gpus": n.released_gpus,
        "terms": {
            "price": rate(n.price_usd_per_gpu_hour),
            "best_third_party_quote": rate(n.best_third_party_quote),
            "best_third_party_provider": n.best_third_party,
        },
    }


def _ledger_row(r: LedgerRow) -> dict[str, Any]:
    return {
        "month": r.month,
        "provider": r.provider,
        "contract_id": r.contract_id,
        "gpu_hours": format(r.gpu_hours, "f"),
        "billed_cost_usd": usd(r.billed_cost_usd),
        "effective_cost_usd": usd(r.effective_cost_usd),
        "commitment_status": r.commitment_status,
        "commitment_drawdown_usd": usd(r.commitment_drawdown_usd),
        "shortfall_accrual_usd": usd(r.shortfall_accrual_usd),
        "revenue_share_usd": usd(r.revenue_share_usd),
    }


def _milestone(m: MilestoneStatus) -> dict[str, Any]:
    return {
        "contract": m.contract,
        "provider": m.provider,
        "by_month": m.by_month,
        "cumulative_usd": usd(m.cumulative_usd),
        "drawdown_usd": usd(m.drawdown_usd),
        "shortfall_usd": usd(m.shortfall_usd),
    }


def plan_to_dict(plan: Plan, scenario: Scenario, timings: bool = False) -> dict[str, Any]:
    cal = scenario.calendar
    doc: dict[str, Any] = {
        "schema": SCHEMA,
        "scenario": plan.scenario,
        "seed": plan.seed,
        "start_month": cal.anchor,
        "horizon_months": plan.horizon,
        "status": plan.status,
        "cost_total_usd": usd(plan.cost_total_usd),
        "cost_breakdown_usd": {k: usd(v) for k, v in sorted(plan.cost_breakdown_usd.items())},
        "lower_bound_usd": usd(plan.lower_bound_usd),
        "gap": float(plan.gap),
        "baseline_cost_usd": usd(plan.baseline_cost_usd),
        "awards": [_award(a) for a in plan.awards],
        "notices": [_notice(n) for n in plan.notices],
        "unmet": [_unmet(u) for u in plan.unmet],
        "ledger": [_ledger_row(r) for r in plan.ledger],
        "charges": [_charge(c) for c in plan.charges],
        "milestones": [_milestone(m) for m in plan.milestones],
        "infeasibilities": [
            {"rule": i.rule, "demand": i.demand, "months": list(i.months), "message": i.message}
            for i in plan.infeasibilities
        ],
        "protocol_rejections": list(plan.explanations),
        "check_violations": list(plan.check_violations),
        "baseline": {
            "awards": [_award(a) for a in plan.baseline_awards],
            "unmet": [_unmet(u) for u in plan.baseline_unmet],
            "cost_breakdown_usd": {k: usd(v) for k, v in sorted(plan.baseline_breakdown_usd.items())},
        },
    }
    if timings:
        doc["solve_seconds"] = round(plan.solve_seconds, 3)
    return doc


def plan_to_json(plan: Plan, scenario: Scenario, timings: bool = False) -> str:
    return dumps_plan(plan_to_dict(plan, scenario, timings))


def dumps_plan(doc: dict[str, Any]) -> str:
    """The plan JSON's bytes for its data (`plan_to_dict`): sorted keys, two-space indent, final newline."""
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"

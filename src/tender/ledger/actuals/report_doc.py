"""`tender actuals report --json`: plan vs actual as a stable document (schema tender.actuals/1).

Money is a JSON string of an exact decimal rounded half-even to cents, GPU-hours the exact decimal
text; `null` where a month has no actuals (from `as_of` on). Keys sorted, rows in (month, provider)
and (clause, month) order: the same inputs give the same bytes.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from tender.domain import Scenario
from tender.domain.money import cents
from tender.ledger.actuals.variance import Comparison

SCHEMA = "tender.actuals/1"


def usd(amount: Decimal | None) -> str | None:
    return None if amount is None else format(cents(amount), "f")


def qty(amount: Decimal | None) -> str | None:
    return None if amount is None else format(amount.normalize() if amount else Decimal(0), "f")


def comparison_to_dict(c: Comparison, sc: Scenario) -> dict[str, Any]:
    label = sc.calendar.label
    return {
        "schema": SCHEMA,
        "scenario": c.scenario,
        "as_of_month": c.as_of,
        "as_of": label(c.as_of),
        "fixed_months": list(range(1, min(c.as_of, sc.horizon + 1))),
        "rows_outside_horizon": c.outside_horizon,
        "provider_months": [
            {
                "provider": r.provider,
                "month": r.month,
                "period": label(r.month),
                "planned_usd": usd(r.planned_usd),
                "actual_usd": usd(r.actual_usd),
                "variance_usd": usd(r.variance_usd),
                "planned_gpu_hours": qty(r.planned_gpu_hours),
                "actual_gpu_hours": qty(r.actual_gpu_hours),
                "variance_gpu_hours": qty(r.variance_gpu_hours),
            }
            for r in c.rows
        ],
        "burn_down": [
            {
                "contract": b.clause,
                "month": b.month,
                "period": label(b.month),
                "total_usd": usd(b.total_usd),
                "planned_cumulative_usd": usd(b.planned_cumulative),
                "actual_cumulative_usd": usd(b.actual_cumulative),
                "projected_cumulative_usd": usd(b.projected_cumulative),
                "remaining_usd": usd(b.total_usd - b.projected_cumulative),
            }
            for b in c.burn
        ],
        "milestones": [
            {
                "contract": m.clause,
                "by_month": m.by_month,
                "due_usd": usd(m.due_usd),
                "planned_shortfall_usd": usd(m.planned_shortfall),
                "projected_cumulative_usd": usd(m.projected_cumulative),
                "projected_shortfall_usd": usd(m.projected_shortfall),
            }
            for m in c.milestones
        ],
    }


def comparison_json(c: Comparison, sc: Scenario) -> str:
    return json.dumps(comparison_to_dict(c, sc), indent=2, sort_keys=True) + "\n"

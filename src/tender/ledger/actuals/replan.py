"""`tender plan --actuals`: the months before `as_of` fixed to the actuals, as data for the planner.

1. `fixed_months(scenario, actuals, as_of)`: the contract engine's attribution (`drawdown`) of the
   actual spend before `as_of`; per commitment what was drawn by month `as_of - 1` and the shortfall
   charged at milestones before it -> `domain.rebase.FixedMonths` (the planner re-bases on it).
2. `fixed_section(...)`: the plan JSON's `fixed` object (docs/plan-json.md): the months, what each
   commitment drew and was charged, actual spend and GPU-hours per provider-month, and the capacity
   held (GPU-hours / hours per month, per provider x accelerator x region x month), and the pinned
   facts the re-plan honours (`pinned_runs`, `held_capacity`, `answered_notices`: `domain.pinned`);
3. `fixed_from_doc(doc)`: the `FixedMonths` a re-plan's JSON states, for `tender check`.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from tender.contracts import Spend, drawdown
from tender.domain import Scenario
from tender.domain.money import cents
from tender.domain.pinned import AnsweredNotice, HeldCapacity, PinnedRun
from tender.domain.rebase import Drawn, FixedMonths
from tender.ledger.actuals.variance import Actuals, period_month
from tender.ledger.sql.actuals_store import ActualLine
from tender.sourcing.clauses import ClauseView

ZERO = Decimal(0)


def fixed_months(sc: Scenario, actual: Actuals, as_of: int) -> FixedMonths:
    spend = [Spend(m, p, c, a) for (p, m, c), a in sorted(actual.spend.items()) if m < as_of and a]
    rows = drawdown(ClauseView.of(sc).commitments(), spend, sc.horizon)
    drawn: dict[str, Decimal] = {}
    charged: dict[str, Decimal] = {}
    for r in rows:
        if r.month < as_of:
            drawn[r.clause] = r.cumulative
            charged[r.clause] = charged.get(r.clause, ZERO) + r.shortfall
    return FixedMonths(as_of, tuple(Drawn(c, drawn[c], charged[c]) for c in sorted(drawn)))


def _usd(value: Decimal) -> str:
    return format(cents(value), "f")


def held(
    sc: Scenario, lines: Iterable[ActualLine], as_of: int, bill_wins: set[tuple[str, int]]
) -> list[dict[str, Any]]:
    hours: dict[tuple[str, str, str, int], Decimal] = {}
    for line in lines:
        m = period_month(sc, line.period)
        if not line.accelerator or not 1 <= m < as_of:
            continue
        if line.source == "runtime" and (line.provider, m) in bill_wins:
            continue
        key = (line.provider, line.accelerator, line.region, m)
        hours[key] = hours.get(key, ZERO) + line.gpu_hours
    per_month = Decimal(sc.calendar.hours_per_month)
    return [
        {
            "provider": p,
            "gpu": g,
            "region": r,
            "month": m,
            "gpus": format((h / per_month).quantize(Decimal("0.001")), "f"),
        }
        for (p, g, r, m), h in sorted(hours.items(), key=lambda kv: (kv[0][3], kv[0][0], kv[0][1], kv[0][2]))
    ]


def fixed_section(
    sc: Scenario, fixed: FixedMonths, actual: Actuals, capacity: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "as_of_month": fixed.as_of,
        "as_of": sc.calendar.label(fixed.as_of),
        "months": list(fixed.months),
        "commitments": [
            {
                "contract": d.contract,
                "drawn_usd": _usd(d.drawn_usd),
                "shortfall_charged_usd": _usd(d.charged_usd),
            }
            for d in fixed.drawn
        ],
        "actuals": [
            {
                "provider": p,
                "month": m,
                "billed_cost_usd": _usd(actual.billed[(p, m)]),
                "gpu_hours": format(actual.gpu_hours.get((p, m), ZERO), "f"),
            }
            for p, m in sorted(actual.billed, key=lambda k: (k[1], k[0]))
            if m < fixed.as_of
        ],
        "held": capacity,
        "pinned_runs": [
            {
                "run": r.run,
                "provider": r.provider,
                "gpu": r.gpu,
                "region": r.region,
                "start_month": r.start,
                "end_month": r.end,
            }
            for r in fixed.runs
        ],
        "held_capacity": [
            {
                "provider": h.provider,
                "gpu": h.gpu,
                "region": h.region,
                "gpus": h.gpus,
                "until_month": h.until,
                "clause": h.clause_id,
            }
            for h in fixed.held
        ],
        "answered_notices": [
            {
                "notice": n.notice,
                "demand": n.demand,
                "holder": n.holder,
                "exercised_gpus": n.exercised_gpus,
                "declined": n.declined,
                "decided_at": n.decided_at,
            }
            for n in fixed.notices
        ],
    }


def _int(value: Any, field: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"fixed.{field}: expected an integer")
    return value


def fixed_from_doc(doc: dict[str, Any]) -> FixedMonths:
    """The `FixedMonths` a re-plan's JSON states (`fixed.as_of_month`, `fixed.commitments`); KeyError /
    ValueError / TypeError on a malformed section (the caller names the field)."""
    section = doc["fixed"]
    drawn = tuple(
        Drawn(str(c["contract"]), Decimal(str(c["drawn_usd"])), Decimal(str(c["shortfall_charged_usd"])))
        for c in section["commitments"]
    )
    runs = tuple(
        PinnedRun(
            str(r["run"]),
            str(r["provider"]),
            str(r["gpu"]),
            str(r["region"]),
            _int(r["start_month"], "pinned_runs.start_month"),
            _int(r["end_month"], "pinned_runs.end_month"),
        )
        for r in section.get("pinned_runs", [])
    )
    held = tuple(
        HeldCapacity(
            str(h["provider"]),
            str(h["gpu"]),
            str(h["region"]),
            _int(h["gpus"], "held_capacity.gpus"),
            _int(h["until_month"], "held_capacity.until_month"),
        )
        for h in section.get("held_capacity", [])
    )
    notices = tuple(
        AnsweredNotice(
            str(n["notice"]),
            str(n["demand"]),
            str(n["holder"]),
            _int(n["exercised_gpus"], "answered_notices.exercised_gpus"),
            str(n["decided_at"]),
        )
        for n in section.get("answered_notices", [])
    )
    return FixedMonths(_int(section["as_of_month"], "as_of_month"), drawn, runs, held, notices)

"""What a plan JSON (`tender plan --json`, schema tender.plan/1) planned, per provider and month.

1. `planned_from_doc(doc, scenario, source)` reads the ledger rows (billed cost and GPU-hours per
   provider x month) and the awards; a missing or malformed field raises `ActualsError` naming the
   plan file and the field path (`ledger[3].billed_cost_usd`).
2. The spend lines commitments draw down from: per provider x month, the on-demand and spot awards
   (GPUs x rate x hours per month) are `compute_on_demand` / `compute_spot`; the rest of the month's
   billed cost (contract awards, reservations, holder blocks, take-or-pay) is `compute_contract`,
   as the planner's ledger projection categorises them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from tender.contracts import Spend
from tender.domain import Scenario
from tender.ledger.actuals.focus_read import ActualsError

ZERO = Decimal(0)
PM = tuple[str, int]
AWARD_CATEGORY = {"on_demand": "compute_on_demand", "spot": "compute_spot"}


@dataclass(frozen=True)
class Planned:
    billed: dict[PM, Decimal]
    gpu_hours: dict[PM, Decimal]
    spend: tuple[Spend, ...]


def _field(doc: dict[str, Any], key: str, where: str, source: str) -> Any:
    if not isinstance(doc, dict) or key not in doc:
        raise ActualsError(source, 0, f"{where}{key}" if where else key, "missing (not a tender plan JSON?)")
    return doc[key]


def _decimal(doc: dict[str, Any], key: str, where: str, source: str) -> Decimal:
    value = _field(doc, key, where, source)
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ActualsError(source, 0, f"{where}{key}", f"not a decimal: {value!r}") from None


def _int(doc: dict[str, Any], key: str, where: str, source: str) -> int:
    value = _field(doc, key, where, source)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ActualsError(source, 0, f"{where}{key}", f"expected an integer, got {value!r}")
    return value


def planned_from_doc(doc: dict[str, Any], scenario: Scenario, source: str) -> Planned:
    if _field(doc, "scenario", "", source) != scenario.id:
        raise ActualsError(source, 0, "scenario", f"plan of {doc['scenario']!r}, not of {scenario.id!r}")
    billed: dict[PM, Decimal] = {}
    hours: dict[PM, Decimal] = {}
    for i, row in enumerate(_field(doc, "ledger", "", source)):
        where = f"ledger[{i}]."
        key = (str(_field(row, "provider", where, source)), _int(row, "month", where, source))
        billed[key] = billed.get(key, ZERO) + _decimal(row, "billed_cost_usd", where, source)
        hours[key] = hours.get(key, ZERO) + _decimal(row, "gpu_hours", where, source)
    by_award: dict[tuple[str, int, str], Decimal] = {}
    per_month = Decimal(scenario.calendar.hours_per_month)
    for i, a in enumerate(_field(doc, "awards", "", source)):
        where = f"awards[{i}]."
        category = AWARD_CATEGORY.get(str(_field(a, "pricing", where, source)))
        if category is None:
            continue
        key3 = (str(_field(a, "provider", where, source)), _int(a, "month", where, source), category)
        amount = (
            _int(a, "gpus", where, source) * _decimal(a, "rate_usd_per_gpu_hour", where, source) * per_month
        )
        by_award[key3] = by_award.get(key3, ZERO) + amount
    spend: list[Spend] = []
    for (p, m), total in sorted(billed.items()):
        rest = total
        for category in sorted(AWARD_CATEGORY.values()):
            amount = by_award.get((p, m, category), ZERO)
            if amount:
                spend.append(Spend(m, p, category, amount))
                rest -= amount
        if rest:
            spend.append(Spend(m, p, "compute_contract", rest))
    return Planned(billed, hours, tuple(spend))

"""Which clauses are in force when: the scenario's contracts with its amendments applied.

Amendments take effect at the start of their `effective_month` and never reach back: a terminated
clause keeps its history up to the month before, a changed field applies from the amendment month
on, and an added clause starts no earlier than its amendment.
"""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from tender.domain import ChangeAction, Contract, Scenario


def clause_timeline(scenario: Scenario) -> tuple[Contract, ...]:
    """Every version of every clause, each with the month range in which that version is in force.

    A clause never amended appears once, unchanged. `terminate` at month M ends the clause at M-1;
    `set_field` at M splits it into the old version (..M-1) and a new one (M..); `add_contract`
    adds a clause starting no earlier than M. Order: scenario order, then amendment order.
    """
    versions: dict[str, list[Contract]] = {}
    for contract in scenario.contracts:
        versions.setdefault(contract.id, []).append(contract)
    for amendment in sorted(scenario.amendments, key=lambda a: (a.effective_month, a.id)):
        month = amendment.effective_month
        for change in amendment.changes:
            if change.action is ChangeAction.ADD_CONTRACT and change.contract is not None:
                added = change.contract
                if added.effective_from_month < month:
                    added = replace(added, effective_from_month=month)
                versions.setdefault(added.id, []).append(added)
                continue
            history = versions.get(change.contract_id)
            if not history:
                continue
            last = history[-1]
            if last.effective_to_month is not None and last.effective_to_month < month:
                continue  # already over: an amendment never reaches back
            if change.action is ChangeAction.TERMINATE:
                history.pop()
                if last.effective_from_month <= month - 1:
                    history.append(replace(last, effective_to_month=month - 1))
            elif change.action is ChangeAction.SET_FIELD and change.field:
                # the whole new version, as the config layer converted it (or the field set by name)
                new = (
                    change.contract
                    if change.contract is not None
                    else _with_field(last, change.field, change.value)
                )
                start = max(last.effective_from_month, month)
                if last.effective_from_month >= month:
                    history.pop()
                else:
                    history[-1] = replace(last, effective_to_month=month - 1)
                history.extend(_ranged(new, last, change.field, start))
    return tuple(v for history in versions.values() for v in history)


def _ranged(new: Contract, last: Contract, field: str, start: int) -> list[Contract]:
    """The changed version runs from `start` to the old version's end, unless the change sets
    `effective_to_month` (its value) or `effective_from_month` (no earlier than its value)."""
    end = new.effective_to_month if field == "effective_to_month" else last.effective_to_month
    first = max(new.effective_from_month, start) if field == "effective_from_month" else start
    if end is not None and end < first:
        return []
    return [replace(new, effective_from_month=first, effective_to_month=end)]


def clauses_at(scenario: Scenario, when: int | datetime) -> tuple[Contract, ...]:
    """The clauses in force in horizon month `when` (or the month containing instant `when`)."""
    month = scenario.calendar.month_of(when) if isinstance(when, datetime) else when
    return tuple(c for c in clause_timeline(scenario) if c.effective_in(month))


def _with_field(contract: Contract, name: str, value: Any) -> Contract:
    """`contract` with field `name` set to `value`, coerced to the type of the current value."""
    known = {f.name for f in fields(contract)}
    if name not in known:
        return contract
    current = getattr(contract, name)
    coerced: Any = value
    if isinstance(current, bool):
        coerced = bool(value)
    elif isinstance(current, Enum):
        coerced = type(current)(value)
    elif isinstance(current, int):
        coerced = int(value)
    elif isinstance(current, Decimal):
        coerced = Decimal(str(value))
    elif isinstance(current, tuple) and isinstance(value, list):
        coerced = tuple(value)
    return replace(contract, **{name: coerced})

"""The checker's own clause timeline: the scenario's clauses with its amendments applied (spec §0).

Written independently of `tender.contracts`: each clause id becomes a list of versions, each with
its own inclusive month range; an amendment at month M never changes a month before M.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TypeVar

from tender.domain import Amendment, Change, ChangeAction, Contract, Rofr, Scenario

C = TypeVar("C", bound=Contract)


def _in_force(version: Contract, month: int) -> bool:
    return version.effective_from_month <= month and (
        version.effective_to_month is None or month <= version.effective_to_month
    )


def _ended_before(version: Contract, month: int) -> bool:
    return version.effective_to_month is not None and version.effective_to_month < month


def _set_by_name(version: Contract, change: Change) -> Contract:
    names = {f.name for f in dataclasses.fields(version)}
    if change.field is None or change.field not in names or change.field in ("id", "type"):
        return version
    return replace(version, **{change.field: change.value})


class _Builder:
    """Versions per clause id, in the order they were created (the last one is the latest)."""

    def __init__(self, contracts: Iterable[Contract]) -> None:
        self.versions: dict[str, list[Contract]] = {}
        for contract in contracts:
            self.versions.setdefault(contract.id, []).append(contract)

    def apply(self, amendment: Amendment) -> None:
        for change in amendment.changes:
            if change.action is ChangeAction.ADD_CONTRACT and change.contract is not None:
                self._add(change.contract, amendment.effective_month)
            elif change.action is ChangeAction.TERMINATE:
                self._terminate(change.contract_id, amendment.effective_month)
            elif change.action is ChangeAction.SET_FIELD:
                self._set_field(change, amendment.effective_month)

    def _add(self, clause: Contract, month: int) -> None:
        start = max(clause.effective_from_month, month)
        self.versions.setdefault(clause.id, []).append(replace(clause, effective_from_month=start))

    def _terminate(self, clause_id: str, month: int) -> None:
        versions = self.versions.get(clause_id)
        if not versions or _ended_before(versions[-1], month):
            return
        if versions[-1].effective_from_month >= month:
            versions.pop()
        else:
            versions[-1] = replace(versions[-1], effective_to_month=month - 1)

    def _set_field(self, change: Change, month: int) -> None:
        versions = self.versions.get(change.contract_id)
        if not versions or _ended_before(versions[-1], month):
            return
        latest = versions[-1]
        new = change.contract if change.contract is not None else _set_by_name(latest, change)
        if latest.effective_from_month >= month:
            versions.pop()
            versions.extend(_ranged(new, latest, change.field, latest.effective_from_month))
            return
        versions[-1] = replace(latest, effective_to_month=month - 1)
        versions.extend(_ranged(new, latest, change.field, month))


def _ranged(new: Contract, latest: Contract, field: str | None, start: int) -> list[Contract]:
    """The new version's months: from `start` to the latest version's end, unless the change sets
    `effective_to_month` (then its value) or `effective_from_month` (then no earlier than it)."""
    end = new.effective_to_month if field == "effective_to_month" else latest.effective_to_month
    first = max(new.effective_from_month, start) if field == "effective_from_month" else start
    if end is not None and end < first:
        return []
    return [replace(new, effective_from_month=first, effective_to_month=end)]


@dataclass(frozen=True)
class Timeline:
    """Every clause version, grouped by clause id (ids in first-seen order)."""

    by_id: dict[str, tuple[Contract, ...]]
    horizon: int
    by_month: dict[int, tuple[Contract, ...]]  # months 1..horizon, precomputed

    def ids(self) -> tuple[str, ...]:
        return tuple(self.by_id)

    def versions(self) -> tuple[Contract, ...]:
        return tuple(v for versions in self.by_id.values() for v in versions)

    def versions_of(self, clause_id: str) -> tuple[Contract, ...]:
        return self.by_id.get(clause_id, ())

    def in_force(self, month: int) -> tuple[Contract, ...]:
        """Every version in force in `month`."""
        cached = self.by_month.get(month)
        return cached if cached is not None else tuple(v for v in self.versions() if _in_force(v, month))

    def of_type(self, kind: type[C], month: int) -> tuple[C, ...]:
        return tuple(v for v in self.in_force(month) if isinstance(v, kind))

    def version_in_force(self, clause_id: str, month: int) -> Contract | None:
        for version in self.versions_of(clause_id):
            if _in_force(version, month):
                return version
        return None

    def rights(self, month: int) -> tuple[Rofr, ...]:
        """The priority rights (ROFR and first-ship; `FirstShip` is a `Rofr`) in force in `month`."""
        return self.of_type(Rofr, month)

    def last_right_month(self, holder: str) -> int:
        """The last horizon month in which a right held by `holder` is in force (0 if none)."""
        months = [m for m in range(1, self.horizon + 1) for r in self.rights(m) if r.holder == holder]
        return max(months, default=0)


def build_timeline(scenario: Scenario) -> Timeline:
    """Apply the amendments sorted by (effective month, id), each change in order."""
    builder = _Builder(scenario.contracts)
    for amendment in sorted(scenario.amendments, key=lambda a: (a.effective_month, a.id)):
        builder.apply(amendment)
    by_id = {cid: tuple(vs) for cid, vs in builder.versions.items() if vs}
    every = [v for versions in by_id.values() for v in versions]
    by_month = {m: tuple(v for v in every if _in_force(v, m)) for m in scenario.calendar.months()}
    return Timeline(by_id, scenario.horizon, by_month)


def in_force(version: Contract, month: int) -> bool:
    """Whether a clause version is in force in `month` (its own inclusive range; None = open)."""
    return _in_force(version, month)

"""Amendments replayed the way `tender.contracts.clause_timeline` applies them, checked on the way.

Flow (`check_amendments`):
1. the clauses of `contracts:` are the first versions, in list order;
2. amendments apply by (effective_month, id), the timeline's order; the changes of one in list order;
3. `terminate` and `set_field` must name a clause that exists by then and is still in force;
   `add_contract` must not reuse the id of a clause still in force, nor end before its month;
4. a `set_field` must make a valid clause, and every problem its new version has that the old one
   had not (an unknown id, milestones above the total...) is reported at its `value`;
5. each version keeps the months the timeline gives it; two rights of one type, holder and scope
   must not overlap on that timeline (reported where the later-written of the two is written).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from itertools import count

from pydantic import ValidationError

from tender.config.clause_refs import check_clause
from tender.config.errors import FieldPath, data_path, format_path
from tender.config.findings import Findings, Names, check_month, one_of
from tender.config.schema import ScenarioIn
from tender.config.schema_contracts import (
    ChangeIn,
    ClauseIn,
    FirstShipIn,
    PriorityRightIn,
    amendment_order,
    settable_fields,
    with_field,
)

OPEN = 10**9  # the last month of an open-ended clause


@dataclass(frozen=True)
class Version:
    """One version of a clause and the months the timeline has it in force."""

    clause: ClauseIn
    start: int
    end: int | None
    at: FieldPath  # where a problem of this version (an overlap) is reported
    seq: int  # order written: contracts first, then changes in the order they apply

    @property
    def empty(self) -> bool:
        return self.end is not None and self.end < self.start

    @property
    def last(self) -> int:
        return OPEN if self.end is None else self.end

    def overlaps(self, other: Version) -> bool:
        return self.start <= other.last and other.start <= self.last

    def ended_before(self, month: int) -> bool:
        return self.end is not None and self.end < month


@dataclass
class Replay:
    """The state of replaying the amendments over the clauses: each clause's current version, its end
    and history, and the findings so far."""

    names: Names
    out: Findings
    added_by: dict[str, str]  # clause id -> the amendment that adds it
    current: dict[str, ClauseIn] = field(default_factory=dict)  # latest version, as convert.py has it
    ends: dict[str, int | None] = field(default_factory=dict)  # last month in force (None: open)
    history: dict[str, list[Version]] = field(default_factory=dict)  # as clause_timeline builds it
    serial: count[int] = field(default_factory=count)

    def push(self, clause: ClauseIn, start: int, end: int | None, at: FieldPath) -> None:
        version = Version(clause, start, end, at, next(self.serial))
        self.history.setdefault(clause.id, []).append(version)

    def versions(self) -> list[Version]:
        return sorted((v for h in self.history.values() for v in h), key=lambda v: v.seq)

    def apply(self, change: ChangeIn, month: int, path: FieldPath, added: ClauseIn | None) -> None:
        if change.action == "add_contract":
            if added is not None:
                self.add(added, month, path)
            return
        cid = str(change.contract)
        if not self.in_force(cid, month, (*path, "contract")):
            return
        if change.action == "terminate":
            self.terminate(cid, month)
        else:
            self.set_field(cid, str(change.field), change.value, month, path)

    def in_force(self, cid: str, month: int, path: FieldPath) -> bool:
        if cid not in self.ends:
            self.out.add(path, self.unknown(cid))
            return False
        end = self.ends[cid]
        if end is not None and end < month - 1:
            self.out.add(
                path, f"contract '{cid}' already ended in month {end}, before this amendment's month {month}"
            )
            return False
        return True

    def unknown(self, cid: str) -> str:
        if cid in self.added_by:
            return (
                f"contract '{cid}' does not exist yet: it is added by amendment '{self.added_by[cid]}', "
                "which applies after this one (amendments apply by effective_month, then id)"
            )
        return one_of("contract", cid, self.ends)

    def terminate(self, cid: str, month: int) -> None:
        self.ends[cid] = month - 1
        history = self.history.get(cid)
        if not history or history[-1].ended_before(month):
            return  # the timeline leaves it as it is too
        last = history.pop()
        if last.start <= month - 1:
            history.append(replace(last, end=month - 1))

    def add(self, clause: ClauseIn, month: int, path: FieldPath) -> None:
        cid, end = clause.id, clause.effective_to_month
        previous = self.ends.get(cid, -1)
        if cid in self.ends and (previous is None or previous >= month):
            self.out.add(
                (*path, "contract", "id"),
                f"contract '{cid}' is still in effect in month {month} (overlapping ranges; use a new id)",
            )
        if end is not None and clause.effective_from_month <= end < month:
            self.out.add(
                (*path, "contract", "effective_to_month"),
                f"ends (month {end}) before its amendment takes effect (month {month}); "
                "an added clause starts with its amendment",
            )
        self.ends[cid] = end
        self.current[cid] = clause
        self.push(
            clause, max(month, clause.effective_from_month), end, (*path, "contract", "effective_from_month")
        )

    def set_field(self, cid: str, name: str, value: object, month: int, path: FieldPath) -> None:
        old = self.current[cid]
        new = _new_version(old, name, value, path, self.out)
        if new is None:
            return
        end = new.effective_to_month
        if name == "effective_to_month" and end is not None and end < month - 1:
            self.out.add(
                (*path, "value"),
                f"an amendment never reaches back: month {end} is before this amendment's month "
                f"{month} (end it in month {month - 1} or later)",
            )
            return
        self.report_new_problems(old, new, name, (*path, "value"))
        self.current[cid] = new
        self.split(new, name, month, (*path, "value"))

    def report_new_problems(self, old: ClauseIn, new: ClauseIn, name: str, at: FieldPath) -> None:
        before = set(_problems_of(old, self.names))
        for rel, message in _problems_of(new, self.names):
            if (rel, message) in before:
                continue
            if rel[:1] == (name,):
                self.out.add((*at, *rel[1:]), message)
            else:
                self.out.add(at, f"with {name} set, {new.id}.{format_path(rel)}: {message}")

    def split(self, new: ClauseIn, name: str, month: int, at: FieldPath) -> None:
        """The old version ends the month before; the new one runs from `month` (as in the timeline;
        a set `effective_from_month` / `effective_to_month` moves the new version's start / end)."""
        history = self.history.get(new.id)
        if not history or history[-1].ended_before(month):
            return  # already over: the timeline ignores the change
        last = history[-1]
        start = max(month, new.effective_from_month if name == "effective_from_month" else last.start)
        end = new.effective_to_month if name == "effective_to_month" else last.end
        if last.start >= month:
            history.pop()
        else:
            history[-1] = replace(last, end=month - 1)
        self.push(new, start, end, at)
        if name == "effective_to_month":
            self.ends[new.id] = end


def check_amendments(
    sc: ScenarioIn,
    contracts: list[tuple[int, ClauseIn]],
    added: dict[int, dict[int, ClauseIn]],
    names: Names,
    out: Findings,
) -> None:
    added_by = {c.id: sc.amendments[i].id for i, row in sorted(added.items()) for c in row.values()}
    replay = Replay(names, out, added_by)
    for index, c in contracts:
        replay.current[c.id] = c
        replay.ends[c.id] = c.effective_to_month
        replay.push(
            c, c.effective_from_month, c.effective_to_month, ("contracts", index, "effective_from_month")
        )
    for i, amendment in amendment_order(sc.amendments):
        base: FieldPath = ("amendments", i)
        check_month(out, (*base, "effective_month"), amendment.effective_month, names)
        for j, change in enumerate(amendment.changes):
            replay.apply(change, amendment.effective_month, (*base, "changes", j), added.get(i, {}).get(j))
    _check_right_overlaps(replay.versions(), out)


def _new_version(old: ClauseIn, name: str, value: object, path: FieldPath, out: Findings) -> ClauseIn | None:
    """`set_field` may change any field of the clause but its id and type, to a value of the right type."""
    fields = settable_fields(old)
    if name not in fields:
        out.add((*path, "field"), f"'{name}' is not a field of {old.id} (one of: {', '.join(fields)})")
        return None
    try:
        return with_field(old, name, value)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(first["loc"])
        inner = data_path(value, loc[1:]) if loc[:1] == (name,) else ()
        message = str(first["msg"]).removeprefix("Value error, ")
        out.add((*path, "value", *inner), f"not a valid {name} for {old.id}: {message} (got {value!r})")
        return None


def _problems_of(clause: ClauseIn, names: Names) -> list[tuple[FieldPath, str]]:
    found = Findings()
    check_clause(clause, (), names, found)
    return found.items


def _check_right_overlaps(versions: list[Version], out: Findings) -> None:
    rights = [v for v in versions if isinstance(v.clause, PriorityRightIn) and not v.empty]
    reported: set[tuple[FieldPath, str]] = set()
    for n, first in enumerate(rights):
        for later in rights[n + 1 :]:
            if not _same_right(first, later) or (later.at, first.clause.id) in reported:
                continue
            reported.add((later.at, first.clause.id))
            right = first.clause
            assert isinstance(right, PriorityRightIn)
            out.add(
                later.at,
                f"overlaps '{right.id}' (the same {_kind(right)} for {right.holder}, months "
                f"{first.start}..{first.end or 'end'}); end one before the other starts",
            )


def _same_right(a: Version, b: Version) -> bool:
    x, y = a.clause, b.clause
    return (
        isinstance(x, PriorityRightIn)
        and isinstance(y, PriorityRightIn)
        and type(x) is type(y)
        and x.holder == y.holder
        and x.id != y.id
        and a.overlaps(b)
        and _scope(x) == _scope(y)
    )


def _scope(c: PriorityRightIn) -> tuple[list[str], ...]:
    workloads = [*c.workloads, *(c.products if isinstance(c, FirstShipIn) else ())]
    return sorted(workloads), sorted(c.workload_classes), sorted(c.gpus), sorted(c.regions)


def _kind(c: PriorityRightIn) -> str:
    return "first_ship" if isinstance(c, FirstShipIn) else "rofr"

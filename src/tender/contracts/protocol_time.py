"""Time-driven transitions of the protocol: expiries, close-window revivals and clause ends.

`advance(state, now)` fires, in time order, every timer that fell due before `now`:
1. an open notice whose deadline is strictly before `now` expires (deemed declined, or deemed
   exercised when the clause says so) — a response exactly at the deadline is still on time;
2. released capacity not signed by `close_by` (strictly before `now`) revives the right: a new
   notice for the unsigned GPUs, issued at `close_by`;
3. a right that ends (amendment, effective range) at or before `now` withdraws its open notices and
   closes its windows.
Timers fire at their own instant, so the outcome does not depend on how often time is ticked.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal

from tender.contracts.protocol_types import (
    Award,
    Event,
    Notice,
    RofrState,
    iso,
    money_text,
)
from tender.contracts.rights import NoticeStatus, Right
from tender.domain import OnExpiry


def right_end(state: RofrState, clause: str) -> datetime | None:
    """When the right `clause` stops being in force for good (None = never within the data)."""
    ends = [w.end for w in state.rights if w.clause.id == clause]
    if not ends or any(e is None for e in ends):
        return None
    return max(e for e in ends if e is not None)


def issue_notice(
    state: RofrState,
    right: Right,
    need_id: str,
    at: datetime,
    gpus: int,
    price: Decimal,
    cause: str,
    best: tuple[Decimal, str] | None = None,
) -> tuple[RofrState, Event]:
    """A new open notice for `need_id` to `right.holder`, deadline = `at` + response window."""
    n = len(state.notices_for(need_id, right.id)) + 1
    notice = Notice(
        id=f"{right.id}:{need_id}:{n}",
        need=need_id,
        holder=right.holder,
        clause=right.id,
        right=right,
        issued_at=at,
        deadline=at + timedelta(days=right.response_window_days),
        gpus=gpus,
        price=price,
        best_quote=best[0] if best else None,
        best_quote_provider=best[1] if best else None,
        cause=cause,
    )
    event = Event(
        at,
        "notice_issued",
        right.id,
        need_id,
        notice.id,
        (
            ("best_quote", money_text(notice.best_quote)),
            ("cause", cause),
            ("deadline", iso(notice.deadline)),
            ("gpus", str(gpus)),
            ("holder", right.holder),
            ("kind", notice.kind),
            ("price", money_text(price)),
        ),
    )
    return replace(state, notices=(*state.notices, notice)), event


def replace_notice(state: RofrState, notice: Notice) -> RofrState:
    return replace(state, notices=tuple(notice if n.id == notice.id else n for n in state.notices))


def _due(state: RofrState, now: datetime) -> tuple[datetime, int, Notice] | None:
    """The earliest timer due before `now`: (time, kind 0=end 1=expiry 2=revival, notice)."""
    best: tuple[datetime, int, str, Notice] | None = None
    for notice in state.notices:
        candidates: list[tuple[datetime, int]] = []
        end = right_end(state, notice.clause)
        if end is not None and end <= now and (notice.status is NoticeStatus.OPEN or notice.window_open):
            candidates.append((end, 0))
        if notice.status is NoticeStatus.OPEN and notice.deadline < now:
            candidates.append((notice.deadline, 1))
        if notice.window_open and notice.close_by is not None and notice.close_by < now:
            candidates.append((notice.close_by, 2))
        for when, kind in candidates:
            key = (when, kind, notice.id, notice)
            if best is None or key[:3] < best[:3]:
                best = key
    return None if best is None else (best[0], best[1], best[3])


def advance(state: RofrState, now: datetime) -> tuple[RofrState, list[Event]]:
    """Fire every timer due before `now` in time order (see the module docstring)."""
    events: list[Event] = []
    while (due := _due(state, now)) is not None:
        when, kind, notice = due
        if kind == 0:
            state = withdraw(state, notice, when, "clause_ended", events)
        elif kind == 1:
            state = _expire(state, notice, events)
        else:
            state = _revive(state, notice, when, "not_signed_in_time", events)
    return state, events


def withdraw(state: RofrState, notice: Notice, at: datetime, why: str, events: list[Event]) -> RofrState:
    """The right ended: an open notice is withdrawn; a release window closes with no revival."""
    if notice.status is NoticeStatus.OPEN:
        notice = replace(notice, status=NoticeStatus.WITHDRAWN, resolved_at=at)
        events.append(Event(at, "notice_withdrawn", notice.clause, notice.need, notice.id, (("why", why),)))
    else:
        notice = replace(notice, window_closed=True)
        events.append(
            Event(at, "release_window_closed", notice.clause, notice.need, notice.id, (("why", why),))
        )
    return replace_notice(state, notice)


def _expire(state: RofrState, notice: Notice, events: list[Event]) -> RofrState:
    at = notice.deadline
    right = notice.right
    need = state.needs.get(notice.need)
    left = (need.gpus if need else 0) - sum(a.gpus for a in state.awards if a.need == notice.need)
    gpus = min(notice.gpus, left)  # never award more than the need still lacks
    if right.on_expiry is OnExpiry.DEEMED_EXERCISED and gpus > 0:
        status = NoticeStatus.EXERCISED if gpus == notice.gpus else NoticeStatus.PARTIALLY_EXERCISED
        partial = status is NoticeStatus.PARTIALLY_EXERCISED  # the rest is released, as on a partial answer
        close_by = at + timedelta(days=right.third_party_close_window_days) if partial else None
        notice = replace(
            notice,
            status=status,
            exercised_gpus=gpus,
            released_gpus=notice.gpus - gpus,
            resolved_at=at,
            close_by=close_by,
        )
        award = Award(notice.need, notice.holder, gpus, notice.price, notice.clause, notice.id, at)
        events.append(
            Event(at, "notice_expired", notice.clause, notice.need, notice.id, (("deemed", "exercised"),))
        )
        events.append(award_event(award))
        return replace(replace_notice(state, notice), awards=(*state.awards, award))
    notice = replace(
        notice,
        status=NoticeStatus.EXPIRED,
        released_gpus=notice.gpus,
        resolved_at=at,
        close_by=at + timedelta(days=right.third_party_close_window_days),
    )
    events.append(
        Event(
            at,
            "notice_expired",
            notice.clause,
            notice.need,
            notice.id,
            (
                ("close_by", iso(notice.close_by or at)),
                ("deemed", "declined"),
                ("released_gpus", str(notice.gpus)),
            ),
        )
    )
    return replace_notice(state, notice)


def _revive(state: RofrState, notice: Notice, at: datetime, why: str, events: list[Event]) -> RofrState:
    """Released capacity was not signed in time (or the deal fell through): the right revives."""
    state = replace_notice(state, replace(notice, window_closed=True))
    right = state.right_at(notice.clause, at)
    if right is None or notice.unsigned_gpus <= 0:
        events.append(
            Event(at, "release_window_closed", notice.clause, notice.need, notice.id, (("why", why),))
        )
        return state
    if right.response_window_days + right.third_party_close_window_days == 0 and why == "not_signed_in_time":
        events.append(
            Event(
                at, "release_window_closed", notice.clause, notice.need, notice.id, (("why", "zero_windows"),)
            )
        )
        return state
    events.append(
        Event(
            at,
            "right_revived",
            notice.clause,
            notice.need,
            notice.id,
            (("gpus", str(notice.unsigned_gpus)), ("why", why)),
        )
    )
    best = (notice.best_quote, notice.best_quote_provider or "") if notice.best_quote is not None else None
    state, event = issue_notice(
        state, right, notice.need, at, notice.unsigned_gpus, notice.price, "revival", best
    )
    events.append(event)
    return state


def revive_now(state: RofrState, notice: Notice, at: datetime, why: str, events: list[Event]) -> RofrState:
    """Revive the right at `at` (e.g. the third-party deal fell through)."""
    return _revive(state, notice, at, why, events)


def award_event(award: Award) -> Event:
    return Event(
        award.at,
        "award",
        award.clause,
        award.need,
        award.notice,
        (("gpus", str(award.gpus)), ("price", money_text(award.price)), ("provider", award.provider)),
    )

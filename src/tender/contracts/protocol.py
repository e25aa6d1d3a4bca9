"""The ROFR / first-ship protocol as a pure state machine: `step(state, command, now)`.

One step, in order:
1. a command dated before the last one is refused (`time_went_backwards`);
2. every timer due before `now` fires (`protocol_time.advance`: expiries, revivals, clause ends);
3. the command is applied by its handler; a refused command leaves the state unchanged except for
   the `rejected` list, and emits a `command_rejected` event naming the reason and the clause;
4. the new state and the events (in order, each naming its clause) are returned.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from tender.contracts.eligibility import carve_out_for, in_right_scope
from tender.contracts.need import Need, Reason
from tender.contracts.protocol_rules import (
    Refused,
    RefusedWithState,
    best_quote,
    fell_through,
    holders,
    refresh_terms,
    respond,
    signed,
)
from tender.contracts.protocol_time import (
    advance,
    issue_notice,
    withdraw,
)
from tender.contracts.protocol_types import (
    ClauseTerminated,
    Command,
    Event,
    HolderResponse,
    NewNeed,
    Quote,
    QuoteReceived,
    Rejection,
    RightWindow,
    RofrState,
    ThirdPartyFellThrough,
    ThirdPartySigned,
    Tick,
    money_text,
)
from tender.contracts.rights import NoticeStatus
from tender.contracts.timeline import clause_timeline
from tender.domain import MatchMode, Rofr, Scenario


def initial_state(scenario: Scenario) -> RofrState:
    """An empty protocol state for `scenario`: every version of every ROFR / first-ship clause,
    with the instants it is in force (amendments applied, month boundaries at 00:00 UTC)."""
    cal = scenario.calendar
    rights = tuple(
        RightWindow(
            c,
            cal.month_start(c.effective_from_month),
            None if c.effective_to_month is None else cal.month_start(c.effective_to_month + 1),
        )
        for c in clause_timeline(scenario)
        if isinstance(c, Rofr)
    )
    return RofrState(scenario=scenario, rights=rights)


def command_name(command: Command) -> str:
    return {
        NewNeed: "need",
        QuoteReceived: "quote",
        HolderResponse: "respond",
        Tick: "tick",
        ThirdPartySigned: "signed",
        ThirdPartyFellThrough: "fell_through",
        ClauseTerminated: "terminate",
    }[type(command)]


def step(state: RofrState, command: Command, now: datetime) -> tuple[RofrState, list[Event]]:
    """Apply `command` at instant `now` (UTC). Returns the new state and the events it caused."""
    need_id = _need_of(command)
    if state.now is not None and now < state.now:
        return _reject(
            state,
            command,
            now,
            need_id,
            Refused(Reason.TIME_WENT_BACKWARDS, None, "command dated before the previous one"),
            [],
        )
    state, events = advance(state, now)
    state = replace(state, now=now)
    try:
        if isinstance(command, NewNeed):
            state = _new_need(state, command, now, events)
        elif isinstance(command, QuoteReceived):
            state = _quote(state, command, now, events)
        elif isinstance(command, HolderResponse):
            state = respond(state, command, now, events)
        elif isinstance(command, ThirdPartySigned):
            state = signed(state, command, now, events)
        elif isinstance(command, ThirdPartyFellThrough):
            state = fell_through(state, command, now, events)
        elif isinstance(command, ClauseTerminated):
            state = _terminate(state, command, now, events)
    except RefusedWithState as refused:
        return _reject(refused.state, command, now, need_id, refused, events)
    except Refused as refused:
        return _reject(state, command, now, need_id, refused, events)
    return state, events


def _need_of(command: Command) -> str | None:
    if isinstance(command, NewNeed):
        return command.need.id
    if isinstance(command, (Tick, ClauseTerminated)):
        return None
    return command.need


def _reject(
    state: RofrState,
    command: Command,
    now: datetime,
    need: str | None,
    refused: Refused,
    events: list[Event],
) -> tuple[RofrState, list[Event]]:
    name = command_name(command)
    rejection = Rejection(now, name, need, refused.reason, refused.clause, refused.message)
    events.append(
        Event(
            now,
            "command_rejected",
            refused.clause,
            need,
            None,
            (("command", name), ("reason", refused.reason)),
        )
    )
    return replace(state, rejected=(*state.rejected, rejection)), events


def _new_need(state: RofrState, cmd: NewNeed, now: datetime, events: list[Event]) -> RofrState:
    need = cmd.need
    if need.id in state.needs:
        raise Refused(Reason.DUPLICATE_NEED, None, f"need '{need.id}' already exists")
    if need.gpus <= 0 or need.months <= 0:
        raise Refused(Reason.INVALID_QUANTITY, None, "gpus and months must be positive")
    state = replace(state, needs={**state.needs, need.id: need})
    events.append(
        Event(
            now,
            "need_registered",
            None,
            need.id,
            None,
            (("gpus", str(need.gpus)), ("price", money_text(need.price))),
        )
    )
    seen: set[str] = set()
    use_from, use_to = _use_window(state, need)
    for window in state.rights:
        right = window.clause
        if (
            right.id in seen
            or not window.covers(now)
            or not _in_force_during(state, right.id, use_from, use_to)
        ):
            continue
        seen.add(right.id)
        if right.holder == need.third_party:
            continue  # a right never binds its own holder: the holder is not a third party here
        if not in_right_scope(right, need, need.third_party):
            carve = carve_out_for(right, need, need.third_party)
            if carve is not None:
                events.append(Event(now, "carved_out", right.id, need.id, None, (("carve_out", carve),)))
            continue
        best = best_quote(state, need.id) if right.match_mode is MatchMode.MATCH_BEST_OFFER else None
        price = best[0] if best else need.price
        state, event = issue_notice(state, right, need.id, now, need.gpus, price, "need", best)
        events.append(event)
    return state


def _use_window(state: RofrState, need: Need) -> tuple[datetime, datetime]:
    """The instants the need's capacity is used: its start month to the end of its last month."""
    cal = state.scenario.calendar
    start = need.start_month(cal)
    return cal.month_start(start), cal.month_start(start + need.months)


def _in_force_during(state: RofrState, clause: str, start: datetime, end: datetime) -> bool:
    """A right binds a need only if it is in force in some month the capacity is used."""
    return any(w.clause.id == clause and w.overlaps(start, end) for w in state.rights)


def _quote(state: RofrState, cmd: QuoteReceived, now: datetime, events: list[Event]) -> RofrState:
    if cmd.need not in state.needs:
        raise Refused(Reason.UNKNOWN_NEED, None, f"no need '{cmd.need}'")
    if cmd.gpus <= 0 or cmd.price < 0:
        raise Refused(Reason.INVALID_QUANTITY, None, "a quote needs positive gpus and a price >= 0")
    if cmd.provider in holders(state, cmd.need):
        raise Refused(
            Reason.NOT_A_THIRD_PARTY, None, f"{cmd.provider} holds the right; it answers the notice"
        )
    quotes = tuple(q for q in state.quotes if not (q.need == cmd.need and q.provider == cmd.provider))
    state = replace(state, quotes=(*quotes, Quote(cmd.need, cmd.provider, cmd.price, cmd.gpus, now)))
    events.append(
        Event(
            now,
            "quote_received",
            None,
            cmd.need,
            None,
            (("gpus", str(cmd.gpus)), ("price", money_text(cmd.price)), ("provider", cmd.provider)),
        )
    )
    return refresh_terms(state, cmd.need, now, events)


def _terminate(state: RofrState, cmd: ClauseTerminated, now: datetime, events: list[Event]) -> RofrState:
    windows = [w for w in state.rights if w.clause.id == cmd.clause]
    if not windows:
        raise Refused(Reason.UNKNOWN_CLAUSE, cmd.clause, f"no ROFR or first-ship clause '{cmd.clause}'")
    rights = tuple(
        w if w.clause.id != cmd.clause else replace(w, end=now if w.end is None else min(w.end, now))
        for w in state.rights
        if w.clause.id != cmd.clause or w.start < now
    )
    state = replace(state, rights=rights)
    events.append(Event(now, "clause_terminated", cmd.clause, None, None, (("amendment", cmd.amendment),)))
    for notice in list(state.notices):
        if notice.clause == cmd.clause and (notice.status is NoticeStatus.OPEN or notice.window_open):
            state = withdraw(state, notice, now, "clause_terminated", events)
    return state

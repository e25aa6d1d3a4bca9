"""Rules for answers and deals: holder responses, third-party deals, fall-throughs, quote terms.

- `respond`: decline, exercise all, or exercise part (only if allowed, in whole minimum blocks),
  never more than noticed nor more than the need still lacks; late answers are refused;
- `signed`: a third-party deal must pass residency and exclusivity in every month of its use, then
  every right that noticed
  the need: an open notice refuses (`..._pending`), a full exercise refuses, released capacity
  allows up to the unsigned GPUs, and a price above the offered terms by more than
  `reoffer_if_terms_improve_pct` refuses and re-offers the holder at that price first;
- `fell_through`: a cancelled deal revives the right at once for the GPUs no longer signed.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal

from tender.contracts.eligibility import carve_out_for, static_verdict_in_use
from tender.contracts.need import Reason
from tender.contracts.protocol_time import award_event, issue_notice, replace_notice, revive_now
from tender.contracts.protocol_types import (
    Award,
    Event,
    HolderResponse,
    Notice,
    RofrState,
    ThirdPartyFellThrough,
    ThirdPartySigned,
    money_text,
)
from tender.contracts.rights import NoticeStatus
from tender.domain import FirstShip, MatchMode

HUNDRED = Decimal(100)


class Refused(Exception):
    def __init__(self, reason: str, clause: str | None, message: str) -> None:
        super().__init__(message)
        self.reason, self.clause, self.message = reason, clause, message


def best_quote(state: RofrState, need_id: str) -> tuple[Decimal, str] | None:
    quotes = sorted((q.price, q.provider) for q in state.quotes if q.need == need_id)
    return quotes[0] if quotes else None


def holders(state: RofrState, need_id: str) -> set[str]:
    return {n.holder for n in state.notices_for(need_id)}


def refresh_terms(state: RofrState, need_id: str, now: datetime, events: list[Event]) -> RofrState:
    """Open match-best-offer notices carry the best third-party quote as their terms."""
    best = best_quote(state, need_id)
    for notice in state.notices_for(need_id):
        if (
            notice.status is not NoticeStatus.OPEN
            or notice.right.match_mode is not MatchMode.MATCH_BEST_OFFER
        ):
            continue
        price = best[0] if best else state.needs[need_id].price
        if notice.cause == "reoffer":
            continue
        if (notice.best_quote, notice.price) == ((best[0] if best else None), price):
            continue
        notice = replace(
            notice,
            best_quote=best[0] if best else None,
            best_quote_provider=best[1] if best else None,
            price=price,
        )
        state = replace_notice(state, notice)
        events.append(
            Event(
                now,
                "notice_terms_updated",
                notice.clause,
                need_id,
                notice.id,
                (("best_quote", money_text(notice.best_quote)), ("price", money_text(price))),
            )
        )
    return state


def respond(state: RofrState, cmd: HolderResponse, now: datetime, events: list[Event]) -> RofrState:
    """1. the holder's open notice for the need (else the refusal that says why); 2. a decline
    releases it all; 3. else the quantity must pass the right's exercise rules; 4. the exercise."""
    notice = _open_notice(state, cmd, now)
    close_by = now + _days(notice.right.third_party_close_window_days)
    if cmd.decline:
        return _declined(state, cmd, notice, now, close_by, events)
    gpus = notice.gpus if cmd.exercise_gpus is None else cmd.exercise_gpus
    _check_exercise(state, cmd, notice, gpus)
    return _exercised(state, cmd, notice, gpus, now, close_by, events)


def _open_notice(state: RofrState, cmd: HolderResponse, now: datetime) -> Notice:
    """Step 1: the holder's open notice for `cmd.need` (its clause's, if named)."""
    if cmd.need not in state.needs:
        raise Refused(Reason.UNKNOWN_NEED, None, f"no need '{cmd.need}'")
    mine = [
        n
        for n in state.notices_for(cmd.need)
        if n.holder == cmd.holder and (cmd.clause is None or n.clause == cmd.clause)
    ]
    if not mine:
        reason = Reason.NOT_THE_HOLDER if state.notices_for(cmd.need) else Reason.NO_NOTICE
        raise Refused(reason, None, f"{cmd.holder} has no notice for '{cmd.need}'")
    open_ = [n for n in mine if n.status is NoticeStatus.OPEN]
    notice = open_[0] if open_ else mine[-1]
    if notice.status is not NoticeStatus.OPEN:
        if (
            now > notice.deadline
            and notice.status in (NoticeStatus.EXPIRED, NoticeStatus.EXERCISED)
            and notice.resolved_at == notice.deadline
        ):
            raise Refused(Reason.AFTER_DEADLINE, notice.clause, f"deadline of {notice.id} passed")
        raise Refused(Reason.NOTICE_NOT_OPEN, notice.clause, f"{notice.id} is {notice.status.value}")
    return notice


def _declined(
    state: RofrState,
    cmd: HolderResponse,
    notice: Notice,
    now: datetime,
    close_by: datetime,
    events: list[Event],
) -> RofrState:
    """Step 2: a decline releases every GPU noticed; the third party may close by `close_by`."""
    notice = replace(
        notice,
        status=NoticeStatus.DECLINED,
        released_gpus=notice.gpus,
        resolved_at=now,
        close_by=close_by,
    )
    events.append(
        Event(
            now, "holder_declined", notice.clause, cmd.need, notice.id, (("released_gpus", str(notice.gpus)),)
        )
    )
    return replace_notice(state, notice)


def _check_exercise(state: RofrState, cmd: HolderResponse, notice: Notice, gpus: int) -> None:
    """Step 3: positive, never more than noticed nor than the need still lacks; a part only if
    the right allows it, in whole minimum blocks."""
    clause, right = notice.clause, notice.right
    if gpus <= 0:
        raise Refused(Reason.INVALID_QUANTITY, clause, "exercise a positive number of GPUs, or decline")
    if gpus > notice.gpus:
        raise Refused(Reason.EXCEEDS_NOTICE, clause, f"{gpus} exceeds the {notice.gpus} noticed")
    left = state.needs[cmd.need].gpus - sum(a.gpus for a in state.awards if a.need == cmd.need)
    if gpus > left:
        raise Refused(Reason.EXCEEDS_NEED, clause, f"only {left} GPUs of the need are still unawarded")
    if gpus < notice.gpus:
        if not right.partial_exercise:
            raise Refused(Reason.PARTIAL_NOT_ALLOWED, clause, f"{clause} allows exercising all or nothing")
        block = right.min_exercise_block_gpus
        if gpus < block:
            raise Refused(Reason.BELOW_MIN_BLOCK, clause, f"{gpus} is below the minimum block of {block}")
        if gpus % block:
            raise Refused(Reason.NOT_BLOCK_MULTIPLE, clause, f"{gpus} is not a multiple of {block}")


def _exercised(
    state: RofrState,
    cmd: HolderResponse,
    notice: Notice,
    gpus: int,
    now: datetime,
    close_by: datetime,
    events: list[Event],
) -> RofrState:
    """Step 4: the holder takes `gpus` at the notice price (an award); the rest is released, and
    the third party may close on it by `close_by`."""
    partial = gpus < notice.gpus
    notice = replace(
        notice,
        status=NoticeStatus.PARTIALLY_EXERCISED if partial else NoticeStatus.EXERCISED,
        exercised_gpus=gpus,
        released_gpus=notice.gpus - gpus,
        resolved_at=now,
        close_by=close_by if partial else None,
    )
    award = Award(cmd.need, notice.holder, gpus, notice.price, notice.clause, notice.id, now)
    events.append(
        Event(
            now,
            "holder_exercised",
            notice.clause,
            cmd.need,
            notice.id,
            (("exercised_gpus", str(gpus)), ("released_gpus", str(notice.released_gpus))),
        )
    )
    events.append(award_event(award))
    return replace(replace_notice(state, notice), awards=(*state.awards, award))


def _days(days: int) -> timedelta:
    return timedelta(days=days)


def signed(state: RofrState, cmd: ThirdPartySigned, now: datetime, events: list[Event]) -> RofrState:
    need = state.needs.get(cmd.need)
    if need is None:
        raise Refused(Reason.UNKNOWN_NEED, None, f"no need '{cmd.need}'")
    if cmd.gpus <= 0 or cmd.price < 0:
        raise Refused(Reason.INVALID_QUANTITY, None, "a deal needs positive gpus and a price >= 0")
    if cmd.provider in holders(state, cmd.need):
        raise Refused(
            Reason.NOT_A_THIRD_PARTY, None, f"{cmd.provider} holds the right; it exercises its notice"
        )
    refused = static_verdict_in_use(state.scenario, need, cmd.provider)
    if refused is not None:
        raise Refused(refused.reason or Reason.UNKNOWN_PROVIDER, refused.clause, refused.message)
    governing: Notice | None = None
    for clause in dict.fromkeys(n.clause for n in state.notices_for(cmd.need)):
        notice = state.latest_notice(cmd.need, clause)
        assert notice is not None
        carve = carve_out_for(notice.right, need, cmd.provider)
        if carve is not None:
            events.append(
                Event(
                    now,
                    "carve_out_applied",
                    clause,
                    cmd.need,
                    notice.id,
                    (("carve_out", carve), ("provider", cmd.provider)),
                )
            )
            continue
        state, ok = _check_right(state, notice, cmd, now, events)
        if ok and governing is None:
            governing = notice
    awarded = sum(a.gpus for a in state.awards if a.need == cmd.need)
    if awarded + cmd.gpus > need.gpus:
        raise Refused(Reason.EXCEEDS_NEED, None, f"{awarded} of {need.gpus} already awarded")
    if governing is not None:
        state = replace_notice(state, replace(governing, signed_gpus=governing.signed_gpus + cmd.gpus))
    award = Award(
        cmd.need,
        cmd.provider,
        cmd.gpus,
        cmd.price,
        governing.clause if governing else None,
        governing.id if governing else None,
        now,
    )
    events.append(award_event(award))
    return replace(state, awards=(*state.awards, award))


def _check_right(
    state: RofrState, notice: Notice, cmd: ThirdPartySigned, now: datetime, events: list[Event]
) -> tuple[RofrState, bool]:
    """Does the right behind `notice` let this deal through? True = it governs the award."""
    clause = notice.clause
    first_ship = isinstance(notice.right, FirstShip)
    if notice.status is NoticeStatus.OPEN:
        reason = Reason.FIRST_SHIP_PENDING if first_ship else Reason.ROFR_PENDING
        raise Refused(reason, clause, f"notice {notice.id} to {notice.holder} is open until its deadline")
    if notice.status is NoticeStatus.WITHDRAWN or not notice.window_open:
        if notice.status is NoticeStatus.EXERCISED:
            reason = Reason.FIRST_SHIP_EXERCISED_BY_HOLDER if first_ship else Reason.ROFR_EXERCISED_BY_HOLDER
            raise Refused(reason, clause, f"{notice.holder} exercised {notice.id} in full")
        return state, False
    if cmd.gpus > notice.unsigned_gpus:
        raise Refused(
            Reason.EXCEEDS_RELEASED, clause, f"only {notice.unsigned_gpus} released by {notice.id} remain"
        )
    limit = notice.price * (1 + notice.right.reoffer_if_terms_improve_pct / HUNDRED)
    if cmd.price > limit:
        closed = replace(notice, window_closed=True)
        state = replace_notice(state, closed)
        right = state.right_at(clause, now) or notice.right
        state, event = issue_notice(state, right, cmd.need, now, notice.unsigned_gpus, cmd.price, "reoffer")
        events.append(event)
        raise RefusedWithState(
            state,
            Reason.REOFFER_REQUIRED,
            clause,
            f"{money_text(cmd.price)} is more than {notice.right.reoffer_if_terms_improve_pct}% above the {money_text(notice.price)} offered; re-offered to {notice.holder}",
        )
    return state, True


class RefusedWithState(Refused):
    """A refusal that still changes the state (a re-offer notice is issued)."""

    def __init__(self, state: RofrState, reason: str, clause: str | None, message: str) -> None:
        super().__init__(reason, clause, message)
        self.state = state


def fell_through(
    state: RofrState, cmd: ThirdPartyFellThrough, now: datetime, events: list[Event]
) -> RofrState:
    if cmd.need not in state.needs:
        raise Refused(Reason.UNKNOWN_NEED, None, f"no need '{cmd.need}'")
    cancelled = [a for a in state.awards if a.need == cmd.need and a.provider == cmd.provider]
    had_quote = any(q.need == cmd.need and q.provider == cmd.provider for q in state.quotes)
    if not cancelled and not had_quote:
        raise Refused(
            Reason.NO_THIRD_PARTY_DEAL, None, f"no deal or quote from {cmd.provider} for '{cmd.need}'"
        )
    state = replace(
        state,
        awards=tuple(a for a in state.awards if a not in cancelled),
        quotes=tuple(q for q in state.quotes if not (q.need == cmd.need and q.provider == cmd.provider)),
    )
    for award in cancelled:
        events.append(
            Event(
                now,
                "award_cancelled",
                award.clause,
                cmd.need,
                award.notice,
                (("gpus", str(award.gpus)), ("provider", cmd.provider)),
            )
        )
        notice = next((n for n in state.notices if n.id == award.notice), None)
        if notice is not None:
            state = replace_notice(state, replace(notice, signed_gpus=notice.signed_gpus - award.gpus))
    if not cancelled:
        events.append(Event(now, "quote_withdrawn", None, cmd.need, None, (("provider", cmd.provider),)))
        return refresh_terms(state, cmd.need, now, events)
    for notice in list(state.notices):
        if notice.need == cmd.need and notice.window_open and notice.unsigned_gpus > 0:
            state = revive_now(state, notice, now, "third_partyfell_through", events)
    return state

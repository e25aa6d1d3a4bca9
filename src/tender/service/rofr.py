"""The bridge between stored needs and the pure ROFR protocol (`tender.contracts.step`).

A need's protocol state is never stored; its commands are. Flow of one change:
1. `replay(scenario, rows)` rebuilds the need's `RofrState` from its stored commands, at their times;
2. `apply(state, command, now)` steps the engine once; a refusal comes back as a `Rejection`;
3. `notice_states(state, need)` turns the engine's notices into rows for `notice_store.sync_notices`,
   splitting what the lab may see (`quote`: the rival's name) from the terms a holder may see;
4. `event_bodies(events)` are the engine's events as audit record data (each names its clause).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from tender.contracts import (
    Command,
    Event,
    HolderResponse,
    Need,
    NewNeed,
    Notice,
    QuoteReceived,
    Rejection,
    RofrState,
    Tick,
    initial_state,
    step,
)
from tender.domain import Scenario
from tender.ledger.sql.models import NeedCommand
from tender.ledger.sql.notice_store import NoticeState

# engine reason codes that are about the quantity asked for (-> 422 on field `gpus`)
QUANTITY_REASONS = {
    "invalid_quantity",
    "exceeds_notice",
    "partial_not_allowed",
    "below_min_block",
    "not_block_multiple",
}


def need_of(body: dict[str, Any]) -> Need:
    start = date.fromisoformat(str(body["start"]))
    return Need(
        id=str(body["id"]),
        workload=str(body["workload"]),
        workload_class=str(body["workload_class"]),
        gpu=str(body["gpu"]),
        gpus=int(body["gpus"]),
        region=str(body["region"]),
        start=datetime(start.year, start.month, start.day, tzinfo=UTC),
        months=int(body["months"]),
        price=Decimal(str(body["price"])),
        new_capacity=bool(body.get("new_capacity", True)),
    )


def command_of(kind: str, body: dict[str, Any]) -> Command:
    if kind == "need":
        return NewNeed(need_of(body))
    if kind == "quote":
        return QuoteReceived(
            str(body["need"]), str(body["provider"]), Decimal(str(body["price"])), int(body["gpus"])
        )
    if kind == "respond":
        gpus = body.get("exercise_gpus")
        return HolderResponse(
            str(body["need"]),
            str(body["holder"]),
            None if gpus is None else int(gpus),
            bool(body.get("decline")),
        )
    if kind == "tick":
        return Tick()
    raise ValueError(f"unknown stored command kind {kind!r}")


def replay(scenario: Scenario, rows: list[NeedCommand]) -> RofrState:
    state = initial_state(scenario)
    for row in rows:
        state = apply(state, command_of(row.kind, json.loads(row.body_json)), row.at).state
    return state


@dataclass(frozen=True)
class Stepped:
    state: RofrState
    events: list[Event]
    rejection: Rejection | None


def apply(state: RofrState, command: Command, now: datetime) -> Stepped:
    at = (
        max(now, state.now) if state.now is not None else now
    )  # a peer's clock a hair ahead is not "backwards"
    before = len(state.rejected)
    new, events = step(state, command, at)
    rejection = new.rejected[-1] if len(new.rejected) > before else None
    return Stepped(new, events, rejection)


def _terms(notice: Notice, need: Need) -> dict[str, Any]:
    start = need.start.date().isoformat() if isinstance(need.start, datetime) else str(need.start)
    return {
        "workload": need.workload,
        "workload_class": need.workload_class,
        "gpu": need.gpu,
        "region": need.region,
        "start": start,
        "months": need.months,
        "price": str(notice.price),
    }


def notice_states(state: RofrState, need_id: str) -> list[NoticeState]:
    need = state.needs[need_id]
    out: list[NoticeState] = []
    for n in state.notices_for(need_id):
        quote = {
            "price": None if n.best_quote is None else str(n.best_quote),
            "provider": n.best_quote_provider,
        }
        out.append(
            NoticeState(
                id=n.id,
                need_id=n.need,
                holder=n.holder,
                clause_id=n.clause,
                match_mode=n.right.match_mode.value,
                on_expiry=n.right.on_expiry.value,
                partial_exercise=n.right.partial_exercise,
                min_block_gpus=n.right.min_exercise_block_gpus,
                requested_gpus=n.gpus,
                issued_at=n.issued_at,
                deadline=n.deadline,
                terms=_terms(n, need),
                quote=quote,
                status=n.status.value,
                exercised_gpus=n.exercised_gpus,
                released_gpus=n.released_gpus,
                resolved_at=n.resolved_at,
            )
        )
    return out


def event_bodies(events: list[Event]) -> list[tuple[str, dict[str, Any]]]:
    return [(f"rofr.{e.kind}", e.record()) for e in events]

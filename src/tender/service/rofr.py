"""A need's ROFR protocol in the service: stored commands in, engine state, notice rows and audit out.

A need's protocol state is never stored; its commands are (`notice_store.add_command`).

1. `scenario_for(session, pk)` / `parsed_scenario(row)`: the stored scenario, parsed once per process;
2. `state_from_commands(scenario, rows)` rebuilds a need's `RofrState` by stepping its stored commands
   (`tender.contracts.command_from`, the one command builder) at their times; `needs_with_states` does it
   for every need of a scenario (the SkyPilot policy's view);
3. `apply(state, command, now)` steps the engine once; a refusal comes back as a `Rejection`
   (`refusal` maps its reason code to 409, or 422 on `gpus` for a quantity);
4. `notice_states(state, need)` turns the engine's notices into rows for `notice_store.sync_notices`,
   splitting what the lab may see (`quote`: the rival's name) from the terms a holder may see;
5. `audit(session, stepped, ...)` appends the engine's events as audit records (each names its clause).

The writes, each one transaction (`Database.write()`):
- `raise_need`: the scenario's accelerator and region must exist (422); step `NewNeed`, then each quote;
  store the need, its commands, its notices and the events;
- `expire_due`: for every need with an open notice past its deadline: rebuild, step `Tick`, sync, audit.
Answering a notice exactly once is `tender.service.answers`.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from tender.config import InputError, load_scenario_text
from tender.contracts import (
    Command,
    Event,
    Need,
    Notice,
    Rejection,
    RofrState,
    Tick,
    command_from,
    initial_state,
    step,
)
from tender.domain import Scenario
from tender.ledger.sql import audit_store, notice_store, plan_store
from tender.ledger.sql.models import NeedCommand, ScenarioRow
from tender.ledger.sql.notice_store import AlreadyDecided, NoticeState
from tender.service.context import Context
from tender.service.errors import ApiError

log = logging.getLogger("tender.service.protocol")
_parsed: dict[tuple[int, str], Scenario] = {}
_parsed_lock = threading.Lock()


# engine reason codes that are about the quantity asked for (-> 422 on field `gpus`)
QUANTITY_REASONS = {
    "invalid_quantity",
    "exceeds_notice",
    "partial_not_allowed",
    "below_min_block",
    "not_block_multiple",
}


def state_from_commands(scenario: Scenario, rows: list[NeedCommand]) -> RofrState:
    """A need's protocol state, rebuilt by stepping its stored commands again at their own times."""
    state = initial_state(scenario)
    for row in rows:
        state = apply(state, command_from(row.kind, json.loads(row.body_json)), row.at).state
    return state


def needs_with_states(session: Session, scenario_pk: int, scenario: Scenario) -> list[tuple[Need, RofrState]]:
    """Every need raised against a stored scenario, with its rebuilt protocol state (in the caller's read)."""
    out: list[tuple[Need, RofrState]] = []
    for row in notice_store.needs_of_scenario(session, scenario_pk):
        state = state_from_commands(scenario, notice_store.commands(session, row.id))
        if row.id in state.needs:
            out.append((state.needs[row.id], state))
    return out


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


def scenario_for(session: Session, pk: int) -> Scenario:
    """The stored scenario `pk`, parsed (404 when there is none)."""
    row = plan_store.get_scenario(session, pk)
    if row is None:
        raise ApiError(404, "not_found", f"no scenario {pk}", "scenario")
    return parsed_scenario(row)


def parsed_scenario(row: ScenarioRow) -> Scenario:
    """A stored scenario, parsed once per process (keyed by id and text digest; uploads never change).
    One that no longer parses (it was valid when uploaded) is 409 `invalid_scenario`."""
    key = (row.id, row.sha256)
    with _parsed_lock:
        cached = _parsed.get(key)
    if cached is None:
        try:
            cached = load_scenario_text(row.text, row.name)
        except InputError as exc:
            raise ApiError(409, "invalid_scenario", str(exc), "scenario") from None
        with _parsed_lock:
            _parsed[key] = cached
    return cached


def audit(session: Session, stepped: Stepped, actor: str, now: datetime) -> None:
    for kind, body in event_bodies(stepped.events):
        audit_store.append(session, kind=kind, actor=actor, at=now, data=body)


def refusal(code: str, message: str) -> ApiError:
    if code in QUANTITY_REASONS:
        return ApiError(422, code, message, "gpus")
    return ApiError(409, code, message)


def check_need(scenario: Scenario, need: dict[str, Any]) -> None:
    """A need names an accelerator and a region of its scenario (else 422 naming the field)."""
    if need["gpu"] not in scenario.accelerators:
        known = ", ".join(sorted(scenario.accelerators)) or "none"
        raise ApiError(
            422,
            "unknown_accelerator",
            f"need.gpu: {need['gpu']!r} is not in the scenario ({known})",
            "need.gpu",
        )
    regions = sorted({r for p in scenario.providers.values() for r in p.regions})
    if need["region"] not in regions:
        raise ApiError(
            422,
            "unknown_region",
            f"need.region: {need['region']!r} is not a region of the scenario ({', '.join(regions) or 'none'})",
            "need.region",
        )


def raise_need(
    ctx: Context, *, scenario_pk: int, need: dict[str, Any], quotes: list[dict[str, Any]], actor: str
) -> str:
    now = ctx.now()
    with ctx.db.write() as session:
        scenario = scenario_for(session, scenario_pk)
        check_need(scenario, need)
        if notice_store.get_need(session, need["id"]) is not None:
            raise ApiError(409, "duplicate_need", f"need {need['id']} already exists", "need.id")
        stepped = apply(initial_state(scenario), command_from("need", need), now)
        if stepped.rejection is not None:
            raise refusal(stepped.rejection.reason, stepped.rejection.message)
        notice_store.create_need(
            session, need_id=need["id"], scenario_pk=scenario_pk, body=need, actor=actor, now=now
        )
        notice_store.add_command(session, need["id"], at=now, kind="need", body=need, actor=actor)
        audit(session, stepped, actor, now)
        state = stepped.state
        for i, quote in enumerate(quotes):
            body = {"need": need["id"], **quote}
            stepped = apply(state, command_from("quote", body), now)
            if stepped.rejection is not None:
                raise ApiError(422, stepped.rejection.reason, stepped.rejection.message, f"quotes[{i}]")
            notice_store.add_command(session, need["id"], at=now, kind="quote", body=body, actor=actor)
            audit(session, stepped, actor, now)
            state = stepped.state
        notice_store.sync_notices(
            session, notice_states(state, need["id"]), action_for={}, actor=actor, now=now
        )
        return str(need["id"])


def need_scenario(session: Session, need_id: str) -> int:
    need = notice_store.get_need(session, need_id)
    if need is None:  # pragma: no cover - a notice always has its need (foreign key)
        raise ApiError(404, "not_found", f"no need {need_id}")
    return need.scenario_pk


def expire_due(ctx: Context) -> list[str]:
    """Resolve every open notice whose deadline has passed (on_expiry); returns the notice ids."""
    now = ctx.now()
    done: list[str] = []
    with ctx.db.read() as session:
        due = notice_store.due_needs(session, now)
    for need_id in due:
        with ctx.db.write() as session:
            scenario = scenario_for(session, need_scenario(session, need_id))
            state = state_from_commands(scenario, notice_store.commands(session, need_id))
            stepped = apply(state, Tick(), now)
            try:
                resolved = notice_store.sync_notices(
                    session,
                    notice_states(stepped.state, need_id),
                    action_for={},
                    actor="system:clock",
                    now=now,
                )
            except AlreadyDecided:
                continue  # another process expired it first; its transaction wins, ours rolls back
            if resolved:
                audit(session, stepped, "system:clock", now)
                done.extend(resolved)
    if done:
        log.info("deadlines expired", extra={"notices": done})
    return done

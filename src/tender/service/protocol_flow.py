"""Raising needs, answering notices and expiring deadlines: each one write transaction, exactly once.

raise_need:  1. load the scenario (parsed once per process); its accelerator and region must exist (422)
             2. step NewNeed, then each quote
             3. store the need, its commands, its notices and the engine's events as audit records.
answer:      1. load the notice; a provider may only answer its own (else 404, audited by the router)
             2. replay the need's commands, step HolderResponse at `now`; a refusal (after the deadline,
                below the minimum block, not open...) is returned with the engine's reason code
             3. store the command, sync the notices (the conditional update + decision key refuse a second
                decision), audit the events. All inside `Database.write()`.
expire_due:  for every need with an open notice past its deadline: replay, step Tick, sync, audit.
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from tender.config import load_scenario_text
from tender.contracts import HolderResponse, NewNeed, Tick
from tender.domain import Scenario
from tender.ledger.sql import audit_store, notice_store, plan_store
from tender.ledger.sql.models import NoticeRow
from tender.ledger.sql.notice_store import AlreadyDecided
from tender.service import rofr
from tender.service.context import Context
from tender.service.errors import ApiError

log = logging.getLogger("tender.service.protocol")
_parsed: dict[tuple[int, str], Scenario] = {}
_parsed_lock = threading.Lock()


def scenario_for(session: Session, pk: int) -> Scenario:
    row = plan_store.get_scenario(session, pk)
    if row is None:
        raise ApiError(404, "not_found", f"no scenario {pk}", "scenario")
    key = (pk, row.sha256)
    with _parsed_lock:
        cached = _parsed.get(key)
    if cached is None:
        cached = load_scenario_text(row.text, row.name)
        with _parsed_lock:
            _parsed[key] = cached
    return cached


def _audit(session: Session, stepped: rofr.Stepped, actor: str, now: datetime) -> None:
    for kind, body in rofr.event_bodies(stepped.events):
        audit_store.append(session, kind=kind, actor=actor, at=now, data=body)


def _refusal(code: str, message: str) -> ApiError:
    if code in rofr.QUANTITY_REASONS:
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
        state = rofr.replay(scenario, [])
        stepped = rofr.apply(state, NewNeed(rofr.need_of(need)), now)
        if stepped.rejection is not None:
            raise _refusal(stepped.rejection.reason, stepped.rejection.message)
        notice_store.create_need(
            session, need_id=need["id"], scenario_pk=scenario_pk, body=need, actor=actor, now=now
        )
        notice_store.add_command(session, need["id"], at=now, kind="need", body=need, actor=actor)
        _audit(session, stepped, actor, now)
        state = stepped.state
        for i, quote in enumerate(quotes):
            body = {"need": need["id"], **quote}
            stepped = rofr.apply(state, rofr.command_of("quote", body), now)
            if stepped.rejection is not None:
                raise ApiError(422, stepped.rejection.reason, stepped.rejection.message, f"quotes[{i}]")
            notice_store.add_command(session, need["id"], at=now, kind="quote", body=body, actor=actor)
            _audit(session, stepped, actor, now)
            state = stepped.state
        notice_store.sync_notices(
            session, rofr.notice_states(state, need["id"]), action_for={}, actor=actor, now=now
        )
        return str(need["id"])


def answer(
    ctx: Context, session: Session, row: NoticeRow, *, exercise_gpus: int | None, decline: bool, actor: str
) -> tuple[NoticeRow, ApiError | None]:
    """Answer `row` (already checked to be the caller's) inside the caller's write transaction.

    A refusal is returned, not raised, so that the caller commits its audit record (and any expiry the
    step fired) before answering with the error."""
    now = ctx.now()
    scenario = scenario_for(session, _need_scenario(session, row.need_id))
    state = rofr.replay(scenario, notice_store.commands(session, row.need_id))
    body = {"need": row.need_id, "holder": row.holder, "exercise_gpus": exercise_gpus, "decline": decline}
    command = HolderResponse(row.need_id, row.holder, exercise_gpus, decline)
    stepped = rofr.apply(state, command, now)
    if stepped.rejection is not None:
        # the refusal is itself a fact worth keeping: who tried what, and why it was refused
        _audit(session, stepped, actor, now)
        notice_store.sync_notices(
            session, rofr.notice_states(stepped.state, row.need_id), action_for={}, actor=actor, now=now
        )
        return row, _refusal(stepped.rejection.reason, stepped.rejection.message)
    answered = [
        n.id
        for n in stepped.state.notices_for(row.need_id)
        if n.holder == row.holder and n.resolved_at == stepped.state.now
    ]
    notice_store.add_command(session, row.need_id, at=now, kind="respond", body=body, actor=actor)
    try:
        notice_store.sync_notices(
            session,
            rofr.notice_states(stepped.state, row.need_id),
            action_for={nid: "decline" if decline else "exercise" for nid in answered},
            actor=actor,
            now=now,
        )
    except AlreadyDecided as exc:  # only reachable if the write lock was bypassed; the DB guard holds
        raise ApiError(409, "notice_not_open", f"notice {exc} was already answered") from exc
    _audit(session, stepped, actor, now)
    session.refresh(row)
    return row, None


def _need_scenario(session: Session, need_id: str) -> int:
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
            scenario = scenario_for(session, _need_scenario(session, need_id))
            state = rofr.replay(scenario, notice_store.commands(session, need_id))
            stepped = rofr.apply(state, Tick(), now)
            try:
                resolved = notice_store.sync_notices(
                    session,
                    rofr.notice_states(stepped.state, need_id),
                    action_for={},
                    actor="system:clock",
                    now=now,
                )
            except AlreadyDecided:
                continue  # another process expired it first; its transaction wins, ours rolls back
            if resolved:
                _audit(session, stepped, "system:clock", now)
                done.extend(resolved)
    if done:
        log.info("deadlines expired", extra={"notices": done})
    return done


def need_body(session: Session, need_id: str) -> dict[str, Any]:
    row = notice_store.get_need(session, need_id)
    return {} if row is None else dict(json.loads(row.body_json))

"""Answering a ROFR notice exactly once: the API's `POST /api/v1/notices/{id}/respond` and the portal's form.

`respond_once(request, who, notice_id, body, idempotency_key) -> (status, JSON body)`, one write transaction:

1. a decline takes no `gpus` (422);
2. with an `Idempotency-Key`, the outcome stored under (caller, key) is replayed as it was first answered
   (`_stored_outcome`), success or refusal; the same key with a different body is 422
   `idempotency_key_reused`;
3. the notice must be the caller's: a missing one is 404, another provider's the same 404, audited;
4. `decide`: the need's stored commands are stepped again (`rofr.state_from_commands`), then `HolderResponse`
   at the clock's now; the engine's refusal (after the deadline, below the minimum block, not open...) is
   kept (audit, notice sync) and answered with its reason code; an accepted answer is written by the
   conditional update plus the decision key (`notice_store.sync_notices`), so only one decision is stored;
5. the outcome is stored under (caller, key) in the same transaction.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session

from tender.contracts import HolderResponse
from tender.ledger.sql import notice_store
from tender.ledger.sql.models import NoticeRow
from tender.ledger.sql.notice_store import AlreadyDecided
from tender.service import rofr
from tender.service.auth import Principal, deny
from tender.service.context import Context, ctx_of
from tender.service.errors import ApiError, error_body
from tender.service.payloads import RespondIn
from tender.service.views import provider_notice

Outcome = tuple[int, dict[str, Any]]  # HTTP status, JSON body


def respond_once(
    request: Request, who: Principal, notice_id: str, body: RespondIn, idempotency_key: str | None
) -> Outcome:
    """Steps 1-5 above: the (status, JSON body) to answer with."""
    ctx = ctx_of(request)
    if body.action == "decline" and body.gpus is not None:
        raise ApiError(422, "invalid_input", "gpus: a decline takes no gpus", "gpus")
    digest = notice_store.request_digest(
        "POST", f"/api/v1/notices/{notice_id}/respond", body.model_dump(mode="json")
    )
    with ctx.db.write() as session:
        stored = _stored_outcome(session, who, idempotency_key, digest)
        if stored is not None:
            return stored
        row = notice_store.get_notice(session, notice_id)
        foreign = row is not None and row.holder != who.subject
        if row is not None and not foreign:
            outcome = _outcome(ctx, session, row, body, who.actor)
            if idempotency_key:
                notice_store.idempotent_put(
                    session,
                    actor=who.actor,
                    key=idempotency_key,
                    request_sha=digest,
                    status_code=outcome[0],
                    body=outcome[1],
                    now=ctx.now(),
                )
            return outcome
    if foreign:  # outside the transaction: the denial's audit record is its own write
        raise deny(request, who, 404, "not_found", f"no notice {notice_id}", "notice_id")
    raise ApiError(404, "not_found", f"no notice {notice_id}", "notice_id")


def _stored_outcome(session: Session, who: Principal, key: str | None, digest: str) -> Outcome | None:
    """Step 2: the first answer given under (caller, key), for a retry of the same request."""
    if not key:
        return None
    seen = notice_store.idempotent_get(session, who.actor, key)
    if seen is None:
        return None
    if seen.request_sha != digest:
        raise ApiError(
            422,
            "idempotency_key_reused",
            "this Idempotency-Key was used for a different request",
            "Idempotency-Key",
        )
    return seen.status_code, dict(json.loads(seen.body_json))


def _outcome(ctx: Context, session: Session, row: NoticeRow, body: RespondIn, actor: str) -> Outcome:
    exercise = body.gpus if body.action == "exercise" else None
    row, refused = decide(
        ctx, session, row, exercise_gpus=exercise, decline=body.action == "decline", actor=actor
    )
    if refused is not None:
        return refused.status, error_body(refused.code, refused.message, refused.field)
    return 200, provider_notice(row, ctx.now()).model_dump(mode="json")


def decide(
    ctx: Context, session: Session, row: NoticeRow, *, exercise_gpus: int | None, decline: bool, actor: str
) -> tuple[NoticeRow, ApiError | None]:
    """Step 4: answer `row` (already checked to be the caller's) inside the caller's write transaction.

    A refusal is returned, not raised, so that the caller commits its audit record (and any expiry the
    step fired) before answering with the error."""
    now = ctx.now()
    scenario = rofr.scenario_for(session, rofr.need_scenario(session, row.need_id))
    state = rofr.state_from_commands(scenario, notice_store.commands(session, row.need_id))
    body = {"need": row.need_id, "holder": row.holder, "exercise_gpus": exercise_gpus, "decline": decline}
    stepped = rofr.apply(state, HolderResponse(row.need_id, row.holder, exercise_gpus, decline), now)
    if stepped.rejection is not None:
        # the refusal is itself a fact worth keeping: who tried what, and why it was refused
        rofr.audit(session, stepped, actor, now)
        notice_store.sync_notices(
            session, rofr.notice_states(stepped.state, row.need_id), action_for={}, actor=actor, now=now
        )
        return row, rofr.refusal(stepped.rejection.reason, stepped.rejection.message)
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
    rofr.audit(session, stepped, actor, now)
    session.refresh(row)
    return row, None

"""Needs, their protocol commands, ROFR notices and one decision per notice (exactly-once answers).

The contract engine is pure; this store keeps what it needs to be replayed and what it decided:
1. `create_need` stores a need; `add_command` appends each protocol command applied to it (append-only),
   so the need's ROFR state can be rebuilt by replaying them in order.
2. `sync_notices` writes the engine's view of the need's notices: new ones are inserted; an open one the
   engine has resolved goes through `_decide` = a conditional UPDATE (`WHERE status='open'`) plus an INSERT
   into `notice_decisions` whose primary key is the notice id. Two transactions racing to answer the same
   notice cannot both pass: the second sees `rowcount == 0` (or a key conflict) and is refused.
3. `due_needs(now)` lists needs with an open notice past its deadline, for the expiry task.
4. `idempotent_get` / `idempotent_put` remember a response under (actor, Idempotency-Key).
All of it runs inside `Database.write()` (serialized writers), in the caller's transaction.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import CursorResult, Select, func, select, update
from sqlalchemy.orm import Session

from tender.ledger.sql.chain import canonical
from tender.ledger.sql.models import IdempotencyKey, NeedCommand, NeedRow, NoticeDecision, NoticeRow
from tender.ledger.sql.paging import Page, page

OPEN = "open"


@dataclass(frozen=True)
class NoticeState:
    """One notice as the contract engine sees it after a step."""

    id: str
    need_id: str
    holder: str
    clause_id: str
    match_mode: str
    on_expiry: str
    partial_exercise: bool
    min_block_gpus: int
    requested_gpus: int
    issued_at: datetime
    deadline: datetime
    terms: dict[str, Any]
    quote: dict[str, Any]
    status: str
    exercised_gpus: int
    released_gpus: int
    resolved_at: datetime | None


class AlreadyDecided(Exception):
    """The notice was resolved by someone else first."""


def create_need(
    session: Session, *, need_id: str, scenario_pk: int, body: dict[str, Any], actor: str, now: datetime
) -> NeedRow:
    need = NeedRow(
        id=need_id, scenario_pk=scenario_pk, body_json=canonical(body), created_at=now, created_by=actor
    )
    session.add(need)
    session.flush()
    return need


def add_command(
    session: Session, need_id: str, *, at: datetime, kind: str, body: dict[str, Any], actor: str
) -> None:
    last = session.scalar(select(func.max(NeedCommand.seq)).where(NeedCommand.need_id == need_id))
    session.add(
        NeedCommand(
            need_id=need_id, seq=int(last or 0) + 1, at=at, kind=kind, body_json=canonical(body), actor=actor
        )
    )
    session.flush()


def commands(session: Session, need_id: str) -> list[NeedCommand]:
    return list(
        session.scalars(select(NeedCommand).where(NeedCommand.need_id == need_id).order_by(NeedCommand.seq))
    )


def _insert(session: Session, n: NoticeState) -> None:
    session.add(
        NoticeRow(
            id=n.id,
            need_id=n.need_id,
            holder=n.holder,
            clause_id=n.clause_id,
            match_mode=n.match_mode,
            on_expiry=n.on_expiry,
            partial_exercise=n.partial_exercise,
            min_block_gpus=n.min_block_gpus,
            requested_gpus=n.requested_gpus,
            exercised_gpus=n.exercised_gpus,
            released_gpus=n.released_gpus,
            status=n.status,
            issued_at=n.issued_at,
            deadline=n.deadline,
            decided_at=n.resolved_at,
            terms_json=canonical(n.terms),
            quote_json=canonical(n.quote),
        )
    )
    session.flush()


def _decide(session: Session, n: NoticeState, action: str, actor: str, now: datetime) -> None:
    result = session.execute(
        update(NoticeRow)
        .where(NoticeRow.id == n.id, NoticeRow.status == OPEN)
        .values(
            status=n.status,
            exercised_gpus=n.exercised_gpus,
            released_gpus=n.released_gpus,
            decided_at=n.resolved_at or now,
        )
        .execution_options(synchronize_session=False)
    )
    if not isinstance(result, CursorResult) or result.rowcount != 1:
        raise AlreadyDecided(n.id)
    session.add(
        NoticeDecision(
            notice_id=n.id,
            action=action,
            gpus=n.exercised_gpus,
            status=n.status,
            decided_at=n.resolved_at or now,
            actor=actor,
        )
    )
    session.flush()


def sync_notices(
    session: Session, notices: list[NoticeState], *, action_for: dict[str, str], actor: str, now: datetime
) -> list[str]:
    """Insert new notices and record every open->resolved transition; returns the ids resolved now.

    `action_for` maps a notice id to the action that resolved it (exercise / decline); any other open
    notice the engine resolved was resolved by time (`expire`) or by its clause ending (`withdraw`).
    """
    resolved: list[str] = []
    for n in notices:
        row = session.get(NoticeRow, n.id)
        if row is None:
            _insert(session, n)
            continue
        if row.status == OPEN and n.status != OPEN:
            action = action_for.get(n.id) or ("withdraw" if n.status == "withdrawn" else "expire")
            who = actor if n.id in action_for else "system:clock"
            _decide(session, n, action, who, now)
            resolved.append(n.id)
        elif row.status == OPEN and n.status == OPEN and canonical(n.quote) != row.quote_json:
            session.execute(
                update(NoticeRow)
                .where(NoticeRow.id == n.id, NoticeRow.status == OPEN)
                .values(quote_json=canonical(n.quote), terms_json=canonical(n.terms))
                .execution_options(synchronize_session=False)
            )
    return resolved


def due_needs(session: Session, now: datetime) -> list[str]:
    query = select(NoticeRow.need_id).where(NoticeRow.status == OPEN, NoticeRow.deadline < now).distinct()
    return sorted(str(n) for n in session.scalars(query))


def get_notice(session: Session, notice_id: str) -> NoticeRow | None:
    return session.get(NoticeRow, notice_id)


def list_notices(
    session: Session,
    *,
    holder: str | None = None,
    status: str | None = None,
    need: str | None = None,
    need_ids: list[str] | None = None,
) -> list[NoticeRow]:
    """Every matching notice (by deadline); `list_notices_page` pages them for the API."""
    return list(session.scalars(_notices(holder, status, need, need_ids).order_by(*_NOTICE_ORDER)))


_NOTICE_ORDER = (NoticeRow.deadline, NoticeRow.id)


def list_notices_page(
    session: Session,
    *,
    holder: str | None = None,
    status: str | None = None,
    need: str | None = None,
    offset: int = 0,
    limit: int = 100,
) -> Page[NoticeRow]:
    return page(session, _notices(holder, status, need, None), _NOTICE_ORDER, offset, limit)


def _notices(
    holder: str | None, status: str | None, need: str | None, need_ids: list[str] | None
) -> Select[Any]:
    query = select(NoticeRow)
    if holder is not None:
        query = query.where(NoticeRow.holder == holder)
    if status is not None:
        query = query.where(NoticeRow.status == status)
    if need is not None:
        query = query.where(NoticeRow.need_id == need)
    if need_ids is not None:
        query = query.where(NoticeRow.need_id.in_(need_ids))
    return query


def count_by_status(session: Session) -> dict[str, int]:
    rows = session.execute(select(NoticeRow.status, func.count()).group_by(NoticeRow.status))
    return {str(status): int(n) for status, n in rows}


def missed_deadlines(session: Session) -> int:
    query = select(func.count()).select_from(NoticeDecision).where(NoticeDecision.action == "expire")
    return int(session.scalar(query) or 0)


def decisions(session: Session, notice_id: str) -> list[NoticeDecision]:
    return list(session.scalars(select(NoticeDecision).where(NoticeDecision.notice_id == notice_id)))


def get_need(session: Session, need_id: str) -> NeedRow | None:
    return session.get(NeedRow, need_id)


def needs_of_scenario(session: Session, scenario_pk: int) -> list[NeedRow]:
    """Every need raised against one stored scenario, in the order they were raised."""
    query = select(NeedRow).where(NeedRow.scenario_pk == scenario_pk)
    return list(session.scalars(query.order_by(NeedRow.created_at, NeedRow.id)))


def list_needs(session: Session, offset: int = 0, limit: int = 100) -> Page[NeedRow]:
    return page(session, select(NeedRow), (NeedRow.created_at, NeedRow.id), offset, limit)


def request_digest(method: str, path: str, body: Any) -> str:
    return hashlib.sha256(f"{method} {path} {canonical(body)}".encode()).hexdigest()


def idempotent_get(session: Session, actor: str, key: str) -> IdempotencyKey | None:
    return session.get(IdempotencyKey, (actor, key))


def idempotent_put(
    session: Session, *, actor: str, key: str, request_sha: str, status_code: int, body: Any, now: datetime
) -> None:
    session.add(
        IdempotencyKey(
            actor=actor,
            key=key,
            request_sha=request_sha,
            status_code=status_code,
            body_json=json.dumps(body, sort_keys=True),
            created_at=now,
        )
    )
    session.flush()

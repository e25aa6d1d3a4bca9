"""The state machine every background job row shares (`models.BackgroundJobColumns`: studies, comparisons).

1. a store adds its row `queued` (with its own columns and audit record, `<kind>.queued`);
2. `mark_running` moves a queued row to `running` (only a queued one: a second worker is a no-op);
3. `finish` stores the outputs verbatim and marks it `done`, or `fail` stores the error and marks it
   `failed` — each with an audit record (`<kind>.done` / `<kind>.failed`, actor `system:planner`);
4. `get` (optionally with the result JSON undeferred) and `output` (one stored output) read it back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal, TypeVar

from sqlalchemy import select, update
from sqlalchemy.orm import Session, undefer

from tender.ledger.sql import audit_store
from tender.ledger.sql.models import BackgroundJobColumns, ComparisonRow, StudyRow
from tender.ledger.sql.plan_store import MAX_ID

Output = Literal["json", "report"]
Row = TypeVar("Row", StudyRow, ComparisonRow)
KIND: dict[type[BackgroundJobColumns], str] = {StudyRow: "study", ComparisonRow: "comparison"}


def mark_running(session: Session, model: type[Row], job_id: int) -> None:
    session.execute(
        update(model).where(model.id == job_id, model.status == "queued").values(status="running")
    )


def finish(
    session: Session, model: type[Row], job_id: int, *, result_json: str, report_html: str, now: datetime
) -> None:
    session.execute(
        update(model)
        .where(model.id == job_id)
        .values(status="done", result_json=result_json, report_html=report_html, finished_at=now)
    )
    kind = KIND[model]
    audit_store.append(session, kind=f"{kind}.done", actor="system:planner", at=now, data={kind: job_id})


def fail(session: Session, model: type[Row], job_id: int, *, error: str, now: datetime) -> None:
    session.execute(
        update(model).where(model.id == job_id).values(status="failed", error=error, finished_at=now)
    )
    kind = KIND[model]
    data: dict[str, object] = {kind: job_id, "error": error}
    audit_store.append(session, kind=f"{kind}.failed", actor="system:planner", at=now, data=data)


def get(session: Session, model: type[Row], job_id: int, with_result: bool = False) -> Row | None:
    if not 1 <= job_id <= MAX_ID:
        return None
    options = [undefer(model.result_json)] if with_result else []
    return session.get(model, job_id, options=options)


def output(session: Session, model: type[Row], job_id: int, which: Output) -> str | None:
    if not 1 <= job_id <= MAX_ID:
        return None
    column = {"json": model.result_json, "report": model.report_html}[which]
    return session.scalar(select(column).where(model.id == job_id))

"""Robust-plan studies (`POST /api/v1/studies`): queued, running, then done with their outputs, or failed.

1. `add_study` records a queued study + an audit record (`study.queued`);
2. `mark_running` / `finish_study` / `fail_study` move it along; `finish_study` stores the study's own
   outputs verbatim (the bytes `tender plan --robust --json` and `--report` write);
3. `get_study`, `list_studies` (newest first), `study_output` (one stored output) read them back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy import select, update
from sqlalchemy.orm import Session, undefer

from tender.ledger.sql import audit_store
from tender.ledger.sql.models import StudyRow
from tender.ledger.sql.paging import Page, page
from tender.ledger.sql.plan_store import MAX_ID

StudyOutput = Literal["json", "report"]


def add_study(
    session: Session,
    *,
    scenario_pk: int,
    seed: int,
    samples: int,
    eval_samples: int,
    actor: str,
    now: datetime,
) -> StudyRow:
    row = StudyRow(
        scenario_pk=scenario_pk,
        seed=seed,
        samples=samples,
        eval_samples=eval_samples,
        status="queued",
        error=None,
        result_json=None,
        report_html=None,
        created_at=now,
        finished_at=None,
        created_by=actor,
    )
    session.add(row)
    session.flush()
    data = {
        "study": row.id,
        "scenario": scenario_pk,
        "seed": seed,
        "samples": samples,
        "eval_samples": eval_samples,
    }
    audit_store.append(session, kind="study.queued", actor=actor, at=now, data=data)
    return row


def mark_running(session: Session, study_id: int) -> None:
    session.execute(
        update(StudyRow).where(StudyRow.id == study_id, StudyRow.status == "queued").values(status="running")
    )


def finish_study(
    session: Session, study_id: int, *, result_json: str, report_html: str, now: datetime
) -> None:
    session.execute(
        update(StudyRow)
        .where(StudyRow.id == study_id)
        .values(status="done", result_json=result_json, report_html=report_html, finished_at=now)
    )
    audit_store.append(session, kind="study.done", actor="system:planner", at=now, data={"study": study_id})


def fail_study(session: Session, study_id: int, *, error: str, now: datetime) -> None:
    session.execute(
        update(StudyRow).where(StudyRow.id == study_id).values(status="failed", error=error, finished_at=now)
    )
    audit_store.append(
        session, kind="study.failed", actor="system:planner", at=now, data={"study": study_id, "error": error}
    )


def get_study(session: Session, study_id: int, with_result: bool = False) -> StudyRow | None:
    if not 1 <= study_id <= MAX_ID:
        return None
    options = [undefer(StudyRow.result_json)] if with_result else []
    return session.get(StudyRow, study_id, options=options)


def study_output(session: Session, study_id: int, kind: StudyOutput) -> str | None:
    column = {"json": StudyRow.result_json, "report": StudyRow.report_html}
    if not 1 <= study_id <= MAX_ID:
        return None
    return session.scalar(select(column[kind]).where(StudyRow.id == study_id))


def list_studies(session: Session, offset: int = 0, limit: int = 100) -> Page[StudyRow]:
    """Newest first."""
    return page(session, select(StudyRow), (StudyRow.id.desc(),), offset, limit)


def latest_done_study(session: Session) -> StudyRow | None:
    return session.scalar(
        select(StudyRow)
        .options(undefer(StudyRow.result_json))
        .where(StudyRow.status == "done")
        .order_by(StudyRow.id.desc())
        .limit(1)
    )

"""Robust-plan studies (`POST /api/v1/studies`): queued, running, then done with their outputs, or failed.

1. `add_study` records a queued study + an audit record (`study.queued`);
2. `mark_running` / `finish_study` / `fail_study` move it along (`background_store`, shared with
   comparisons); `finish_study` stores the study's own
   outputs verbatim (the bytes `tender plan --robust --json` and `--report` write);
3. `get_study`, `list_studies` (newest first), `study_output` (one stored output) read them back.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, undefer

from tender.ledger.sql import audit_store, background_store
from tender.ledger.sql.models import StudyRow
from tender.ledger.sql.paging import Page, page

StudyOutput = background_store.Output


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
    background_store.mark_running(session, StudyRow, study_id)


def finish_study(
    session: Session, study_id: int, *, result_json: str, report_html: str, now: datetime
) -> None:
    background_store.finish(
        session, StudyRow, study_id, result_json=result_json, report_html=report_html, now=now
    )


def fail_study(session: Session, study_id: int, *, error: str, now: datetime) -> None:
    background_store.fail(session, StudyRow, study_id, error=error, now=now)


def get_study(session: Session, study_id: int, with_result: bool = False) -> StudyRow | None:
    return background_store.get(session, StudyRow, study_id, with_result)


def study_output(session: Session, study_id: int, kind: StudyOutput) -> str | None:
    return background_store.output(session, StudyRow, study_id, kind)


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

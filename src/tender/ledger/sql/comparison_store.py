"""Comparisons (`POST /api/v1/comparisons`): queued, running, then done with their outputs, or failed.

1. `add_comparison` records a queued comparison (the variants as submitted: name and overlay text, the
   base first) + an audit record (`comparison.queued`);
2. `mark_running` / `finish_comparison` / `fail_comparison` move it along (`background_store`, shared
   with studies); `finish_comparison` stores the bytes `tender compare --json` and `--report` write;
3. `get_comparison`, `list_comparisons` (newest first), `comparison_output` read them back — from any
   server process on the database, and after a restart.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tender.ledger.sql import audit_store, background_store
from tender.ledger.sql.background_store import Output
from tender.ledger.sql.models import ComparisonRow
from tender.ledger.sql.paging import Page, page


def add_comparison(
    session: Session,
    *,
    scenario_pk: int,
    seed: int,
    variants: list[tuple[str, str | None]],
    actor: str,
    now: datetime,
) -> ComparisonRow:
    """`variants`: (name, overlay text), the base first with overlay None."""
    doc = [{"name": name, "overlay": overlay} for name, overlay in variants]
    row = ComparisonRow(
        scenario_pk=scenario_pk,
        seed=seed,
        variants_json=json.dumps(doc, sort_keys=True),
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
    data = {"comparison": row.id, "scenario": scenario_pk, "seed": seed, "variants": [n for n, _ in variants]}
    audit_store.append(session, kind="comparison.queued", actor=actor, at=now, data=data)
    return row


def variant_names(row: ComparisonRow) -> list[str]:
    """The variants' names, the base first."""
    return [str(v["name"]) for v in json.loads(row.variants_json)]


def mark_running(session: Session, comparison_id: int) -> None:
    background_store.mark_running(session, ComparisonRow, comparison_id)


def finish_comparison(
    session: Session, comparison_id: int, *, result_json: str, report_html: str, now: datetime
) -> None:
    background_store.finish(
        session, ComparisonRow, comparison_id, result_json=result_json, report_html=report_html, now=now
    )


def fail_comparison(session: Session, comparison_id: int, *, error: str, now: datetime) -> None:
    background_store.fail(session, ComparisonRow, comparison_id, error=error, now=now)


def get_comparison(session: Session, comparison_id: int, with_result: bool = False) -> ComparisonRow | None:
    return background_store.get(session, ComparisonRow, comparison_id, with_result)


def comparison_output(session: Session, comparison_id: int, which: Output) -> str | None:
    return background_store.output(session, ComparisonRow, comparison_id, which)


def list_comparisons(session: Session, offset: int = 0, limit: int | None = 100) -> Page[ComparisonRow]:
    """Newest first."""
    return page(session, select(ComparisonRow), (ComparisonRow.id.desc(),), offset, limit)

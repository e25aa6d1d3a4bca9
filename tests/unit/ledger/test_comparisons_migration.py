"""Migration 0009 adds `comparisons` to a database the service already wrote (at 0008), on SQLite and
PostgreSQL: what was there stays, the new table has exactly the columns (and nullability) of the
`ComparisonRow` model, and a comparison goes queued -> running -> done through it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from fresh_database import fresh_postgres_database
from tender.ledger.sql import Database, comparison_store, plan_store, study_store, upgrade
from tender.ledger.sql.migrate import SCRIPTS
from tender.ledger.sql.models import ComparisonRow

HEAD = ScriptDirectory(str(SCRIPTS)).get_current_head()
NOW = datetime(2026, 7, 1, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    with fresh_postgres_database(request.getfixturevalue("postgres_url"), "tender_m") as fresh:
        yield fresh


@pytest.mark.timeout(120)
def test_0009_adds_comparisons_next_to_what_0008_stored(url: str) -> None:
    db = Database(url)
    try:
        assert upgrade(db, "0008") == "0008"
        assert "comparisons" not in inspect(db.reader).get_table_names()
        with db.write() as s:
            scenario = plan_store.add_scenario(
                s, name="a.yaml", scenario_id="a", text="x", actor="t", now=NOW
            ).id
            study = study_store.add_study(
                s, scenario_pk=scenario, seed=1, samples=2, eval_samples=3, actor="t", now=NOW
            ).id

        assert upgrade(db) == HEAD
        columns = {c["name"]: c["nullable"] for c in inspect(db.reader).get_columns("comparisons")}
        assert columns == {c.name: c.nullable for c in ComparisonRow.__table__.columns}
        with db.read() as s:
            kept = study_store.get_study(s, study)
            assert kept is not None and (kept.scenario_pk, kept.samples, kept.status) == (
                scenario,
                2,
                "queued",
            )

        with db.write() as s:
            cid = comparison_store.add_comparison(
                s, scenario_pk=scenario, seed=4, variants=[("a", None), ("b", "x: 1\n")], actor="t", now=NOW
            ).id
            comparison_store.mark_running(s, cid)
        with db.write() as s:
            comparison_store.finish_comparison(s, cid, result_json='{"k": 1}', report_html="<p>", now=NOW)
            comparison_store.mark_running(s, cid)  # a late second worker changes nothing
        with db.read() as s:
            row = comparison_store.get_comparison(s, cid, with_result=True)
            assert row is not None
            assert (row.status, row.result_json, row.finished_at) == ("done", '{"k": 1}', NOW)
            assert comparison_store.variant_names(row) == ["a", "b"]
            assert comparison_store.comparison_output(s, cid, "report") == "<p>"
            assert comparison_store.get_comparison(s, cid + 1) is None
    finally:
        db.dispose()

"""The runtime's schema comes from the ledger/sql package's Alembic migrations (SQLite and PostgreSQL),
and every metered attempt (finished or lost) is also a row of the ledger the server reads."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect
from two_pools import Harness, two_pools

from tender.clocks import ManualClock
from tender.ledger.sql import runtime_ledger
from tender.ledger.sql.migrate import SCRIPTS, current_revision
from tender.ledger.sql.runtime_tables import runtime_metadata
from tender.runtime.spec import JobSpec
from tender.runtime.store import Store

RUNTIME_TABLES = {t.name for t in runtime_metadata.sorted_tables}
HEAD = ScriptDirectory(str(SCRIPTS)).get_current_head()  # one head: 0003 chains after the last one


def _tables(store: Store) -> set[str]:
    return set(inspect(store.db.reader).get_table_names())


def _check_migrated(url: str) -> None:
    store = Store(url)
    try:
        assert _tables(store) >= RUNTIME_TABLES
        assert {"ledger_entries", "alembic_version"} <= _tables(store)
        assert current_revision(store.db) == HEAD
        Store(url).close()  # a second start finds it migrated
    finally:
        store.close()


def test_fresh_sqlite_file_gets_runtime_tables_by_migration(tmp_path: Path) -> None:
    _check_migrated(f"sqlite:///{tmp_path / 'fresh.db'}")


def test_fresh_postgresql_database_gets_runtime_tables_by_migration(fresh_pg: str) -> None:
    _check_migrated(fresh_pg)


def test_state_made_by_create_all_before_migrations_is_adopted(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    runtime_metadata.create_all(engine)  # what the runtime did before revision 0003
    engine.dispose()
    _check_migrated(url)


def _setup(tmp_path: Path) -> Harness:
    clock = ManualClock(datetime(2025, 3, 31, 23, 58, tzinfo=UTC))
    return two_pools(tmp_path, clock, prices={"a": Decimal("2.49"), "b": Decimal("1.10")})


def _ledger(store: Store) -> list[dict[str, object]]:
    with store.db.read() as s:
        return runtime_ledger.usage_entries(s)


def test_ledger_gpu_hours_and_money_equal_the_runtime_meter(tmp_path: Path) -> None:
    h = _setup(tmp_path)
    for i in range(5):
        h.submit(JobSpec(f"j{i}", "true", gpus=1 + i % 2))
    for _ in range(4):
        h.tick()
        h.clock.advance(100)
    assert {j["state"] for j in h.store.jobs()} == {"succeeded"}
    with h.store.db.read() as s:
        for column in ("job_id", "pool_id", "provider"):
            assert runtime_ledger.gpu_hours_by(s, column) == h.store.gpu_hours_by(column)
    prices = {"a": Decimal("2.49"), "b": Decimal("1.10")}
    rows = _ledger(h.store)
    assert len(rows) == 5
    for row in rows:
        hours = Decimal(str(row["gpu_hours"]))
        assert Decimal(str(row["billed_cost_usd"])) == prices[str(row["pool_id"])] * hours
        assert row["lost"] is False and row["time_source"] == "engine" and row["month"] == 0
    assert {r["billing_period"] for r in rows} <= {"2025-03", "2025-04"}
    with h.store.db.read() as s:
        plan_less = runtime_ledger.gpu_hours_by(s, "outcome")
    assert plan_less == {"succeeded": sum(h.store.gpu_hours_by("job_id").values())}


def test_attempt_lost_mid_run_is_billed_from_the_engine_and_marked_lost(tmp_path: Path) -> None:
    h = _setup(tmp_path)
    job = h.submit(JobSpec("x", "true", gpus=2))
    h.tick()
    first = h.store.attempts_of(job)[0]
    backend = h.a if first["pool_id"] == "a" else h.b
    h.clock.advance(40)
    backend.lose(first["handle"], "NODE_FAIL")
    h.tick()
    h.clock.advance(100)
    h.tick()
    assert h.store.job(job)["state"] == "succeeded"  # type: ignore[index]
    lost, done = _ledger(h.store)
    assert lost["lost"] is True and lost["outcome"] == "lost" and lost["reason"] == "NODE_FAIL"
    assert Decimal(str(lost["seconds"])) == Decimal("40.000") and lost["time_source"] == "engine"
    assert done["lost"] is False and done["job_id"] == lost["job_id"] == job
    assert sum(Decimal(str(r["gpu_hours"])) for r in (lost, done)) == h.store.gpu_hours_by("job_id")[job]


def test_attempt_on_a_silent_engine_is_billed_from_tenders_own_observation(tmp_path: Path) -> None:
    h = _setup(tmp_path)
    job = h.submit(JobSpec("x", "true", gpus=2))
    h.tick()
    h.clock.advance(5)
    h.tick()  # seen running: the engine's start is recorded
    first = h.store.attempts_of(job)[0]
    (h.a if first["pool_id"] == "a" else h.b).reachable = False
    h.tick()
    h.clock.advance(31)
    h.tick()  # silent for longer than lost_after: lost, billed up to now
    [lost] = _ledger(h.store)
    assert lost["lost"] is True and lost["time_source"] == "tender"
    assert Decimal(str(lost["seconds"])) == Decimal("36.000")
    assert Decimal(str(lost["gpu_hours"])) == Decimal("0.020000")
    assert h.store.gpu_hours_by("job_id")[job] == Decimal("0.020000")


def test_0004_copies_job_owners_onto_runtime_jobs(tmp_path: Path) -> None:
    from sqlalchemy import select, text

    from tender.ledger.sql import Database, upgrade
    from tender.ledger.sql.runtime_tables import jobs

    db = Database(f"sqlite:///{tmp_path / 'owners.db'}")
    try:
        assert upgrade(db, "0003") == "0003"
        with db.write() as s:  # a database the service wrote before 0004: owners in job_owners
            for job_id in ("a-1", "a-2"):
                s.execute(
                    text(
                        "INSERT INTO runtime_jobs (id, name, command, gpus, gpu_types, workload_class, workload,"
                        " max_retries, env, state, reason, retries, attempts, cancel_requested, submitted_at,"
                        " updated_at) VALUES (:id, 'a', 'true', 1, '', 'training', '', 0, '{}', 'queued', '',"
                        " 0, 0, false, 0, 0)"
                    ),
                    {"id": job_id},
                )
            s.execute(
                text(
                    "INSERT INTO job_owners (job_id, team, submitted_by, created_at)"
                    " VALUES ('a-1', 'research', 'token:7', '2025-01-01 00:00:00')"
                )
            )
        assert upgrade(db) == HEAD
        with db.read() as s:
            owners = s.execute(select(jobs.c.id, jobs.c.team, jobs.c.submitted_by).order_by(jobs.c.id)).all()
        assert [tuple(o) for o in owners] == [("a-1", "research", "token:7"), ("a-2", None, None)]
    finally:
        db.dispose()

"""Fixtures for the service tests: one database per test, on SQLite and (when it runs) PostgreSQL.

1. `db_url` is parametrized: `sqlite` (a file under tmp_path) and `postgresql` (a fresh database created
   from the session's `postgres_url`, dropped after the test; skipped, or failed under CI=true, when
   PostgreSQL cannot run here).
2. `clock` is a ManualClock inside the minimal scenario's horizon (2026-07).
3. `service` builds the app on that database and clock, with a TestClient, and makes one token per role.
"""

from __future__ import annotations

import secrets
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():
    # Starlette 1.x prefers `httpx2` for its TestClient; the project pins `httpx`, which still works.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

from service_support import ROLES, START, Service, make_token

from tender.ledger.sql import Database, upgrade
from tender.service import ManualClock, Settings, create_app


def _fresh_pg(base: str) -> tuple[str, str]:
    import psycopg

    name = f"tender_t_{secrets.token_hex(4)}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return base.rsplit("/", 1)[0] + "/" + name, name


def _drop_pg(base: str, name: str) -> None:
    import psycopg

    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tender.db'}"
        return
    base = request.getfixturevalue("postgres_url")
    url, name = _fresh_pg(base)
    try:
        yield url
    finally:
        _drop_pg(base, name)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def service(db_url: str, clock: ManualClock) -> Iterator[Service]:
    settings = Settings(database_url=db_url, clock=clock, background_tasks=False, token_cache_seconds=0)
    app = create_app(settings)
    db: Database = app.state.ctx.db
    upgrade(db)
    with TestClient(app) as client:
        svc = Service(client, db, clock)
        for role in ROLES:
            svc.tokens[role] = make_token(db, role)
        yield svc

"""Fixtures for the service tests: one database per test, on SQLite and (when it runs) PostgreSQL.

1. `db_url` is parametrized: `sqlite` (a file under tmp_path) and `postgresql` (a fresh database created
   from the session's `postgres_url`, dropped after the test; skipped, or failed under CI=true, when
   PostgreSQL cannot run here).
2. `clock` is a ManualClock inside the minimal scenario's horizon (2026-07).
3. `service` builds the app on that database and clock, with a TestClient, and makes one token per role.
"""

from __future__ import annotations

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

from fresh_database import fresh_postgres_database
from tender.ledger.sql import Database, upgrade
from tender.service import ManualClock, Settings, create_app


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tender.db'}"
        return
    with fresh_postgres_database(request.getfixturevalue("postgres_url"), "tender_t") as url:
        yield url


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


@pytest.fixture(autouse=True)
def _audit_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """Audit checkpoints are signed with a test key (never a key file under the real TENDER_HOME)."""
    monkeypatch.setenv("TENDER_AUDIT_KEY", "test-audit-key")

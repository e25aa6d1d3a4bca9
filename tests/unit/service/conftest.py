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
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():
    # Starlette 1.x prefers `httpx2` for its TestClient; the project pins `httpx`, which still works.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

from tender.ledger.sql import Database, token_store, upgrade
from tender.service import ManualClock, Settings, create_app

REPO = Path(__file__).resolve().parents[3]
MINIMAL = (REPO / "examples" / "minimal.yaml").read_text(encoding="utf-8")
START = datetime(2026, 7, 1, tzinfo=UTC)


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


def make_token(db: Database, role: str, now: datetime = START) -> str:
    r, subject = token_store.parse_role(role)
    with db.write() as session:
        return token_store.create(session, role=r, subject=subject, now=now, created_by="test").token


@dataclass
class Service:
    client: TestClient
    db: Database
    clock: ManualClock
    tokens: dict[str, str] = field(default_factory=dict)

    def h(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def call(self, role: str | None, method: str, path: str, **kw: Any) -> Any:
        headers = {**(self.h(role) if role else {}), **kw.pop("headers", {})}
        return self.client.request(method, path, headers=headers, **kw)

    def upload_minimal(self) -> int:
        r = self.call("admin", "POST", "/api/v1/scenarios", json={"name": "minimal.yaml", "yaml": MINIMAL})
        assert r.status_code == 201, r.text
        return int(r.json()["id"])

    def raise_need(self, scenario: int, need_id: str = "n1", gpus: int = 20000, quotes: bool = True) -> Any:
        body = {
            "scenario": scenario,
            "need": {
                "id": need_id,
                "workload": "pretrain-x",
                "workload_class": "training",
                "gpu": "GB200",
                "gpus": gpus,
                "region": "us-central",
                "start": "2026-10-01",
                "months": 4,
                "price": "6.5",
            },
            "quotes": [{"provider": "rival-cloud-a", "price": "5.2", "gpus": gpus}] if quotes else [],
        }
        r = self.call("planner", "POST", "/api/v1/needs", json=body)
        assert r.status_code == 201, r.text
        return r.json()


ROLES = ("admin", "planner", "team:research", "provider:primary-cloud", "provider:rival-cloud-a")


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

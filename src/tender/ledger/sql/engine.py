"""Connect to SQLite or PostgreSQL the same way: one `Database` with a read and a write path.

1. `default_url(home)` is a SQLite file under TENDER_HOME (default ~/.local/share/tender).
   `resolve_url` picks the flag, then `TENDER_DATABASE_URL`, then the default, and refuses a URL that
   does not parse or names another database (`BadDatabaseUrl`, one line).
2. `Database(url)` checks a SQLite file's folder: TENDER_HOME (the default's) is created, any other
   missing folder is a `BadDatabaseUrl` naming it (never created silently). It builds the engines: on SQLite, WAL + busy timeout; writes begin with `BEGIN IMMEDIATE`
   (one writer at a time, no lost upgrades), reads begin deferred. On PostgreSQL one pooled engine.
3. `db.write()` opens a transaction for a change; on PostgreSQL it first takes a transaction-scoped
   advisory lock so that writers in every process that shares the database append to the one audit
   chain in order. If it appended audit records and the database has an `audit_key`, a signed checkpoint
   of the new head is written just before commit (`anchor.py`). Commit on success, roll back on any error.
4. `db.read()` opens a session for queries only.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from tender.ledger.sql import anchor

WRITE_LOCK_KEY = 0x7E4D  # advisory lock id for serialized writers on PostgreSQL
URL_FORMS = "sqlite:///PATH or postgresql://USER:PASSWORD@HOST/DB"


class BadDatabaseUrl(ValueError):
    """A database URL that cannot be used: unparsable, another database, or a missing folder."""


def tender_home() -> Path:
    return Path(os.environ.get("TENDER_HOME") or Path.home() / ".local" / "share" / "tender")


def default_url(home: Path | None = None) -> str:
    return f"sqlite:///{(home or tender_home()) / 'tender.db'}"


def resolve_url(url: str | None) -> str:
    """Flag, then TENDER_DATABASE_URL, then the default SQLite file; `postgresql://` uses psycopg 3.

    Raises `BadDatabaseUrl` for a URL that does not parse or names neither SQLite nor PostgreSQL."""
    chosen = url or os.environ.get("TENDER_DATABASE_URL") or default_url()
    if chosen.startswith("postgresql://") or chosen.startswith("postgres://"):
        chosen = "postgresql+psycopg://" + chosen.split("://", 1)[1]
    _parsed(chosen)
    return chosen


def shown_url(url: str) -> str:
    """The URL with its password masked, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def _parsed(url: str) -> URL:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise BadDatabaseUrl(f"database URL {url!r}: not a URL (expected {URL_FORMS})") from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise BadDatabaseUrl(
            f"database URL {shown_url(url)!r}: {parsed.get_backend_name()!r} is not supported "
            f"(expected {URL_FORMS})"
        )
    return parsed


def sqlite_folder(url: str) -> None:
    """A SQLite file's folder must exist; only TENDER_HOME (where the default file lives) is created."""
    parsed = _parsed(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return
    folder = Path(parsed.database).parent
    if folder.resolve() == tender_home().resolve():
        folder.mkdir(parents=True, exist_ok=True)
    elif folder.exists() and not folder.is_dir():
        raise BadDatabaseUrl(f"database URL {url!r}: {folder} is not a folder")
    elif not folder.exists():
        raise BadDatabaseUrl(f"database URL {url!r}: folder {folder} does not exist (create it first)")


def _sqlite_engine(url: str, immediate: bool) -> Engine:
    engine = create_engine(
        url, connect_args={"check_same_thread": False, "timeout": 30}, pool_size=8, max_overflow=16
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


class Database:
    """The service's handle on its database; safe to share between threads."""

    def __init__(self, url: str | None = None, audit_key: bytes | None = None) -> None:
        self.url = resolve_url(url)
        self.audit_key = audit_key  # signs audit checkpoints (`anchor.py`); None: none are written
        self.dialect = make_url(self.url).get_backend_name()
        if self.dialect == "sqlite":
            sqlite_folder(self.url)
            self.writer = _sqlite_engine(self.url, immediate=True)
            self.reader = _sqlite_engine(self.url, immediate=False)
        else:
            self.writer = create_engine(self.url, pool_size=10, max_overflow=20, pool_pre_ping=True)
            self.reader = self.writer
        self._write_sessions = sessionmaker(self.writer, expire_on_commit=False)
        self._read_sessions = sessionmaker(self.reader, expire_on_commit=False)

    @contextmanager
    def write(self) -> Iterator[Session]:
        with self._write_sessions() as session, session.begin():
            if self.dialect == "postgresql":
                session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": WRITE_LOCK_KEY})
            session.info[anchor.KEY_INFO] = self.audit_key
            yield session
            anchor.seal(session)

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._read_sessions() as session, session.begin():
            yield session

    def ping(self) -> bool:
        try:
            with self.reader.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    def dispose(self) -> None:
        self.writer.dispose()
        if self.reader is not self.writer:
            self.reader.dispose()


def unreachable(exc: BaseException) -> str | None:
    """One line for a database that cannot be opened or reached (None for any other error)."""
    if not isinstance(exc, OperationalError):
        return None
    reason = str(exc.orig or exc).strip().splitlines()
    return f"database: cannot connect: {reason[0] if reason else type(exc).__name__}"


def check_reachable(url: str | None) -> str:
    """`resolve_url`, the folder check and one connection, before a server starts; the URL resolved.

    Raises `BadDatabaseUrl` with one line naming the URL (its password masked) and the reason."""
    db = Database(url)
    try:
        with db.reader.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        reason = unreachable(exc) or str(exc)
        raise BadDatabaseUrl(f"{reason} ({shown_url(db.url)})") from None
    finally:
        db.dispose()
    return db.url

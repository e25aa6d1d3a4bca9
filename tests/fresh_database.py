"""A PostgreSQL database of a test's own on the suite's cluster (imported by name).

1. `fresh_postgres_database(base, prefix)` creates `<prefix>_<random>` next to the database of `base`
   (a `postgresql://` or `postgresql+psycopg://` URL), yields its `postgresql://` URL, and drops it after
   (`WITH (FORCE)`). A failure to create it is the caller's `psycopg.Error`.
2. `drop_postgres_database(base, name)`: FORCE cannot end a backend of another role — e.g. an autovacuum
   worker that has just started on the new database — and then fails with InsufficientPrivilege or
   ObjectInUse; such a worker ends on its own, so the drop is retried for up to 10 s.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def fresh_postgres_database(base: str, prefix: str) -> Iterator[str]:
    import psycopg

    name = f"{prefix}_{secrets.token_hex(4)}"
    plain = base.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield plain.rsplit("/", 1)[0] + "/" + name
    finally:
        drop_postgres_database(plain, name)


def drop_postgres_database(base: str, name: str) -> None:
    import psycopg

    plain = base.replace("postgresql+psycopg://", "postgresql://")
    deadline = time.monotonic() + 10
    while True:
        try:
            with psycopg.connect(plain, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return
        except (psycopg.errors.InsufficientPrivilege, psycopg.errors.ObjectInUse):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)

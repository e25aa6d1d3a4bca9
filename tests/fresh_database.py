"""A PostgreSQL database of a test's own on the suite's cluster (imported by name).

1. `fresh_postgres_database(base, prefix)` creates `<prefix>_<random>` next to the database of `base`
   (a `postgresql://` or `postgresql+psycopg://` URL), yields its `postgresql://` URL, and drops it after
   (`WITH (FORCE)`). A failure to create it is the caller's `psycopg.Error`.
"""

from __future__ import annotations

import secrets
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
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

"""Fixtures of the runtime tests.

1. `fresh_pg` is a PostgreSQL database of the test's own (the session's may already be migrated by other
   tests); when the role may not create one, the test skips.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from fresh_database import fresh_postgres_database


@pytest.fixture
def fresh_pg(postgres_url: str) -> Iterator[str]:
    import psycopg

    with ExitStack() as stack:
        try:
            url = stack.enter_context(fresh_postgres_database(postgres_url, "tender_rt"))
        except psycopg.Error as exc:
            pytest.skip(f"cannot create a PostgreSQL database: {exc}")
        yield url

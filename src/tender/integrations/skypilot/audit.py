"""Each decision of the Python policy in Tender's audit chain, when a database is configured.

1. Only with `TENDER_DATABASE_URL` set (the policy never creates a database of its own accord).
2. The database is opened and migrated to head once per process and URL (`tender.ledger.sql.upgrade`,
   advisory-locked on PostgreSQL), then reused for every request.
3. One `skypilot.decision` record per request: the outcome's summary (`Outcome.record`) plus the
   scenario id, the SkyPilot request name and the SkyPilot user, appended to the same hash chain
   `tender audit verify` checks. The REST endpoint writes the same kind of record itself.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from tender.clocks import SystemClock
from tender.integrations.skypilot.evaluate import Outcome
from tender.ledger.sql import Database, audit_store, upgrade

_DATABASES: dict[str, Database] = {}


def database(env: Mapping[str, str] | None = None) -> Database | None:
    url = (os.environ if env is None else env).get("TENDER_DATABASE_URL")
    if not url:
        return None
    if url not in _DATABASES:
        db = Database(url)
        upgrade(db)
        _DATABASES[url] = db
    return _DATABASES[url]


def record(
    db: Database,
    outcome: Outcome,
    *,
    scenario: str,
    request_name: str,
    user: str | None,
    at: datetime | None = None,
) -> None:
    data: dict[str, Any] = {
        **outcome.record(),
        "scenario": scenario,
        "request_name": request_name,
        "user": user,
    }
    with db.write() as session:
        audit_store.append(
            session,
            kind="skypilot.decision",
            actor=f"skypilot:{user}" if user else "skypilot",
            at=at or SystemClock().now(),
            data=data,
        )

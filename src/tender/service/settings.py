"""What a service instance is configured with (its clock: `tender.clocks`, real by default)."""

from __future__ import annotations

from dataclasses import dataclass, field

from tender.clocks import ManualClock, SystemClock
from tender.ports import Clock

OPS_ENDPOINTS = ("healthz", "readyz", "metrics")


@dataclass
class Settings:
    database_url: str | None = None  # None: TENDER_DATABASE_URL, then a SQLite file under TENDER_HOME
    clock: Clock = field(default_factory=SystemClock)
    expiry_interval_seconds: float = 1.0  # how often open notices are checked against their deadline
    migrate_on_start: bool = True
    background_tasks: bool = True
    plan_workers: int = 1
    secure_cookies: bool = False  # the session cookie's Secure flag (`tender serve --secure-cookies`)
    token_cache_seconds: float = 2.0  # how long a looked-up token is trusted before re-reading the DB
    # ops endpoints answered without a token (`tender serve --public readyz --public metrics`)
    public_endpoints: frozenset[str] = frozenset({"healthz"})
    # the HMAC key signing audit checkpoints; None: TENDER_AUDIT_KEY, else $TENDER_HOME/audit.key (made once)
    audit_key: bytes | None = None


__all__ = ["OPS_ENDPOINTS", "ManualClock", "Settings", "SystemClock"]

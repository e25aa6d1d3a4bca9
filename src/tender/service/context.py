"""The per-app context routers reach through `request.app.state.ctx`: database, clock, metrics, workers."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from fastapi import Request

from tender.ledger.sql import Database
from tender.ports import Clock
from tender.service.metrics import Metrics
from tender.service.settings import Settings


@dataclass
class TokenCache:
    """token-hash -> (expires_monotonic, principal fields); short-lived, so revocation takes effect fast."""

    ttl: float
    _items: dict[str, tuple[float, tuple[str, str, str | None]]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, key: str) -> tuple[str, str, str | None] | None:
        with self._lock:
            hit = self._items.get(key)
            if hit is None or hit[0] < time.monotonic():
                self._items.pop(key, None)
                return None
            return hit[1]

    def put(self, key: str, value: tuple[str, str, str | None]) -> None:
        if self.ttl <= 0:
            return
        with self._lock:
            if len(self._items) > 10_000:
                self._items.clear()
            self._items[key] = (time.monotonic() + self.ttl, value)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


@dataclass
class Context:
    settings: Settings
    db: Database
    clock: Clock
    metrics: Metrics
    plans: ThreadPoolExecutor
    tokens: TokenCache

    def now(self) -> datetime:
        return self.clock.now()


def ctx_of(request: Request) -> Context:
    ctx: Context = request.app.state.ctx
    return ctx

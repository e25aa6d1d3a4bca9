"""The clocks that satisfy `tender.ports.Clock` (an aware UTC datetime from `now()`).

- `SystemClock`: the real clock, the only place Tender reads the wall time (`datetime.now`); the runtime,
  the server, the CLI and the local backend all take their "now" from it.
- `ManualClock`: the test clock, moved by hand (`advance(seconds or timedelta)`, `set(at)`); thread-safe,
  so a test can move it while the server's background tasks read it.
- The simulator's `tender.sim.events.VirtualClock` conforms too (`now()` a datetime, `seconds` its float).
The core (`domain`, `contracts`, `sourcing`, `placement`) reads no clock: time is a parameter there.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

DEFAULT_START = datetime(2025, 1, 1, tzinfo=UTC)


class SystemClock:
    """The real clock (UTC)."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock tests move by hand: `now()` stays put until `advance` or `set`."""

    def __init__(self, start: datetime = DEFAULT_START) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime (UTC)")
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, by: float | timedelta) -> datetime:
        """Move forward by `by` (seconds, or a timedelta); returns the new time."""
        step = by if isinstance(by, timedelta) else timedelta(seconds=by)
        with self._lock:
            self._now += step
            return self._now

    def set(self, at: datetime) -> None:
        with self._lock:
            self._now = at

"""GPU-hours of one finished or lost attempt, exact Decimal, into the runtime's meter and the ledger.

1. `measure(status, gpus, observed_start, now, wrapped)` picks the times, best source first:
   a. the fence wrapper's own timestamps of the command (`tender.fence`: just before it started the
      command, and once the command's whole tree was dead), sub-second, on every backend: `wrapper`;
   b. the wrapper's start, but no record (the wrapper and its keeper were killed together, or its lease
      directory was lost): up to its last lease renewal: `wrapper, last renewal`;
   c. the engine's own start and end (`sacct` Start/End, whole seconds; Ray job start/end, which include
      the job supervisor's start-up): `engine` — only for attempts that ran without a wrapper;
   d. the engine's start, but no end: up to when Tender gave up on it, `now`: `engine start, tender stop`;
   e. no answer from the engine: the start Tender recorded when it saw the attempt running, to `now`:
      `tender`;
   f. never seen running: nothing to bill (None).
2. GPUs = what the engine allocated, else what was requested; seconds to the millisecond, GPU-hours to
   the micro-hour (banker's rounding), per attempt.
3. `record(session, ...)`: one `runtime_usage` row (unique per attempt key: metered once, even across
   restarts) and, in the same transaction, one ledger row (`tender.ledger.sql.runtime_ledger`) priced at
   the pool's price per GPU-hour, marked `lost` for attempts lost mid-run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Decimal

from sqlalchemy.orm import Session

from tender.ledger.sql.runtime_ledger import UsageEntry, append_usage
from tender.ledger.sql.runtime_store import insert_usage
from tender.ports import RunStatus
from tender.runtime.pools import PoolConfig

_MS = Decimal("0.001")
_MICRO_HOURS = Decimal("0.000001")


@dataclass(frozen=True)
class Wrapped:
    """What the fence wrapper of an attempt wrote (epoch seconds)."""

    started: float | None
    ended: float | None  # its record: the command's tree was dead
    last_beat: float | None  # its last lease renewal


@dataclass(frozen=True)
class Measured:
    gpus: int
    seconds: Decimal
    gpu_hours: Decimal
    source: str
    ended_at: datetime


def _stamp(value: float) -> datetime:
    return datetime.fromtimestamp(value, UTC)


def measure(
    status: RunStatus | None,
    requested_gpus: int,
    observed_start: float | None,
    now: float,
    wrapped: Wrapped | None = None,
) -> Measured | None:
    start = status.started_at if status is not None else None
    end = status.ended_at if status is not None else None
    if wrapped is not None and wrapped.started is not None and (wrapped.ended or wrapped.last_beat):
        last = wrapped.ended or wrapped.last_beat or wrapped.started
        start, end = _stamp(wrapped.started), _stamp(max(wrapped.started, last))
        source = "wrapper" if wrapped.ended else "wrapper, last renewal"
    elif start is not None and end is not None:
        source = "engine"
    elif start is not None:
        end, source = _stamp(now), "engine start, tender stop"
    elif observed_start is not None:
        start, end, source = _stamp(observed_start), end or _stamp(now), "tender"
    else:
        return None
    elapsed = max(0.0, (end - start).total_seconds())
    gpus = status.gpus if status is not None and status.gpus is not None else requested_gpus
    seconds = Decimal(repr(elapsed)).quantize(_MS, rounding=ROUND_HALF_EVEN)
    hours = (seconds * gpus / Decimal(3600)).quantize(_MICRO_HOURS, rounding=ROUND_HALF_EVEN)
    return Measured(gpus, seconds, hours, source, end)


def record(
    s: Session,
    *,
    attempt_key: str,
    job_id: str,
    pool_id: str,
    pool: PoolConfig | None,
    measured: Measured,
    outcome: str,
    reason: str,
    now: float,
) -> None:
    provider = pool.provider if pool else "?"
    insert_usage(
        s,
        attempt_key=attempt_key,
        job_id=job_id,
        pool_id=pool_id,
        provider=provider,
        gpus=measured.gpus,
        seconds=measured.seconds,
        gpu_hours=measured.gpu_hours,
        outcome=outcome,
    )
    entry = UsageEntry(
        attempt_key=attempt_key,
        job_id=job_id,
        pool_id=pool_id,
        provider=provider,
        gpus=measured.gpus,
        seconds=measured.seconds,
        gpu_hours=measured.gpu_hours,
        price_per_gpu_hour=pool.price_per_gpu_hour if pool else Decimal(0),
        outcome=outcome,
        time_source=measured.source,
        ended_at=measured.ended_at,
        reason=reason,
    )
    append_usage(s, entry, _stamp(now))

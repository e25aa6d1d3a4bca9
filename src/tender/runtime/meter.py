"""GPU-hours of one finished or lost attempt, exact Decimal, into the runtime's meter and the ledger.

1. `measure(status, gpus, observed_start, now)` picks the times, best source first:
   a. the engine's own start and end (`sacct` Start/End, Ray job start/end, the local wrapper's files):
      `engine`;
   b. the engine's start, but no end (a Slurm job on a node that stopped answering, whose accounting
      never closes): it held the GPUs until Tender gave up on it and cancelled it, `now`:
      `engine start, tender stop`;
   c. no answer from the engine (silent, or it forgot the job): the start Tender recorded when it saw
      the attempt running, to `now`: `tender`;
   d. never seen running: nothing to bill (None).
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

from sqlalchemy import insert
from sqlalchemy.orm import Session

from tender.ledger.sql.runtime_ledger import UsageEntry, append_usage
from tender.ledger.sql.runtime_tables import usage
from tender.ports import RunStatus
from tender.runtime.pools import PoolConfig

_MS = Decimal("0.001")
_MICRO_HOURS = Decimal("0.000001")


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
    status: RunStatus | None, requested_gpus: int, observed_start: float | None, now: float
) -> Measured | None:
    start = status.started_at if status is not None else None
    end = status.ended_at if status is not None else None
    if start is not None and end is not None:
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
    s.execute(
        insert(usage).values(
            attempt_key=attempt_key,
            job_id=job_id,
            pool_id=pool_id,
            provider=provider,
            gpus=measured.gpus,
            seconds=measured.seconds,
            gpu_hours=measured.gpu_hours,
            outcome=outcome,
        )
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

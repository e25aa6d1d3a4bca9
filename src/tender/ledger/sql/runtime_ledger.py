"""GPU-hours actually used by runtime jobs, appended to the ledger the server reads (`ledger_entries`).

1. The runtime meters each finished or lost attempt once (`runtime_usage.attempt_key` is unique) and, in
   the same transaction, calls `append_usage`: one `ledger_entries` row with no plan (`plan_id` NULL,
   migration 0003), `month` 0 (actual use, not a plan's horizon month), `period` the UTC month the
   attempt ended, the pool's provider, and `billed_cost` = `effective_cost` = price per GPU-hour x
   GPU-hours, exact Decimal.
2. `row_json` holds the planner's ledger columns (`gpu_hours`, `billed_cost_usd`, ...) plus the
   attempt: job, pool, GPUs, seconds, outcome, `lost`, where the times came from (`time_source`).
3. `usage_entries` / `gpu_hours_by` read them back (append-only: no update or delete path).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from tender.ledger.sql.models import LedgerEntry

RUNTIME_MONTH = 0  # ledger rows of actual use carry no plan horizon month


@dataclass(frozen=True)
class UsageEntry:
    attempt_key: str
    job_id: str
    pool_id: str
    provider: str
    gpus: int
    seconds: Decimal
    gpu_hours: Decimal
    price_per_gpu_hour: Decimal
    outcome: str  # succeeded | failed | cancelled | lost
    time_source: str  # engine | engine start, tender stop | tender
    ended_at: datetime
    reason: str = ""

    @property
    def lost(self) -> bool:
        return self.outcome == "lost"

    @property
    def cost(self) -> Decimal:
        return self.price_per_gpu_hour * self.gpu_hours


def _usd(value: Decimal) -> str:
    return format(value, "f")


def append_usage(session: Session, entry: UsageEntry, now: datetime) -> LedgerEntry:
    period = entry.ended_at.astimezone(UTC).strftime("%Y-%m")
    cost = entry.cost
    row = {
        "month": RUNTIME_MONTH,
        "billing_period": period,
        "provider": entry.provider,
        "contract_id": "",
        "gpu_hours": _usd(entry.gpu_hours),
        "billed_cost_usd": _usd(cost),
        "effective_cost_usd": _usd(cost),
        "commitment_status": "actual",
        "kind": "runtime_usage",
        "attempt_key": entry.attempt_key,
        "job_id": entry.job_id,
        "pool_id": entry.pool_id,
        "gpus": entry.gpus,
        "seconds": _usd(entry.seconds),
        "price_per_gpu_hour_usd": _usd(entry.price_per_gpu_hour),
        "outcome": entry.outcome,
        "lost": entry.lost,
        "reason": entry.reason,
        "time_source": entry.time_source,
        "ended_at": entry.ended_at.astimezone(UTC).isoformat(),
    }
    ledger = LedgerEntry(
        plan_id=None,
        month=RUNTIME_MONTH,
        period=period,
        provider=entry.provider,
        contract=None,
        billed_cost=cost,
        effective_cost=cost,
        row_json=json.dumps(row, sort_keys=True),
        created_at=now,
    )
    session.add(ledger)
    session.flush()
    return ledger


def usage_entries(session: Session) -> list[dict[str, object]]:
    """Every runtime usage row of the ledger (its `row_json`), in append order."""
    query = select(LedgerEntry.row_json).where(LedgerEntry.plan_id.is_(None)).order_by(LedgerEntry.id)
    rows = [json.loads(text) for text in session.scalars(query)]
    return [r for r in rows if r.get("kind") == "runtime_usage"]


def gpu_hours_by(session: Session, column: str) -> dict[str, Decimal]:
    """Sum of the ledger's runtime GPU-hours by `job_id`, `pool_id`, `provider` or `outcome`."""
    out: dict[str, Decimal] = {}
    for row in usage_entries(session):
        key = str(row[column])
        out[key] = out.get(key, Decimal(0)) + Decimal(str(row["gpu_hours"]))
    return dict(sorted(out.items()))

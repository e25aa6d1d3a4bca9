"""Imported actuals (`actual_costs`) and the runtime's metered use, read back as one kind of row.

1. `insert_rows(session, rows)`: one batch of `actual_costs` rows; a `row_key` already stored is
   skipped (`INSERT ... ON CONFLICT DO NOTHING` on SQLite and PostgreSQL). The caller holds one
   transaction for a whole file, so a bad row later in the file rolls every batch back.
2. `count_rows(session)`: rows stored (the importer counts before and after to report what it added).
3. `actual_lines(session)`: every stored row as an `ActualLine` (provider, period, region,
   accelerator, spend category, billed and effective cost, GPU-hours), streamed in id order.
4. `workload_lines(session)`: the rows holding accelerators, each with its `SubAccountId` (the
   workload it was billed for; `tender.ledger.actuals.pinned_facts` finds the runs in progress);
5. `workload_attempts(session)`: the runtime's attempts that ran (started), each with its job's
   `workload`, pool, GPUs and interval (`ended_at` None while it runs): a run in progress per the runtime;
6. `runtime_lines(session)`: the runtime's metered use (`runtime_ledger.usage_entries`) as
   `ActualLine`s of source `runtime`: the pool id is provider/accelerator/region, the cost is the
   pool's price x GPU-hours (its spend category is decided by the report, which knows the rates).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from tender.ledger.sql.models import ActualCost
from tender.ledger.sql.runtime_ledger import usage_entries
from tender.ledger.sql.runtime_tables import attempts, jobs


@dataclass(frozen=True)
class ActualLine:
    source: str  # focus | runtime
    provider: str
    period: str  # YYYY-MM
    region: str
    accelerator: str
    spend_category: str  # "" for runtime use (decided from the scenario's rates)
    billed_cost: Decimal
    effective_cost: Decimal
    gpu_hours: Decimal


def insert_rows(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    if not rows:
        return
    table: Any = ActualCost.__table__  # Core insert: no ORM bookkeeping per row
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        stmt: Any = postgresql.insert(table).on_conflict_do_nothing(index_elements=["row_key"])
    else:
        stmt = sqlite.insert(table).on_conflict_do_nothing(index_elements=["row_key"])
    session.connection().execute(stmt, list(rows))


def count_rows(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(ActualCost)) or 0)


# The columns an `ActualLine` is made of, in its field order after the source
_LINE_COLUMNS = (
    ActualCost.provider,
    ActualCost.period,
    ActualCost.region,
    ActualCost.accelerator,
    ActualCost.spend_category,
    ActualCost.billed_cost,
    ActualCost.effective_cost,
    ActualCost.gpu_hours,
)


def actual_lines(session: Session) -> Iterator[ActualLine]:
    query = select(*_LINE_COLUMNS).order_by(ActualCost.id)
    for p, period, region, gpu, category, billed, effective, hours in session.execute(
        query.execution_options(yield_per=10_000)
    ):
        yield ActualLine("focus", p, period, region, gpu, category, billed, effective, hours)


@dataclass(frozen=True)
class WorkloadLine:
    workload: str  # the row's SubAccountId ("" when it has none)
    line: ActualLine


def workload_lines(session: Session) -> Iterator[WorkloadLine]:
    query = (
        select(*_LINE_COLUMNS, ActualCost.row_json)
        .where(ActualCost.accelerator != "")
        .order_by(ActualCost.id)
    )
    for p, period, region, gpu, category, billed, effective, hours, text in session.execute(
        query.execution_options(yield_per=10_000)
    ):
        workload = json.loads(text).get("SubAccountId") or ""
        line = ActualLine("focus", p, period, region, gpu, category, billed, effective, hours)
        yield WorkloadLine(str(workload), line)


@dataclass(frozen=True)
class WorkloadAttempt:
    workload: str
    pool_id: str  # provider/accelerator/region
    gpus: int
    started_at: float  # epoch seconds
    ended_at: float | None  # None: still running


def workload_attempts(session: Session) -> list[WorkloadAttempt]:
    query = (
        select(
            jobs.c.workload, attempts.c.pool_id, attempts.c.gpus, attempts.c.started_at, attempts.c.ended_at
        )
        .join(jobs, jobs.c.id == attempts.c.job_id)
        .where(attempts.c.started_at.is_not(None), jobs.c.workload != "")
        .order_by(attempts.c.id)
    )
    return [
        WorkloadAttempt(str(w), str(pool), int(gpus), float(start), None if end is None else float(end))
        for w, pool, gpus, start, end in session.execute(query)
    ]


def runtime_lines(session: Session) -> list[ActualLine]:
    out: list[ActualLine] = []
    for row in usage_entries(session):
        parts = str(row.get("pool_id", "")).split("/")
        gpu = parts[1] if len(parts) == 3 else ""
        region = parts[2] if len(parts) == 3 else ""
        cost = Decimal(str(row["billed_cost_usd"]))
        out.append(
            ActualLine(
                "runtime",
                str(row["provider"]),
                str(row["billing_period"]),
                region,
                gpu,
                "",
                cost,
                Decimal(str(row["effective_cost_usd"])),
                Decimal(str(row["gpu_hours"])),
            )
        )
    return out

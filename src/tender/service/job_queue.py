"""The server's view of the live runtime's jobs (`tender.runtime`), in the service's own transactions.

The server never runs jobs: it queues them in the runtime's tables (read and written through
`tender.ledger.sql.runtime_store`, in the server's database) and `tender agent` — on the same database (by default both use `--database-url` /
`TENDER_DATABASE_URL`, else `$TENDER_HOME/tender.db`) — places, runs, meters and finishes them.

1. `parse_spec(body)`: the JSON body is a Tender job spec or a SkyPilot task; it goes through the runtime's
   own validation (`tender.runtime.spec.parse_job_data`: the JSON body as parsed, no YAML round trip) and,
   once the agent has stored its pools, `check_against` them and their contracts (a job no pool may ever
   take: each pool's reason code and clause id). Problems come back as `InputError` (field paths), answered 422.
2. `submit(session, spec, ...)` and `request_cancel(session, job_id, ...)` are the runtime's own
   (`tender.runtime.queue`, the same code as `tender run` / `tender cancel`): the id is allocated inside the
   write transaction, the owner is stored on the job row (`runtime_jobs.team`, `submitted_by`), and each
   move is an event and an audit record.
3. `jobs(session, team=None, offset, limit)` / `job_count` / `job(session, id)`: rows with their owner and metered GPU-hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.engine import RowMapping
from sqlalchemy.orm import Session

from tender.config import InputError
from tender.config.yamlpos import Positions
from tender.ledger.sql import runtime_store
from tender.runtime.pools import RuntimeConfig, from_json
from tender.runtime.queue import request_cancel, submit
from tender.runtime.spec import JobSpec, check_against, parse_job_data

SOURCE = "job"  # the "file" named in a spec's problems


@dataclass(frozen=True)
class Job:
    row: RowMapping
    team: str | None
    submitted_by: str | None
    gpu_hours: Decimal


def runtime_config(session: Session) -> RuntimeConfig | None:
    """The pools the agent stored (`tender agent --pools/--scenario`), or None before it ever ran."""
    text = runtime_store.get_setting(session, "config")
    return from_json(text) if text else None


def parse_spec(body: dict[str, Any], config: RuntimeConfig | None, now: float | None = None) -> JobSpec:
    """Raises `InputError` naming the field (e.g. `gpus`, `resources.accelerators`); given `now`, also for a
    job no pool may ever take, with each pool's reason code and clause id. The body is JSON already parsed
    by the API: it goes to the runtime's validation directly (no YAML round trip)."""
    spec = parse_job_data(body, Positions(), SOURCE)
    if config is not None:
        check_against(spec, config, SOURCE, now)
    return spec


def jobs(session: Session, *, team: str | None = None, offset: int = 0, limit: int = 500) -> list[Job]:
    """Newest first; with `team`, only the jobs that team submitted through the API."""
    rows = runtime_store.job_page(session, team=team, offset=offset, limit=limit)
    hours = runtime_store.gpu_hours_of(session, [r["id"] for r in rows])
    return [Job(r, r["team"], r["submitted_by"], hours.get(r["id"], Decimal(0))) for r in rows]


def job_count(session: Session, *, team: str | None = None) -> int:
    return runtime_store.job_count(session, team=team)


def job(session: Session, job_id: str) -> Job | None:
    row = runtime_store.job_row(session, job_id)
    if row is None:
        return None
    hours = runtime_store.gpu_hours_of(session, [job_id])
    return Job(row, row["team"], row["submitted_by"], hours.get(job_id, Decimal(0)))


__all__ = [
    "InputError",
    "Job",
    "job",
    "job_count",
    "jobs",
    "parse_spec",
    "request_cancel",
    "runtime_config",
    "submit",
]

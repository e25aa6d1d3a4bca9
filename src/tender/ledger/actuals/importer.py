"""`tender actuals import`: stream a FOCUS file into `actual_costs`, all of it or nothing.

1. Open one write transaction (`Database.write()`); count the rows already stored.
2. Stream the file (`focus_read.read_rows`: csv.reader over the open file, constant memory).
3. Per row: the currency must be the ledger's (the scenario's, default USD); `Mapping.resolve` names
   provider x region x accelerator x spend category and the GPU-hours; with a scenario, the provider
   must be one of its providers and the charge period's month inside its horizon.
4. The row key is sha256(provider, canonical row content); rows go to the database in batches
   (`actuals_store.insert_rows`, a stored key is skipped).
5. A bad row raises `ActualsError` (FILE:LINE: column: problem): the transaction rolls back, so
   nothing of that file is stored. Otherwise commit and report rows read and rows added.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from tender.clocks import SystemClock
from tender.domain import Scenario
from tender.ledger.actuals.focus_read import ActualsError, FocusRow, canonical, read_rows
from tender.ledger.actuals.mapping import Mapping, Resolved
from tender.ledger.sql import Database
from tender.ledger.sql.actuals_store import count_rows, insert_rows

LEDGER_CURRENCY = "USD"
BATCH_ROWS = 5_000


@dataclass(frozen=True)
class ImportResult:
    file: str
    read: int
    added: int

    @property
    def already_stored(self) -> int:
        return self.read - self.added


def row_key(provider: str, content: str) -> str:
    """sha256 of the provider and the row's canonical content (`focus_read.canonical`)."""
    return hashlib.sha256(f"{provider}\x1f{content}".encode()).hexdigest()


def _check(row: FocusRow, where: Resolved, file: str, currency: str, scenario: Scenario | None) -> None:
    for column, value, most in (("ProviderName", where.provider, 128), ("RegionId", where.region, 128)):
        if len(value) > most:
            raise ActualsError(file, row.line, column, f"longer than {most} characters")
    if row.currency != currency:
        raise ActualsError(
            file, row.line, "BillingCurrency", f"{row.currency!r}: the ledger is kept in {currency}"
        )
    if scenario is None:
        return
    if where.provider not in scenario.providers:
        known = ", ".join(sorted(scenario.providers))
        raise ActualsError(
            file,
            row.line,
            "ProviderName",
            f"provider {where.provider!r} is not in scenario {scenario.id} ({known}); "
            "use --provider or `providers:` in the mapping",
        )
    month = scenario.calendar.month_of(row.start)
    if not 1 <= month <= scenario.horizon:
        first, last = scenario.calendar.label(1), scenario.calendar.label(scenario.horizon)
        raise ActualsError(
            file,
            row.line,
            "ChargePeriodStart",
            f"{row.start.isoformat()} is outside the horizon of {scenario.id} ({first}..{last})",
        )


def _record(row: FocusRow, where: Resolved, file: str, now: datetime) -> dict[str, Any]:
    content = canonical(row)
    return {
        "row_key": row_key(where.provider, content),
        "source": file[-500:],
        "line": row.line,
        "provider": where.provider,
        "region": where.region,
        "accelerator": where.accelerator,
        "sku": where.sku[:200],
        "period": row.start.strftime("%Y-%m"),
        "charge_period_start": row.start,
        "charge_period_end": row.end,
        "charge_category": row.charge_category,
        "spend_category": where.spend_category,
        "currency": row.currency,
        "billed_cost": row.billed_cost,
        "effective_cost": row.effective_cost,
        "gpu_hours": where.gpu_hours,
        "row_json": content,
        "created_at": now,
    }


def import_file(
    db: Database,
    path: Path,
    mapping: Mapping,
    *,
    provider: str | None = None,
    scenario: Scenario | None = None,
    now: datetime | None = None,
    batch_rows: int = BATCH_ROWS,
) -> ImportResult:
    """Import one FOCUS file in one transaction; raise `ActualsError` (nothing stored) on a bad row."""
    file = str(path)
    now = now or SystemClock().now()
    currency = scenario.currency if scenario is not None else LEDGER_CURRENCY
    read = 0
    with db.write() as session:
        before = count_rows(session)
        batch: list[dict[str, Any]] = []
        for row in read_rows(path, file):
            where = mapping.resolve(row, file, provider)
            _check(row, where, file, currency, scenario)
            batch.append(_record(row, where, file, now))
            read += 1
            if len(batch) >= batch_rows:
                insert_rows(session, batch)
                batch = []
        insert_rows(session, batch)
        added = count_rows(session) - before
    return ImportResult(file, read, added)

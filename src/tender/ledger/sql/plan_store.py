"""Scenarios, plan runs and the ledger rows a finished plan projects (append-only).

1. `add_scenario` stores the uploaded YAML text (already validated by the caller) + an audit record.
2. `add_plan` records a queued run; `mark_running` / `finish_plan` / `fail_plan` move it along.
3. `finish_plan` stores the planner's own outputs verbatim (`tender plan --json`, `--report`, `--ledger`
   bytes) and appends its ledger rows in the same transaction; `plan_output` reads one of them back.
4. `ledger_rows(month, provider, contract, plan)` queries them; money stays exact decimal text.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import select, update
from sqlalchemy.orm import Session, undefer

from tender.ledger.sql import audit_store
from tender.ledger.sql.models import LedgerEntry, PlanRow, ScenarioRow
from tender.ledger.sql.paging import Page, page

PlanOutput = Literal["json", "report", "ledger_csv"]


def add_scenario(
    session: Session, *, name: str, scenario_id: str, text: str, actor: str, now: datetime
) -> ScenarioRow:
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    row = ScenarioRow(
        name=name, scenario_id=scenario_id, sha256=sha, text=text, created_at=now, created_by=actor
    )
    session.add(row)
    session.flush()
    audit_store.append(
        session,
        kind="scenario.uploaded",
        actor=actor,
        at=now,
        data={"scenario": row.id, "id": scenario_id, "name": name, "sha256": sha},
    )
    return row


MAX_ID = 2**31 - 1  # ids are INTEGER columns (32-bit on PostgreSQL)


def _in_range(pk: int) -> bool:
    return 1 <= pk <= MAX_ID


def get_scenario(session: Session, pk: int) -> ScenarioRow | None:
    """The scenario, or None (also for an id no INTEGER column can hold)."""
    return session.get(ScenarioRow, pk) if _in_range(pk) else None


def list_scenarios(session: Session, offset: int = 0, limit: int = 100) -> Page[ScenarioRow]:
    return page(session, select(ScenarioRow), (ScenarioRow.id,), offset, limit)


def latest_scenario(session: Session) -> ScenarioRow | None:
    """The scenario uploaded last (highest id), or None."""
    return session.scalars(select(ScenarioRow).order_by(ScenarioRow.id.desc()).limit(1)).first()


def add_plan(session: Session, *, scenario_pk: int, seed: int, actor: str, now: datetime) -> PlanRow:
    row = PlanRow(
        scenario_pk=scenario_pk,
        seed=seed,
        status="queued",
        error=None,
        result_json=None,
        report_html=None,
        solve_seconds=None,
        created_at=now,
        finished_at=None,
        created_by=actor,
    )
    session.add(row)
    session.flush()
    audit_store.append(
        session,
        kind="plan.queued",
        actor=actor,
        at=now,
        data={"plan": row.id, "scenario": scenario_pk, "seed": seed},
    )
    return row


def mark_running(session: Session, plan_id: int) -> None:
    session.execute(
        update(PlanRow).where(PlanRow.id == plan_id, PlanRow.status == "queued").values(status="running")
    )


def _dec(value: Any) -> Decimal:
    if value is None or value == "":
        return Decimal(0)
    return Decimal(str(value))


def finish_plan(
    session: Session,
    plan_id: int,
    *,
    result_json: str,
    report_html: str,
    ledger_csv: str,
    ledger: list[dict[str, Any]],
    cost_total_usd: str,
    solve_seconds: Decimal,
    now: datetime,
) -> None:
    """Store the planner's outputs verbatim (JSON, HTML report, ledger CSV) and append the ledger rows.

    Each row of `ledger` is one row of the plan JSON's `ledger` list plus its `billing_period`.
    """
    session.execute(
        update(PlanRow)
        .where(PlanRow.id == plan_id)
        .values(
            status="done",
            result_json=result_json,
            report_html=report_html,
            ledger_csv=ledger_csv,
            solve_seconds=solve_seconds,
            finished_at=now,
        )
    )
    for row in ledger:
        session.add(
            LedgerEntry(
                plan_id=plan_id,
                month=int(row["month"]),
                period=str(row.get("billing_period", "")),
                provider=str(row["provider"]),
                contract=(str(row["contract_id"]) if row.get("contract_id") else None),
                billed_cost=_dec(row.get("billed_cost_usd")),
                effective_cost=_dec(row.get("effective_cost_usd")),
                row_json=json.dumps(row, sort_keys=True),
                created_at=now,
            )
        )
    session.flush()
    audit_store.append(
        session,
        kind="plan.done",
        actor="system:planner",
        at=now,
        data={"plan": plan_id, "ledger_rows": len(ledger), "cost_total_usd": cost_total_usd},
    )


def fail_plan(session: Session, plan_id: int, *, error: str, now: datetime) -> None:
    session.execute(
        update(PlanRow).where(PlanRow.id == plan_id).values(status="failed", error=error, finished_at=now)
    )
    audit_store.append(
        session, kind="plan.failed", actor="system:planner", at=now, data={"plan": plan_id, "error": error}
    )


def get_plan(session: Session, plan_id: int, with_result: bool = False) -> PlanRow | None:
    """The plan's row; its stored outputs are deferred, `with_result` loads the JSON too."""
    if not _in_range(plan_id):
        return None
    options = [undefer(PlanRow.result_json)] if with_result else []
    return session.get(PlanRow, plan_id, options=options)


def plan_output(session: Session, plan_id: int, kind: PlanOutput) -> str | None:
    """One stored output of a finished plan, verbatim: `json`, `report` (HTML) or `ledger_csv`."""
    column = {"json": PlanRow.result_json, "report": PlanRow.report_html, "ledger_csv": PlanRow.ledger_csv}
    if not _in_range(plan_id):
        return None
    return session.scalar(select(column[kind]).where(PlanRow.id == plan_id))


def list_plans(session: Session, offset: int = 0, limit: int = 100) -> Page[PlanRow]:
    """Newest first."""
    return page(session, select(PlanRow), (PlanRow.id.desc(),), offset, limit)


def latest_done_plan(session: Session) -> PlanRow | None:
    return session.scalar(
        select(PlanRow)
        .options(undefer(PlanRow.result_json))
        .where(PlanRow.status == "done")
        .order_by(PlanRow.id.desc())
        .limit(1)
    )


def ledger_rows(
    session: Session,
    *,
    month: int | None = None,
    provider: str | None = None,
    contract: str | None = None,
    plan_id: int | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> Page[LedgerEntry]:
    query = select(LedgerEntry)
    if month is not None:
        query = query.where(LedgerEntry.month == month)
    if provider is not None:
        query = query.where(LedgerEntry.provider == provider)
    if contract is not None:
        query = query.where(LedgerEntry.contract == contract)
    if plan_id is not None:
        query = query.where(LedgerEntry.plan_id == plan_id)
    order = (LedgerEntry.plan_id, LedgerEntry.month, LedgerEntry.provider, LedgerEntry.id)
    return page(session, query, order, offset, limit)

"""Run a plan in a worker thread and store its JSON, HTML report and ledger rows.

1. `submit(ctx, plan_id)` hands the run to the app's plan pool (one worker by default: a solve uses a core).
2. `_run` marks the plan running, loads its scenario, calls the planner, and stores the result
   (JSON + report + ledger rows, one transaction) or the failure; the solve time goes to /metrics.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tender.domain import Scenario
from tender.ledger.sql import plan_store
from tender.service import protocol_flow
from tender.service.context import Context
from tender.sourcing import PlanOptions, plan

log = logging.getLogger("tender.service.plans")


@dataclass(frozen=True)
class PlanResult:
    output: dict[str, Any]
    report_html: str | None
    ledger: list[dict[str, Any]]


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str, sort_keys=True))


def run_planner(scenario: Scenario, seed: int) -> PlanResult:
    """Solve with `tender.sourcing.plan` (one thread) and keep every field of the plan, money as text."""
    result = plan(scenario, PlanOptions(seed=seed, threads=1))
    output = _jsonable(dataclasses.asdict(result))
    ledger = []
    for row in output.get("ledger", []):
        ledger.append(
            {
                **row,
                "period": scenario.calendar.label(int(row["month"])),
                "contract": row.get("contract_id"),
                "billed_cost": row.get("billed_cost_usd"),
                "effective_cost": row.get("effective_cost_usd"),
            }
        )
    return PlanResult(output=output, report_html=None, ledger=ledger)


def _run(ctx: Context, plan_id: int) -> None:
    with ctx.db.write() as session:
        plan_store.mark_running(session, plan_id)
        row = plan_store.get_plan(session, plan_id)
        assert row is not None
        scenario_pk, seed = row.scenario_pk, row.seed
    started = time.perf_counter()
    try:
        with ctx.db.read() as session:
            scenario = protocol_flow.scenario_for(session, scenario_pk)
        result = run_planner(scenario, seed)
    except Exception as exc:
        log.warning("plan failed", extra={"plan": plan_id, "error": str(exc)})
        with ctx.db.write() as session:
            plan_store.fail_plan(session, plan_id, error=f"{type(exc).__name__}: {exc}", now=ctx.now())
        return
    seconds = time.perf_counter() - started
    ctx.metrics.plan_solve_seconds.observe(seconds)
    from tender.service.web.pages import render_report

    with ctx.db.write() as session:
        plan_store.finish_plan(
            session,
            plan_id,
            result=result.output,
            report_html=result.report_html or render_report(plan_id, result.output),
            ledger=result.ledger,
            solve_seconds=Decimal(f"{seconds:.3f}"),
            now=ctx.now(),
        )


def submit(ctx: Context, plan_id: int) -> None:
    ctx.plans.submit(_run, ctx, plan_id)

"""Run a plan in a worker thread and store the planner's own outputs (`tender.plan_output`).

1. `submit(ctx, plan_id)` hands the run to the app's plan pool (one worker by default: a solve uses a core).
2. `_run` marks the plan running, loads its scenario and calls `run_planner`: `tender.sourcing.plan` with
   the options `tender plan` uses, then `tender.plan_output.verified_renders` (the checked
   `PlanRenders`) — the path `tender plan` renders through, so the same bytes `tender plan --json/--report/--ledger` writes for the same scenario
   and seed.
3. Those texts and the ledger rows are stored in one transaction (or the failure is); the solve time goes
   to /metrics.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tender.domain import Scenario
from tender.ledger.sql import plan_store
from tender.plan_output import verified_renders
from tender.service import rofr
from tender.service.context import Context
from tender.sourcing import PlanOptions, plan

log = logging.getLogger("tender.service.plans")


@dataclass(frozen=True)
class PlanResult:
    json_text: str  # = `tender plan --json`
    report_html: str  # = `tender plan --report`
    ledger_csv: str  # = `tender plan --ledger`
    ledger: list[dict[str, Any]]  # the JSON's ledger rows, each with its billing_period
    cost_total_usd: str


def run_planner(scenario: Scenario, seed: int) -> PlanResult:
    """Solve exactly as `tender plan --seed SEED` does (its default options) and render through the same
    `tender.plan_output.verified_renders` as `tender plan --json/--report/--ledger`."""
    rendered = verified_renders(plan(scenario, PlanOptions(seed=seed)), scenario)
    return PlanResult(
        json_text=rendered.json_text(),
        report_html=rendered.report_html(),
        ledger_csv=rendered.ledger_csv(),
        ledger=rendered.ledger_rows(),
        cost_total_usd=rendered.cost_total_usd(),
    )


def _run(ctx: Context, plan_id: int) -> None:
    with ctx.db.write() as session:
        plan_store.mark_running(session, plan_id)
        row = plan_store.get_plan(session, plan_id)
        assert row is not None
        scenario_pk, seed = row.scenario_pk, row.seed
    started = time.perf_counter()
    try:
        with ctx.db.read() as session:
            scenario = rofr.scenario_for(session, scenario_pk)
        result = run_planner(scenario, seed)
    except Exception as exc:
        log.warning("plan failed", extra={"plan": plan_id, "error": str(exc)})
        with ctx.db.write() as session:
            plan_store.fail_plan(session, plan_id, error=f"{type(exc).__name__}: {exc}", now=ctx.now())
        return
    seconds = time.perf_counter() - started
    ctx.metrics.plan_solve_seconds.observe(seconds)
    with ctx.db.write() as session:
        plan_store.finish_plan(
            session,
            plan_id,
            result_json=result.json_text,
            report_html=result.report_html,
            ledger_csv=result.ledger_csv,
            ledger=result.ledger,
            cost_total_usd=result.cost_total_usd,
            solve_seconds=Decimal(f"{seconds:.3f}"),
            now=ctx.now(),
        )


def submit(ctx: Context, plan_id: int) -> None:
    ctx.plans.submit(_run, ctx, plan_id)

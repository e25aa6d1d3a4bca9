"""Run a robust-plan study in the app's plan pool and store its outputs (`POST /api/v1/studies`).

1. `submit(ctx, study_id)` hands the run to the plan pool (the same workers plans use: a solve uses a core);
2. `_run` marks the study running, loads its scenario and calls `plan_output.risk_study.run_study` with
   the options `tender plan --robust` uses by default (`--seed`, 60 s per pass, gap 0.001): the same
   JSON and HTML bytes `tender plan --robust --samples K --eval-samples N --seed S` writes;
3. the outputs are stored in one transaction (or the failure is, with its message).
"""

from __future__ import annotations

import logging

from tender.ledger.sql import study_store
from tender.plan_output.risk_study import run_study
from tender.service import rofr
from tender.service.context import Context
from tender.sourcing import PlanOptions

log = logging.getLogger("tender.service.studies")


def _run(ctx: Context, study_id: int) -> None:
    with ctx.db.write() as session:
        study_store.mark_running(session, study_id)
        row = study_store.get_study(session, study_id)
        assert row is not None
        scenario_pk, seed, samples, fresh = row.scenario_pk, row.seed, row.samples, row.eval_samples
    try:
        with ctx.db.read() as session:
            scenario = rofr.scenario_for(session, scenario_pk)
        out = run_study(scenario, seed, samples, fresh, PlanOptions(seed=seed))
    except Exception as exc:
        log.warning("study failed", extra={"study": study_id, "error": str(exc)})
        with ctx.db.write() as session:
            study_store.fail_study(session, study_id, error=f"{type(exc).__name__}: {exc}", now=ctx.now())
        return
    with ctx.db.write() as session:
        study_store.finish_study(
            session, study_id, result_json=out.json_text, report_html=out.report_html, now=ctx.now()
        )


def submit(ctx: Context, study_id: int) -> None:
    ctx.plans.submit(_run, ctx, study_id)

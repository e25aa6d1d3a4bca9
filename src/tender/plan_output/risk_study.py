"""A whole `tender plan --robust` study in this process, rendered: what the service runs as a job.

1. the deterministic plan and its first stage with its bookings (`of_plan(..., book=True)`);
2. the robust plan over samples 0..K-1 (`sourcing.risk.robust`: the extensive form, or Benders
   above 100 samples);
3. both first stages and the wait-and-see plan on the fresh samples, one future's samples after the
   other with their re-plans shared exactly as the CLI's (`sourcing.risk.study.study_all`, what
   `tender plan --robust --workers 1` runs), then the summaries, VSS / EVPI, the hedge and the
   robust plan's tornado (`sourcing.risk.tornado`);
4. the JSON (`risk_json.study_to_json`) and the HTML report (`risk_study_report`): the same bytes
   `tender plan --robust --json/--report` writes for the same scenario, seed, K and fresh samples.
"""

from __future__ import annotations

from dataclasses import dataclass

from tender.domain import Scenario
from tender.plan_output.risk_json import study_to_json
from tender.plan_output.risk_study_report import study_report_html
from tender.sourcing import PlanOptions, plan
from tender.sourcing.risk.first_stage import of_plan
from tender.sourcing.risk.robust import solve_robust
from tender.sourcing.risk.stats import summarize
from tender.sourcing.risk.study import hedge, measures, study_all
from tender.sourcing.risk.tornado import tornado


@dataclass(frozen=True)
class Rendered:
    json_text: str
    report_html: str


def run_study(sc: Scenario, seed: int, samples: int, eval_samples: int, options: PlanOptions) -> Rendered:
    run_ids = tuple(r.id for r in sc.training_runs)
    det = of_plan(plan(sc, options), run_ids, book=True)
    robust = solve_robust(sc, det, seed, samples, options)
    triples = study_all(sc, (det, robust.first), seed, eval_samples, options)
    fleets = tuple(f.id for f in sc.fleets)
    pair = (
        summarize("deterministic", [t.deterministic for t in triples], fleets, run_ids, sc.horizon),
        summarize("robust", [t.robust for t in triples], fleets, run_ids, sc.horizon),
    )
    m = measures(triples)
    hedged = hedge(sc, det, robust.first, options)
    bars = tornado(sc, robust.first, options)
    return Rendered(
        study_to_json(sc, seed, pair, m, robust, hedged, bars),
        study_report_html(sc, seed, pair, triples, m, robust, hedged, bars),
    )

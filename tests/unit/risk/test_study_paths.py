"""Every path a `--robust` study runs gives the same figures as the reference path:

- the overlapped pool (`study_pool.StudyPool`: wait-and-see plans submitted before any stage is
  known, both stages' re-plans after) and one worker (`study.study_all`) give every fresh sample of
  the example exactly `study_sample`'s triple (one sample, three plain `plan` calls), and the
  progress callback counts every sample once;
- the service's study (`plan_output.risk_study.run_study`, what `POST /api/v1/studies` stores) is
  byte for byte the JSON and HTML `tender plan --robust` writes on 1 and on 2 workers.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tender.cli.app import app
from tender.cli.study_pool import run_study
from tender.config import load_scenario
from tender.plan_output.risk_study import run_study as service_study
from tender.sourcing import PlanOptions, plan
from tender.sourcing.risk.first_stage import of_plan
from tender.sourcing.risk.study import study_sample

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "examples" / "frontier-lab.yaml"
CASE = ROOT / "tests" / "scenarios" / "risk" / "book_or_buy.yaml"


@pytest.mark.slow
@pytest.mark.timeout(300)  # a spawn pool of two workers and 48 plain re-plans of the example
def test_the_pool_and_one_worker_give_every_sample_its_reference_triple() -> None:
    sc = load_scenario(str(EXAMPLE))
    options = PlanOptions()
    det = of_plan(plan(sc, options), tuple(r.id for r in sc.training_runs), book=True)
    slot = det.runs["pretrain-v7"]
    assert slot is not None  # the robust plan's move (docs/risk.md), without solving it here
    later = replace(det, runs={**det.runs, "pretrain-v7": replace(slot, start=slot.start + 2)})
    n, ticks = 16, []
    two = run_study(EXAMPLE, sc, (det, later), 0, n, 2, options, ticks.append)
    one = run_study(EXAMPLE, sc, (det, later), 0, n, 1, options, lambda _k: None)
    reference = [study_sample(sc, det, later, 0, i, options) for i in range(n)]
    assert two == reference and one == reference
    assert sum(ticks) == n
    assert len({t.robust.cost_usd for t in reference}) > 1  # the samples are not all alike


@pytest.mark.timeout(300)  # CLI runs, one with a spawn pool of two workers
def test_the_services_study_is_the_clis_bytes_on_one_and_two_workers(tmp_path: Path) -> None:
    seed, k, n = 2, 6, 8
    got = service_study(load_scenario(str(CASE)), seed, k, n, PlanOptions(seed=seed))
    args = ["plan", str(CASE), "--robust", "--samples", str(k), "--eval-samples", str(n), "--seed", str(seed)]
    for workers in ("1", "2"):
        out_json, out_html = tmp_path / f"risk{workers}.json", tmp_path / f"risk{workers}.html"
        run = CliRunner().invoke(
            app, [*args, "--workers", workers, "--json", str(out_json), "--report", str(out_html)]
        )
        assert run.exit_code == 0, run.output
        assert out_json.read_text() == got.json_text, workers
        assert out_html.read_text() == got.report_html, workers

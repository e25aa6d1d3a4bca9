"""The first stage on the example: runs stay at their slots, also when a slot sits on a holder block."""

from __future__ import annotations

from pathlib import Path

from tender.config import load_scenario
from tender.sourcing import PlanOptions, plan
from tender.sourcing.risk.evaluate import evaluate
from tender.sourcing.risk.first_stage import of_plan
from tender.sourcing.risk.sampler import draw, inputs

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "frontier-lab.yaml"


def test_a_run_on_a_holder_block_keeps_its_slot_when_only_the_campus_slips() -> None:
    sc = load_scenario(str(EXAMPLE))
    base = plan(sc, PlanOptions(seed=1))
    first = of_plan(base, tuple(r.id for r in sc.training_runs))
    slot = first.runs["midtrain-v6.5"]
    # with --seed 1 the plan puts midtrain-v6.5 on primary-cloud, partly on a holder block that only
    # exists once the holder has answered consumer-chat's need (20,000 existing GB200 + a block)
    assert slot is not None and (slot.provider, slot.start) == ("primary-cloud", 11)
    assert any(a.demand == "midtrain-v6.5" and a.notice for a in base.awards)
    # sample 7 of seed 1 delays only JV phases (1 and 3): nothing midtrain-v6.5's slot depends on
    # changes, so it must not be missed; pretrain-v7 (JV from month 16, phase 3 two months late) is
    assert draw(inputs(sc), 1, 7).phase_delays == {"jv-datacenter": (1, 0, 2)}
    out = evaluate(sc, first, 1, 7, PlanOptions())
    assert "midtrain-v6.5" not in out.runs_missed
    assert "pretrain-v7" in out.runs_missed

"""`check.pinned`: a re-plan's clean JSON, edited by hand one fact at a time, fails with that fact's code.

The clean re-plans are the hand-computed ones of tests/scenarios/replan/ (re-planned from month 3).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tender.check import check_plan
from tender.config import load_scenario
from tender.domain.pinned import AnsweredNotice, HeldCapacity, PinnedRun
from tender.domain.rebase import FixedMonths, rebase
from tender.plan_output.json_out import plan_to_dict
from tender.sourcing.planner import plan

CASES_DIR = Path(__file__).parents[2] / "scenarios" / "replan"
PINNED = {"run_pinned", "held_not_billed", "notice_answer"}
RUN = FixedMonths(3, runs=(PinnedRun("pretrain", "slow", "H100", "us-east", start=1, end=4),))
HELD = FixedMonths(3, held=(HeldCapacity("booked", "H100", "us-west", gpus=16, until=4),))
NOTICE = FixedMonths(3, notices=(AnsweredNotice("n", "finetune", "primary", 0, "2027-02-10T00:00:00+00:00"),))
EXERCISED = FixedMonths(
    3, notices=(AnsweredNotice("n", "finetune", "primary", 8, "2027-02-10T00:00:00+00:00"),)
)
Doc = dict[str, Any]


def _awards(doc: Doc, month: int, **values: Any) -> Doc:
    for a in doc["awards"]:
        if a["month"] == month:
            a.update(values)
    return doc


def _unbill(doc: Doc) -> Doc:
    for r in doc["ledger"]:
        if r["provider"] == "booked" and r["month"] == 4:
            r["billed_cost_usd"] = "0.00"
    return doc


def _notice(doc: Doc, **values: Any) -> Doc:
    doc["notices"][0].update(values)
    return doc


EDITS: list[tuple[str, str, FixedMonths, Callable[[Doc], Doc], int]] = [
    ("run moved in month 4", "run-in-progress", RUN, lambda d: _awards(d, 4, provider="cheap"), 2),
    ("run shrunk in month 3", "run-in-progress", RUN, lambda d: _awards(d, 3, gpus=4), 1),
    ("run stretched past its end", "run-in-progress", RUN,
     lambda d: {**d, "awards": [*d["awards"], {**d["awards"][-1], "month": 5}]}, 1),
    ("held month not billed", "held-capacity", HELD, _unbill, 1),
    ("declined notice exercised", "answered-notice", NOTICE, lambda d: _notice(d, status="exercised", exercised_gpus=8), 1),
    ("block above what was exercised", "answered-notice", EXERCISED, lambda d: _awards(d, 5, gpus=16), 1),
    ("exercised block dropped", "answered-notice", EXERCISED,
     lambda d: {**d, "notices": [], "awards": [a for a in d["awards"] if a["provider"] != "primary"]}, 1),
    ("answered notice asked again", "answered-notice", NOTICE, lambda d: _notice(d, responded_at="2027-03-06T00:00:00Z"), 1),
]  # fmt: skip


def _clean(name: str, fixed: FixedMonths) -> tuple[Any, Doc]:
    sc = rebase(load_scenario(str(CASES_DIR / f"{name}.yaml")), fixed)
    doc = json.loads(
        json.dumps(plan_to_dict(plan(load_scenario(str(CASES_DIR / f"{name}.yaml")), fixed=fixed), sc))
    )
    return sc, doc


@pytest.mark.parametrize(("label", "name", "fixed", "edit", "count"), EDITS, ids=[e[0] for e in EDITS])
def test_an_edited_replan_fails_with_the_facts_code(
    label: str, name: str, fixed: FixedMonths, edit: Callable[[Doc], Doc], count: int
) -> None:
    sc, doc = _clean(name, fixed)
    assert check_plan(sc, doc, fixed) == []
    found = [v for v in check_plan(sc, edit(doc), fixed) if v.code in PINNED]
    assert len(found) == count, [v.message for v in found]
    want = {
        "run-in-progress": "run_pinned",
        "held-capacity": "held_not_billed",
        "answered-notice": "notice_answer",
    }
    assert {v.code for v in found} == {want[name]}


def test_without_fixed_the_pinned_rules_do_not_run() -> None:
    sc, doc = _clean("run-in-progress", RUN)
    assert not [v for v in check_plan(sc, _awards(doc, 4, provider="cheap")) if v.code in PINNED]


def test_an_exercised_answer_gives_the_holder_its_block() -> None:
    """Recorded as exercised (8 GPUs), finetune runs on primary's block in months 5-6 at the notice's
    price (the best third-party quote matched: $2.00): 8 x $2.00 x 730 h x 2 = $23,360."""
    sc = load_scenario(str(CASES_DIR / "answered-notice.yaml"))
    replanned = plan(sc, fixed=EXERCISED)
    assert {(a.provider, a.month, a.gpus) for a in replanned.awards} == {("primary", 5, 8), ("primary", 6, 8)}
    assert [(n.status, n.exercised_gpus) for n in replanned.notices] == [("exercised", 8)]
    assert replanned.cost_total_usd == 8 * 2 * 730 * 2


def test_tender_check_reads_the_pinned_facts_and_names_a_malformed_one(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from tender.cli.app import app

    scenario = CASES_DIR / "run-in-progress.yaml"
    _sc, doc = _clean("run-in-progress", RUN)
    pin = {
        "run": "pretrain",
        "provider": "slow",
        "gpu": "H100",
        "region": "us-east",
        "start_month": 1,
        "end_month": 4,
    }
    doc["fixed"] = {"as_of_month": 3, "commitments": [], "pinned_runs": [pin]}
    good = tmp_path / "good.json"
    good.write_text(json.dumps(doc))
    runner = CliRunner()
    assert runner.invoke(app, ["check", str(scenario), str(good)]).exit_code == 0
    moved = tmp_path / "moved.json"
    moved.write_text(json.dumps(_awards(json.loads(good.read_text()), 3, provider="cheap")))
    refused = runner.invoke(app, ["check", str(scenario), str(moved)])
    assert refused.exit_code == 1 and "run_pinned" in refused.stdout
    doc["fixed"]["pinned_runs"][0]["start_month"] = "one"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    failed = runner.invoke(app, ["check", str(scenario), str(bad)])
    assert failed.exit_code == 2
    assert failed.stderr.splitlines() == [
        f"{bad}: fixed: malformed re-plan section (fixed.pinned_runs.start_month: expected an integer)"
    ]

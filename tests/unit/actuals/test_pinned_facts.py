"""`ledger.actuals.pinned_facts`: the facts a re-plan pins, read from actual lines built here by hand.

Scenario: tests/scenarios/replan/lab.yaml (730 h a month; `booked` has a 2-month lead time, `slow`
and `cheap` none; pretrain runs 4 months, finetune 2).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from typer.testing import CliRunner

from tender.cli.app import app
from tender.config import load_scenario
from tender.domain.pinned import HeldCapacity, PinnedRun
from tender.ledger.actuals.pinned_facts import attempt_lines, held_capacity, runs_in_progress
from tender.ledger.sql import Database, upgrade
from tender.ledger.sql.actuals_store import ActualLine, WorkloadLine, workload_attempts
from tender.ledger.sql.runtime_store import insert_attempt, insert_job

LAB_PATH = Path(__file__).parents[2] / "scenarios" / "replan" / "lab.yaml"
LAB = load_scenario(str(LAB_PATH))


def line(provider: str, month: int, hours: int, *, region: str = "us-east", category: str = "compute_contract") -> ActualLine:  # fmt: skip
    return ActualLine("focus", provider, f"2027-{month:02d}", region, "H100", category, Decimal(1), Decimal(1), Decimal(hours))  # fmt: skip


def test_a_run_billed_up_to_the_month_before_is_pinned_from_its_first_month() -> None:
    lines = [WorkloadLine("pretrain", line("slow", m, 5840)) for m in (1, 2)]
    assert runs_in_progress(LAB, lines, 3) == (PinnedRun("pretrain", "slow", "H100", "us-east", 1, 4),)
    # from month 4 it is still in progress (started in 1, ends in 4); from month 5 it has ended
    lines.append(WorkloadLine("pretrain", line("slow", 3, 5840)))
    assert runs_in_progress(LAB, lines, 4) == (PinnedRun("pretrain", "slow", "H100", "us-east", 1, 4),)
    assert runs_in_progress(LAB, [*lines, WorkloadLine("pretrain", line("slow", 4, 5840))], 5) == ()


def test_the_run_stretch_ends_in_the_month_before_and_its_site_is_where_most_hours_were() -> None:
    lines = [
        WorkloadLine("pretrain", line("slow", 1, 5840)),  # a gap in month 2: the run restarted in 3
        WorkloadLine("pretrain", line("slow", 3, 1000)),
        WorkloadLine("pretrain", line("cheap", 3, 4840)),
    ]
    assert runs_in_progress(LAB, lines, 4) == (PinnedRun("pretrain", "cheap", "H100", "us-east", 3, 6),)
    assert runs_in_progress(LAB, lines[:1], 3) == ()  # nothing billed in month 2: not running


def test_only_training_runs_of_the_scenario_are_pinned() -> None:
    lines = [WorkloadLine(w, line("slow", 2, 5840)) for w in ("serve", "", "someone-else")]
    assert runs_in_progress(LAB, lines, 3) == ()


def test_held_capacity_is_contract_capacity_of_a_lead_time_provider_in_the_month_before() -> None:
    lines = [
        line("booked", 2, 16 * 730 + 729, region="us-west"),  # 16.99 GPUs held: 16 (whole GPUs)
        line("booked", 1, 64 * 730, region="us-west"),  # an earlier month: not what is held now
        line("booked", 2, 8 * 730, region="us-west", category="compute_on_demand"),  # releasable
        line("slow", 2, 8 * 730),  # no lead time: releasable
    ]
    assert held_capacity(LAB, lines, 3) == (HeldCapacity("booked", "H100", "us-west", 16, 4),)
    assert held_capacity(LAB, lines, 6) == ()  # nothing billed in month 5
    late = [line("booked", 5, 16 * 730, region="us-west")]
    assert held_capacity(LAB, late, 6) == (HeldCapacity("booked", "H100", "us-west", 16, 6),)  # horizon ends


def _at(day: str) -> float:
    return datetime.fromisoformat(day).replace(tzinfo=UTC).timestamp()


def test_a_run_the_runtime_is_running_is_pinned(tmp_path: Path) -> None:
    """pretrain's job started on slow's pool on 2027-01-15 and is still running at the start of month 3:
    8 GPUs x (17 + 28) days in months 1-2; an earlier attempt on cheap ended in January. Read from a real
    SQLite database (the runtime's tables), then re-planned from month 3 through the CLI: it stays on slow."""
    db = Database(f"sqlite:///{tmp_path / 't.db'}")
    try:
        upgrade(db)
        with db.write() as s:
            now = _at("2027-01-01")
            insert_job(s, id="pretrain-1", name="pretrain", command="train", gpus=8, workload_class="training",
                       workload="pretrain", max_retries=1, state="running", submitted_at=now, updated_at=now)  # fmt: skip
            for n, pool, start, end in ((1, "cheap/H100/us-east", "2027-01-02", "2027-01-15"),
                                        (2, "slow/H100/us-east", "2027-01-15", None)):  # fmt: skip
                insert_attempt(s, key=f"tender-pretrain-1-{n}", job_id="pretrain-1", number=n, pool_id=pool,
                               state="active" if end is None else "lost", gpus=8, created_at=_at(start),
                               started_at=_at(start), ended_at=None if end is None else _at(end))  # fmt: skip
        with db.read() as s:
            attempts = workload_attempts(s)
    finally:
        db.dispose()
    assert [(a.pool_id, a.ended_at is None) for a in attempts] == [("cheap/H100/us-east", False), ("slow/H100/us-east", True)]  # fmt: skip
    lines = attempt_lines(LAB, attempts, 3)
    slow = {w.line.period: w.line.gpu_hours for w in lines if w.line.provider == "slow"}
    assert slow == {"2027-01": Decimal(8 * 17 * 24), "2027-02": Decimal(8 * 28 * 24)}
    assert runs_in_progress(LAB, lines, 3) == (PinnedRun("pretrain", "slow", "H100", "us-east", 1, 4),)

    out = tmp_path / "replan.json"
    url = f"sqlite:///{tmp_path / 't.db'}"
    done = CliRunner().invoke(app, ["plan", str(LAB_PATH), "--actuals", "--as-of", "3", "--database-url", url, "--json", str(out), "-q"])  # fmt: skip
    assert done.exit_code == 0, done.output
    doc = json.loads(out.read_text())
    assert [r["run"] for r in doc["fixed"]["pinned_runs"]] == ["pretrain"]
    assert {(a["provider"], a["month"]) for a in doc["awards"] if a["demand"] == "pretrain"} == {
        ("slow", 3),
        ("slow", 4),
    }


def test_answered_notices_are_this_scenarios_decided_before_the_replan(tmp_path: Path) -> None:
    """Rows written straight into a real SQLite notices table: of four decided notices only the one of
    this scenario (by its `scenario.id`), decided before 2027-03-01, for a demand and holder it has,
    counts; an open one never does; a later answer for the same demand and holder replaces an earlier."""
    from tender.domain.pinned import AnsweredNotice
    from tender.ledger.actuals.pinned_facts import answered_notices
    from tender.ledger.sql.models import NeedRow, NoticeRow, ScenarioRow

    def at(day: str) -> datetime:
        return datetime.fromisoformat(day).replace(tzinfo=UTC)

    db = Database(f"sqlite:///{tmp_path / 'n.db'}")
    try:
        upgrade(db)
        with db.write() as s:
            for pk, sid in ((1, "replan-lab"), (2, "another-lab")):
                s.add(ScenarioRow(id=pk, name=f"{sid}.yaml", scenario_id=sid, sha256="0" * 64, text="",
                                  created_at=at("2027-01-01"), created_by="test"))  # fmt: skip
            s.flush()
            notices = [  # need, scenario pk, workload, holder, status, exercised, decided
                ("n1", 1, "finetune", "primary", "partially_exercised", 8, "2027-01-20"),  # replaced by n2
                ("n2", 1, "finetune", "primary", "declined", 0, "2027-02-10"),  # counts
                ("n3", 2, "finetune", "primary", "exercised", 16, "2027-02-11"),  # another scenario
                ("n4", 1, "pretrain", "primary", "exercised", 8, "2027-03-02"),  # decided after the re-plan
                ("n5", 1, "serve", "primary", "open", 0, None),  # not answered
                ("n6", 1, "nobody", "primary", "declined", 0, "2027-02-01"),  # no such demand
            ]
            for need, pk, workload, holder, status, gpus, decided in notices:
                s.add(NeedRow(id=need, scenario_pk=pk, body_json=json.dumps({"workload": workload}),
                              created_at=at("2027-01-10"), created_by="test"))  # fmt: skip
                s.flush()
                s.add(NoticeRow(id=f"c-rofr:{need}:1", need_id=need, holder=holder, clause_id="c-rofr",
                                match_mode="match_best_offer", on_expiry="deemed_declined", partial_exercise=True,
                                min_block_gpus=8, requested_gpus=16, exercised_gpus=gpus, released_gpus=0,
                                status=status, issued_at=at("2027-01-10"), deadline=at("2027-02-28"),
                                decided_at=None if decided is None else at(decided), terms_json="{}",
                                quote_json="{}"))  # fmt: skip
        with db.read() as s:
            found = answered_notices(s, LAB, LAB.calendar.month_start(3))
    finally:
        db.dispose()
    assert found == (AnsweredNotice("c-rofr:n2:1", "finetune", "primary", 0, "2027-02-10T00:00:00+00:00"),)

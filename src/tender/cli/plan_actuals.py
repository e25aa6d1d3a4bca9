"""`tender plan SCENARIO --actuals [--as-of MONTH]`: re-plan the rest of the horizon from what happened.

1. Read the actuals from the database (imported FOCUS rows + the runtime's metered use) and sum them per
   provider x month (`tender.ledger.actuals.variance.actuals_by_month`).
2. `as_of` (default: the month after the last one with actuals) must be inside the horizon.
3. `replan.fixed_months`: what the actuals before `as_of` drew against each commitment and were
   charged, with the pinned facts (`ledger.actuals.pinned_facts`: runs in progress from the actuals
   rows' `SubAccountId` and the runtime's attempts, capacity still held from the month before `as_of`,
   notices answered before it from the notices table) -> `FixedMonths`, passed to the planner as data
   (`sourcing.plan(..., fixed=)` plans the re-based scenario, `domain.rebase`); the caller checks the
   plan against that same re-based scenario and its pinned facts (`check.pinned`).
4. The plan JSON gets a `fixed` object (docs/plan-json.md) saying which months are fixed and to what.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

from tender.cli.output import fail_bad_input
from tender.domain import Scenario
from tender.domain.rebase import FixedMonths, rebase


@dataclass(frozen=True)
class Replan:
    """A re-plan on the actuals: the fixed months, the scenario re-based on them and the JSON's `fixed`."""

    fixed: FixedMonths
    scenario: Scenario  # re-based at `fixed.as_of`
    section: dict[str, Any]  # the plan JSON's `fixed` object


def load_replan(sc: Scenario, as_of: int | None, database_url: str | None) -> Replan:
    from sqlalchemy.exc import OperationalError

    from tender.cli.output import no_database
    from tender.ledger.actuals.pinned_facts import (
        answered_notices,
        attempt_lines,
        held_capacity,
        runs_in_progress,
    )
    from tender.ledger.actuals.replan import fixed_months, fixed_section, held
    from tender.ledger.actuals.variance import actuals_by_month, period_month
    from tender.ledger.sql import Database, upgrade
    from tender.ledger.sql.actuals_store import (
        actual_lines,
        runtime_lines,
        workload_attempts,
        workload_lines,
    )

    db = Database(database_url)
    try:
        upgrade(db)
        with db.read() as session:
            lines = [*actual_lines(session), *runtime_lines(session)]
            actual = actuals_by_month(sc, lines)
            month = as_of if as_of is not None else actual.last_month + 1
            if not 1 <= month <= sc.horizon:
                fail_bad_input(
                    f"--as-of: month {month} is outside the horizon 1..{sc.horizon}"
                    + ("" if as_of is not None else " (the month after the last actuals); give --as-of")
                )
            ran = attempt_lines(sc, workload_attempts(session), month)
            runs = runs_in_progress(sc, [*workload_lines(session), *ran], month)
            notices = answered_notices(session, sc, sc.calendar.month_start(month))
    except OperationalError as exc:
        fail_bad_input(no_database(exc))
    finally:
        db.dispose()
    bills = {(line.provider, period_month(sc, line.period)) for line in lines if line.source == "focus"}
    fixed = replace(
        fixed_months(sc, actual, month), runs=runs, held=held_capacity(sc, lines, month), notices=notices
    )
    section = fixed_section(sc, fixed, actual, held(sc, lines, month, bills))
    return Replan(fixed, rebase(sc, fixed), section)


def with_fixed(doc: dict[str, Any], replan: Replan) -> str:
    """The plan JSON (as `plan_to_json` writes it) with the `fixed` object."""
    return json.dumps({**doc, "fixed": replan.section}, indent=2, sort_keys=True) + "\n"

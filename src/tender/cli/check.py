"""`tender check SCENARIO PLAN_JSON [--json OUT]`: verify a plan against every clause, independently.

1. Load the scenario (`validate.load_or_exit`: FILE:LINE:COL lines and exit 2 on a bad one).
2. Read the plan JSON; an unreadable file, a syntax error (PLAN:LINE:COL) or a missing field
   (PLAN: field.path: message) exits 2.
3. A re-plan (`tender plan --actuals`, a `fixed` object) is checked against the scenario re-based at its
   `fixed.as_of_month` (`domain.rebase`, on the commitments' drawn amounts the plan states), and held
   to the pinned facts it states (runs in progress, capacity held, notices answered: `check.pinned`).
   `tender.check.check_plan` lists the violations; print one line each, then a summary.
4. Exit 0 when clean, 1 with violations; `--json OUT` writes {"clean", "violations"}.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tender.cli.output import (
    STDOUT,
    check_outputs,
    console,
    err_console,
    fail_bad_input,
    json_option,
    write_atomic,
)
from tender.cli.validate import load_or_exit

if TYPE_CHECKING:
    from tender.check import Violation
    from tender.domain.rebase import FixedMonths

EXIT_VIOLATIONS = 1


def _read_plan(path: Path) -> dict[str, Any]:
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        fail_bad_input(f"{path}: file not found (check the path)")
    except IsADirectoryError:
        fail_bad_input(f"{path}: is a directory, not a plan JSON file")
    except UnicodeDecodeError:
        fail_bad_input(f"{path}: not UTF-8 text (a plan is the JSON `tender plan --json` writes)")
    except OSError as exc:
        fail_bad_input(f"{path}: cannot read ({exc.strerror or exc})")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        fail_bad_input(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}")
    if not isinstance(data, dict):
        fail_bad_input(f"{path}: expected a JSON object (a plan), got {type(data).__name__}")
    return data


def _fixed(plan: dict[str, Any], path: Path) -> FixedMonths:
    from decimal import InvalidOperation

    from tender.ledger.actuals.replan import fixed_from_doc

    try:
        return fixed_from_doc(plan)
    except (KeyError, TypeError, ValueError, InvalidOperation) as exc:
        fail_bad_input(f"{path}: fixed: malformed re-plan section ({exc})")


def line(v: Violation) -> str:
    def show(value: object) -> str:
        return "-" if value is None else str(value)

    return f"{v.code} clause={show(v.clause)} demand={show(v.demand)} month={show(v.month)}: {v.message}"


def summary(plan_path: Path, found: list[Violation]) -> str:
    if not found:
        return f"{plan_path}: clean, no violations"
    counts = Counter(v.code for v in found)
    detail = ", ".join(f"{code} {n}" for code, n in sorted(counts.items()))
    return f"{plan_path}: {len(found)} violation{'s' * (len(found) != 1)} ({detail})"


def document(found: list[Violation]) -> str:
    body = {"clean": not found, "violations": [v.as_json() for v in found]}
    return json.dumps(body, indent=2, sort_keys=True) + "\n"


def register(app: typer.Typer) -> None:
    @app.command("check")
    def check_cmd(
        scenario: Path = typer.Argument(..., help="Scenario YAML file the plan was made from."),
        plan_json: Path = typer.Argument(..., help="Plan JSON written by `tender plan --json`."),
        json_path: Annotated[Path | None, json_option('{"clean", "violations"}')] = None,
    ) -> None:
        """Check a plan against every contract clause, from the scenario and the plan JSON only."""
        from tender.check import PlanDocError, check_plan

        check_outputs([(json_path, "--json")])
        sc = load_or_exit(scenario)
        plan = _read_plan(plan_json)
        fixed = _fixed(plan, plan_json) if "fixed" in plan else None
        if fixed is not None:
            from tender.domain.rebase import rebase

            sc = rebase(sc, fixed)
        try:
            found = check_plan(sc, plan, fixed)
        except PlanDocError as exc:
            fail_bad_input(f"{plan_json}: {exc}")
        for v in found:
            console.print(line(v), markup=False)
        console.print(summary(plan_json, found), markup=False)
        if json_path is not None:
            write_atomic(json_path, document(found), "--json")
            if json_path != STDOUT:
                err_console.print(f"wrote {json_path}", markup=False)
        if found:
            raise typer.Exit(EXIT_VIOLATIONS)

"""`tender rofr replay CASE.yaml [--json PATH] [--audit PATH]`: run a scripted ROFR case by hand.

Flow:
1. read the case (YAML with positions) and validate it; problems exit 2 as FILE:LINE:COL: field: msg;
2. load the scenario named by `scenario:` (relative to the case file);
3. replay the events through `tender.contracts.step` and hash-chain every event (`ledger.audit`);
4. print notices, awards and refused commands; write `--json` (outcome + audit_head) and `--audit`
   (the JSONL audit log) when asked.
The case format is documented in docs/rofr.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError, model_validator
from rich.table import Table

from tender.cli.output import console
from tender.config import InputError, Problem, load_scenario
from tender.config.errors import format_path, from_validation_error
from tender.config.schema_base import Name, NonNegDecimal, NonNegInt, PosInt, Strict
from tender.config.yamlpos import Positions, load_yaml, read_text
from tender.contracts import Command, outcome, run_script
from tender.contracts.commands import command_from, parse_instant
from tender.domain import Scenario
from tender.ledger.audit import chain_of, head


class NeedIn(Strict):
    id: Name
    workload: Name
    workload_class: str
    gpu: Name
    gpus: PosInt
    region: Name
    start: str | PosInt
    months: PosInt
    price: NonNegDecimal
    new_capacity: bool = True


class QuoteIn(Strict):
    need: Name
    provider: Name
    price: NonNegDecimal
    gpus: PosInt


class RespondIn(Strict):
    need: Name
    holder: Name
    exercise_gpus: NonNegInt | None = None
    decline: bool = False

    @model_validator(mode="after")
    def _one_answer(self) -> RespondIn:
        if self.decline and self.exercise_gpus is not None:
            raise ValueError("give either `exercise_gpus` or `decline: true`, not both")
        return self


class SignedIn(Strict):
    need: Name
    provider: Name
    gpus: PosInt
    price: NonNegDecimal


class FellThroughIn(Strict):
    need: Name
    provider: Name


class TerminateIn(Strict):
    clause: Name
    amendment: str = ""


class TickIn(Strict):
    pass


class EventIn(Strict):
    at: str
    need: NeedIn | None = None
    quote: QuoteIn | None = None
    respond: RespondIn | None = None
    tick: TickIn | None = None
    signed: SignedIn | None = None
    fell_through: FellThroughIn | None = None
    terminate: TerminateIn | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> EventIn:
        given = [k for k in COMMAND_KEYS if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"each event needs `at` and exactly one of: {', '.join(COMMAND_KEYS)}")
        return self


COMMAND_KEYS = ("need", "quote", "respond", "tick", "signed", "fell_through", "terminate")


class CaseIn(Strict):
    scenario: str
    description: str = ""
    events: list[EventIn]
    expect: dict[str, Any] | None = None  # checked by the test suite, ignored by replay


@dataclass(frozen=True)
class Case:
    path: Path
    scenario: Scenario
    script: list[tuple[datetime, Command]]
    expect: dict[str, Any]
    description: str


def _command(ev: EventIn, start: datetime | int | None) -> Command:
    """The event's command, built by the one builder (`tender.contracts.commands`, which also rebuilds the
    service's stored commands)."""
    kind = next(k for k in COMMAND_KEYS if getattr(ev, k) is not None)
    body = getattr(ev, kind).model_dump()
    if kind == "need":
        body["start"] = start
    return command_from(kind, body)


def load_case(path: Path) -> Case:
    """Read, validate and resolve a case file. Raises `InputError` with located problems."""
    file = str(path)
    data, positions = load_yaml(read_text(file), file)
    if not isinstance(data, dict):
        raise InputError([Problem(file, 1, 1, "", "a case must be a mapping with `scenario:` and `events:`")])
    try:
        case = CaseIn.model_validate(data)
    except ValidationError as exc:
        found = from_validation_error(exc, data, positions, file, model=CaseIn)
        raise InputError(sorted(found, key=lambda p: (p.line, p.column))) from None
    problems: list[Problem] = []
    script: list[tuple[datetime, Command]] = []
    for i, ev in enumerate(case.events):
        at = _instant(ev.at, ("events", i, "at"), positions, file, problems)
        start: datetime | int | None = None
        if ev.need is not None:
            raw = ev.need.start
            start = (
                raw
                if isinstance(raw, int)
                else _instant(raw, ("events", i, "need", "start"), positions, file, problems)
            )
        if at is not None and (ev.need is None or start is not None):  # else a problem is recorded
            script.append((at, _command(ev, start)))
    scenario_path = (path.parent / case.scenario).resolve()
    if not scenario_path.is_file():
        problems.append(
            _problem(
                positions,
                file,
                ("scenario",),
                f"scenario file not found: {scenario_path} (path is relative to the case file)",
            )
        )
    if problems:
        raise InputError(problems)
    return Case(path, load_scenario(str(scenario_path)), script, case.expect or {}, case.description)


def _problem(positions: Positions, file: str, path: tuple[str | int, ...], message: str) -> Problem:
    line, col = positions.locate(path)
    return Problem(file, line, col, format_path(path), message)


def _instant(
    text: str, path: tuple[str | int, ...], positions: Positions, file: str, problems: list[Problem]
) -> datetime | None:
    try:
        return parse_instant(text)
    except ValueError:
        problems.append(
            _problem(
                positions, file, path, f"not an ISO-8601 timestamp: {text!r} (e.g. 2026-07-01T00:00:00Z)"
            )
        )
        return None


def run_case(case: Case) -> dict[str, Any]:
    """Replay a case: the outcome document with `events` and `audit_head`, plus the audit chain."""
    state, events = run_script(case.scenario, case.script)
    chain = chain_of(e.record() for e in events)
    document: dict[str, Any] = dict(outcome(state))
    document["events"] = [e.record() for e in events]
    document["audit_head"] = head(chain)
    document["audit"] = chain
    return document


def _print(document: dict[str, Any]) -> None:
    notices = Table(title="Notices", title_justify="left")
    for col in ("id", "holder", "issued", "deadline", "status", "gpus", "exercised", "released", "price"):
        notices.add_column(col)
    for n in document["notices"]:
        notices.add_row(
            n["id"],
            n["holder"],
            n["issued_at"],
            n["deadline"],
            n["status"],
            str(n["gpus"]),
            str(n["exercised_gpus"]),
            str(n["released_gpus"]),
            n["terms"]["price"],
        )
    awards = Table(title="Awards", title_justify="left")
    for col in ("need", "provider", "gpus", "price", "clause", "notice"):
        awards.add_column(col)
    for a in document["awards"]:
        awards.add_row(
            a["need"], a["provider"], str(a["gpus"]), a["price"], a["clause"] or "-", a["notice"] or "-"
        )
    rejected = Table(title="Rejected commands", title_justify="left")
    for col in ("at", "command", "need", "reason", "clause", "why"):
        rejected.add_column(col)
    for r in document["rejected"]:
        rejected.add_row(
            r["at"], r["command"], r["need"] or "-", r["reason"], r["clause"] or "-", r["message"]
        )
    for table in (notices, awards, rejected):
        console.print(table)
    console.print(f"audit head: {document['audit_head']}")

"""`tender risk --plan PLAN.json`: the first stage of a plan JSON (docs/risk.md), or one clear error.

1. read and parse the file (missing, unreadable or invalid JSON: `PLAN.json: message`);
2. the plan must be of this scenario: its `scenario` id, and every award's demand a demand of the
   scenario (else `PLAN.json: scenario: ... (the plan was made from another scenario)`);
3. each training run's slot from its earliest award; each notice's answer (`first_stage.of_parts`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tender.domain import Scenario
from tender.sourcing.risk.first_stage import Answered, FirstStage, RunSlot, of_parts


class PlanInputError(ValueError):
    """One line naming the file and what is wrong."""


def _field(obj: Any, key: str, where: str, path: Path) -> Any:
    if not isinstance(obj, dict) or key not in obj:
        raise PlanInputError(f"{path}: {where}.{key}: missing field")
    return obj[key]


def read_first_stage(path: Path, sc: Scenario) -> FirstStage:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PlanInputError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise PlanInputError(f"{path}: not UTF-8 text") from exc
    except json.JSONDecodeError as exc:
        raise PlanInputError(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from exc
    if not isinstance(doc, dict):
        raise PlanInputError(f"{path}: not a plan JSON object (write it with `tender plan --json`)")
    name = _field(doc, "scenario", "plan", path)
    if name != sc.id:
        raise PlanInputError(
            f"{path}: scenario: the plan is of scenario '{name}', not '{sc.id}' (the plan was made from another scenario)"
        )
    demands = {d.id for d in sc.demands}
    slots: list[tuple[str, RunSlot]] = []
    awards = _field(doc, "awards", "plan", path)
    for i, a in enumerate(awards if isinstance(awards, list) else []):
        where = f"awards[{i}]"
        demand = _field(a, "demand", where, path)
        if demand not in demands:
            raise PlanInputError(
                f"{path}: {where}.demand: '{demand}' is no demand of scenario '{sc.id}' (the plan was made from another scenario)"
            )
        slot = RunSlot(
            str(_field(a, "provider", where, path)),
            str(_field(a, "gpu", where, path)),
            str(_field(a, "region", where, path)),
            int(_field(a, "month", where, path)),
        )
        slots.append((str(demand), slot))
    notices: list[tuple[str, Answered]] = []
    raw = _field(doc, "notices", "plan", path)
    for i, n in enumerate(raw if isinstance(raw, list) else []):
        where = f"notices[{i}]"
        answered = Answered(
            str(_field(n, "need", where, path)),
            str(_field(n, "holder", where, path)),
            str(_field(n, "status", where, path)),
            int(_field(n, "exercised_gpus", where, path)),
            str(_field(n, "issued_at", where, path)),
            n.get("responded_at"),
        )
        notices.append((str(_field(n, "id", where, path)), answered))
    return of_parts(slots, notices, tuple(r.id for r in sc.training_runs))

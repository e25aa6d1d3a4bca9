"""`plan(scenario, options)`: the whole strategic flow, pure and deterministic.

Steps 1-2 are `first_pass.py`, steps 3-6 `finish.py`:
1. index the scenario (`data.build`) with gated third-party capacity usable once the holder could
   have answered; note hard-rule conflicts (`explain.hard_rule_conflicts`);
2. first pass: solve the MILP to find the best third-party alternative for every in-scope need;
3. ROFR loop (`rofr_loop`): notices, quotes, holder answers through the contract engine;
4. second pass: re-plan with the holder's blocks and what it released;
5. sign the released third-party capacity; extract awards and unmet demand with reasons;
6. project the ledger (exact money) and price the contract-blind baseline with the same penalties.
`plan` is `finish(first_pass(...))`: steps 1-2 (`index`, then `first_pass`) read neither the holder
model's coin nor a first stage's bookings, so a risk study finishes several re-plans of one future
from one first pass (`sourcing.risk.passes`; `first_pass.fits` says which first stages may share it).
`finish` loads when a plan first needs it, not with `tender.sourcing`: `tender plan` loads it while
HiGHS solves the first pass (bench/README.md, "Start-up").

A re-plan (`fixed`, months before `fixed.as_of` fixed to the actuals) plans `domain.rebase(scenario, fixed)`
from the start of month `as_of`: the settled months need nothing and their spend is already drawn;
runs in progress keep only their options at their site (`sourcing.pinned`).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from tender.domain import Scenario
from tender.sourcing.first_pass import first_pass
from tender.sourcing.solve import Progress
from tender.sourcing.types import Plan, PlanOptions

if TYPE_CHECKING:  # a re-plan's fixed months and a risk study's first stage: a plain plan loads neither
    from tender.domain.rebase import FixedMonths
    from tender.sourcing.risk.first_stage import FirstStage


def plan(
    scenario: Scenario,
    options: PlanOptions = PlanOptions(),
    *,
    now: datetime | None = None,
    progress: Progress | None = None,
    fixed: FixedMonths | None = None,
    first_stage: FirstStage | None = None,
) -> Plan:
    """Plan the scenario's horizon. `now` (UTC) is when notices go out: default the first month's start
    (with `fixed`, the start of month `fixed.as_of`, and the scenario re-based there). With
    `first_stage` (`tender risk`), its ROFR answers are scripted and each run kept at its site and
    start (`FirstStage.restrict`), its bookings (if any) bound the second pass (`FirstStage.extend`);
    the rest is re-planned (`sourcing.risk.first_stage`)."""
    first = first_pass(scenario, options, now=now, progress=progress, fixed=fixed, first_stage=first_stage)
    from tender.sourcing.finish import finish  # (loaded here, not at import: the module docstring)

    return finish(first, options, progress, first_stage)

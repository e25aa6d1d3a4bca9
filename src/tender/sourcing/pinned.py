"""A re-plan's runs in progress stay where they run (`domain.pinned.PinnedRun`).

`domain.rebase` already narrows a pinned run to its accelerator, its region and its remaining months
(`as_of` .. its last month); the provider is not a field of a run, so `pin_runs(data, fixed)` keeps,
for each pinned run, only the planner's options at its site (provider, accelerator, region) in both
passes. A run whose site cannot hold it any more keeps no option: it is unplaced (and reported so),
never moved.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from tender.sourcing.data import PlanData

if TYPE_CHECKING:  # a re-plan's fixed months (a plain plan loads none)
    from tender.domain.rebase import FixedMonths


def pin_runs(data: PlanData, fixed: FixedMonths | None) -> PlanData:
    if fixed is None or not fixed.runs:
        return data
    options = []
    for run, opts in zip(data.runs, data.run_options, strict=True):
        pin = fixed.pinned(run.id)
        if pin is None:
            options.append(opts)
            continue
        options.append(
            tuple(
                o for o in opts if data.offers[data.sites[o[0]][0]].site == pin.site and o[1] == fixed.as_of
            )
        )
    return replace(data, run_options=tuple(options))

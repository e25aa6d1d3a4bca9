"""Step 3: constraints, one function per family. `add_all` applies them in a fixed order."""

from __future__ import annotations

from tender.sourcing.constraints.capacity import capacity, full_racks
from tender.sourcing.constraints.commitments import committed_spend, provider_spend
from tender.sourcing.constraints.demand import demand_cover
from tender.sourcing.constraints.pricing import reserved_burst, take_or_pay
from tender.sourcing.constraints.rofr import rofr_release
from tender.sourcing.constraints.training import training_runs
from tender.sourcing.data import PlanData
from tender.sourcing.variables import LinearModel, Vars

__all__ = ["add_all"]


def add_all(data: PlanData, model: LinearModel, cols: Vars) -> None:
    """Every family in a fixed order (row order is part of determinism)."""
    demand_cover(data, model, cols)
    training_runs(data, model, cols)
    capacity(data, model, cols)
    full_racks(data, model, cols)
    reserved_burst(data, model, cols)
    take_or_pay(data, model, cols)
    rofr_release(data, model, cols)
    provider_spend(data, model, cols)
    committed_spend(data, model, cols)

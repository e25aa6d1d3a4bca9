"""The whole input of a plan: catalog, providers, contracts, amendments, demand and forecast."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from tender.domain.calendar import Calendar
from tender.domain.contract import Amendment, Contract
from tender.domain.demand import Demand, Fleet, TrainingRun
from tender.domain.provider import Accelerator, Provider
from tender.domain.uncertainty import Uncertainty


@dataclass(frozen=True)
class ScriptedResponse:
    """A right holder's scripted answer to the notice for `need` (a demand id, or a need id)."""

    need: str
    holder: str | None = None
    exercise_gpus: int | None = None  # None with decline=False = exercise all
    decline: bool = False
    silent: bool = False  # says nothing before the deadline
    response_days: int | None = None


@dataclass(frozen=True)
class Scenario:
    """Everything a plan reads: calendar, accelerators, providers, clauses and amendments, demand,
    revenue forecast, scripted ROFR answers and the uncertainty a risk study samples."""

    id: str
    calendar: Calendar
    accelerators: Mapping[str, Accelerator]
    providers: Mapping[str, Provider]
    contracts: tuple[Contract, ...]
    amendments: tuple[Amendment, ...] = ()
    fleets: tuple[Fleet, ...] = ()
    training_runs: tuple[TrainingRun, ...] = ()
    revenue_forecast_usd: tuple[Decimal, ...] = ()  # USD per month (not billions)
    rofr_responses: tuple[ScriptedResponse, ...] = ()
    description: str = ""
    currency: str = "USD"
    ledger_columns: tuple[str, ...] = ()
    unmet_penalty_usd_per_h100_eq_hour: Decimal = Decimal(50)
    extras: Mapping[str, object] = field(default_factory=dict)
    uncertainty: Uncertainty = field(default_factory=Uncertainty)

    @property
    def horizon(self) -> int:
        return self.calendar.horizon_months

    @property
    def demands(self) -> tuple[Demand, ...]:
        return (*self.fleets, *self.training_runs)

    def contract(self, contract_id: str) -> Contract | None:
        for contract in self.contracts:
            if contract.id == contract_id:
                return contract
        return None

"""The clause view the model needs, per month: what is in effect, who is exclusive, what is in ROFR scope.

Clause semantics live in `tender.contracts`; this module only adapts them to the model's indices
(provider x accelerator x region x demand x month) and caches the answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from tender.contracts import Need, clauses_at, in_right_scope
from tender.domain import (
    CommittedSpend,
    Contract,
    DataResidency,
    Fleet,
    ReservedCapacity,
    RevenueShare,
    Rofr,
    Scenario,
    TakeOrPay,
    TrainingRun,
    WorkloadExclusivity,
)
from tender.domain.provider import ProviderKind

Demand = Fleet | TrainingRun


@dataclass(frozen=True)
class ClauseView:
    """The clauses in force per month, with the questions the steps ask of them (rights in scope,
    open rights, gate openings) answered once per key and cached (the caches never compare)."""

    scenario: Scenario
    by_month: tuple[tuple[Contract, ...], ...]  # index m-1
    # `rofr_clauses` answers, keyed by the month's rights epoch (`_rofr_epoch`), not the month itself
    _rofr_cache: dict[tuple[str, str, str, str, int, bool], tuple[Rofr, ...]] = field(
        default_factory=dict, compare=False
    )
    _rofr_epochs: list[int] = field(default_factory=list, compare=False)  # index m-1, built on first use
    # `open_rights` answers; the key holds all they read besides the view's own clauses
    _open_rights: dict[tuple[str, str, str, str, int, bool, datetime], tuple[Rofr, ...] | None] = field(
        default_factory=dict, compare=False
    )
    # `gate_open` answers: (right id, response window days, month, now) is all they read
    _gate_open: dict[tuple[str, int, int, datetime], bool] = field(default_factory=dict, compare=False)
    # per month (index m-1), built on first use: clauses of one kind, keyed by what they apply to
    _kinds: dict[str, tuple[tuple[Contract, ...], ...]] = field(default_factory=dict, compare=False)
    _restricted: dict[str, bool] = field(default_factory=dict, compare=False)
    _blocked: dict[tuple[str, str, str], frozenset[int]] = field(default_factory=dict, compare=False)
    _residency: dict[int, dict[str, tuple[DataResidency, ...]]] = field(default_factory=dict, compare=False)
    _run_starts: dict[tuple[str, int], int] = field(default_factory=dict, compare=False)

    @classmethod
    def of(cls, scenario: Scenario) -> ClauseView:
        return cls(
            scenario, tuple(tuple(clauses_at(scenario, month)) for month in scenario.calendar.months())
        )

    def at(self, month: int) -> tuple[Contract, ...]:
        return self.by_month[month - 1]

    def all_clauses(self) -> list[Contract]:
        """Every clause in effect in some month of the horizon, by id, first occurrence kept."""
        if "*" not in self._kinds:
            seen: dict[str, Contract] = {}
            for clauses in self.by_month:
                for clause in clauses:
                    seen.setdefault(clause.id, clause)
            self._kinds["*"] = (tuple(seen.values()),)
        return list(self._kinds["*"][0])

    def versions(self) -> list[Contract]:
        """Every version of every clause in force in some month (an amended clause has several), in order."""
        if "#" not in self._kinds:
            seen: dict[Contract, None] = {}
            for clauses in self.by_month:
                for clause in clauses:
                    seen.setdefault(clause, None)
            self._kinds["#"] = (tuple(seen),)
        return list(self._kinds["#"][0])

    def of_kind(self, kind: type[Contract], month: int) -> tuple[Contract, ...]:
        """The clauses of one type in effect in `month` (in `clauses_at` order), cached per type."""
        name = kind.__name__
        if name not in self._kinds:
            self._kinds[name] = tuple(
                tuple(clause for clause in clauses if isinstance(clause, kind)) for clauses in self.by_month
            )
        return self._kinds[name][month - 1]

    def restricted(self, demand: Demand) -> bool:
        """Does any residency or exclusivity clause, in any month, name `demand` (or its class)?"""
        if not self._restricted:
            self._restricted[""] = False  # built: names every demand some clause restricts
            for clause in self.versions():  # every version: an amendment may name new workloads
                if isinstance(clause, DataResidency | WorkloadExclusivity):
                    for workload in clause.workloads:
                        self._restricted[workload] = True
        if demand.id not in self._restricted:
            self._restricted[demand.id] = any(
                isinstance(clause, WorkloadExclusivity) and demand.workload_class in clause.workload_classes
                for clause in self.versions()
            )
        return self._restricted[demand.id]

    def blocked_months(self, demand: Demand, region: str, provider: str) -> frozenset[int]:
        """Months in which residency (`region`) or exclusivity (`provider`) forbid `demand`, cached."""
        res_key = (demand.id, "region", region)
        if res_key not in self._blocked:
            self._blocked[res_key] = frozenset(
                month
                for month in range(1, len(self.by_month) + 1)
                if self.residency_block(demand, region, month)
            )
        exc_key = (demand.id, "provider", provider)
        if exc_key not in self._blocked:
            self._blocked[exc_key] = frozenset(
                month
                for month in range(1, len(self.by_month) + 1)
                if self.exclusivity_block(demand, provider, month)
            )
        return self._blocked[res_key] | self._blocked[exc_key]

    def exclusivity_block(self, demand: Demand, provider: str, month: int) -> str | None:
        """The exclusivity clause id that forbids `provider` for `demand` in `month`, if any."""
        for clause in self.of_kind(WorkloadExclusivity, month):
            if (
                isinstance(clause, WorkloadExclusivity)
                and (demand.id in clause.workloads or demand.workload_class in clause.workload_classes)
                and clause.provider != provider
            ):
                return clause.id
        return None

    def residency_block(self, demand: Demand, region: str, month: int) -> str | None:
        if month not in self._residency:
            index: dict[str, list[DataResidency]] = {}
            for clause in self.of_kind(DataResidency, month):
                if isinstance(clause, DataResidency):
                    for workload in dict.fromkeys(clause.workloads):
                        index.setdefault(workload, []).append(clause)
            self._residency[month] = {w: tuple(clauses) for w, clauses in index.items()}
        for clause in self._residency[month].get(demand.id, ()):
            if region not in clause.allowed_regions:
                return clause.id
        return None

    def rofr_clause(
        self, demand: Demand, provider: str, gpu: str, region: str, month: int, new: bool | None = None
    ) -> Rofr | None:
        """The first right whose holder must be offered this capacity first (None = free to buy)."""
        rights = self.rofr_clauses(demand, provider, gpu, region, month, new)
        return rights[0] if rights else None

    def rofr_clauses(
        self, demand: Demand, provider: str, gpu: str, region: str, month: int, new: bool | None = None
    ) -> tuple[Rofr, ...]:
        """Every priority right whose holder must be offered this capacity before `provider` may have it.

        A right never binds its own holder (each right's third parties are the others). Capacity
        already contracted (a reservation with the provider, or the lab's own cluster) is not new
        capacity: `new` says so for one offer (None: any reservation there counts); scope and
        carve-outs are the contract engine's (`in_right_scope`).
        """
        if not self.of_kind(Rofr, month):
            return ()
        new = self.is_new_capacity(provider, gpu, region, month) if new is None else new
        key = (demand.id, provider, gpu, region, self._rofr_epoch(month), new)
        if key in self._rofr_cache:
            return self._rofr_cache[key]
        found: tuple[Rofr, ...] = ()
        rights = [
            clause
            for clause in self.of_kind(Rofr, month)
            if isinstance(clause, Rofr) and clause.holder != provider
        ]
        if rights:
            need = Need(
                id=demand.id,
                workload=demand.id,
                workload_class=demand.workload_class,
                gpu=gpu,
                gpus=1,
                region=region,
                start=month,
                months=1,
                price=Decimal(0),
                new_capacity=new,
                third_party=provider,
            )
            found = tuple(clause for clause in rights if in_right_scope(clause, need, provider))
        self._rofr_cache[key] = found
        return found

    def _rofr_epoch(self, month: int) -> int:
        """The first month whose rights in force equal `month`'s. `rofr_clauses` reads `month` only
        through those rights (`in_right_scope` reads the need's workload, class, accelerator,
        region, capacity kind and provider, never its start), so the months of one epoch share answers."""
        if not self._rofr_epochs:
            first_month: dict[tuple[Contract, ...], int] = {}
            for index in range(len(self.by_month)):
                rights = self.of_kind(Rofr, index + 1)
                self._rofr_epochs.append(first_month.setdefault(rights, index + 1))
        return self._rofr_epochs[month - 1]

    def open_rights(
        self, demand: Demand, provider: str, gpu: str, region: str, month: int, new: bool, now: datetime
    ) -> tuple[Rofr, ...] | None:
        """`rofr_clauses` of this capacity, or None when one of them keeps it shut: no answer to a
        notice sent at `now` can come before `month` starts (`gate_open`)."""
        key = (demand.id, provider, gpu, region, month, new, now)
        if key not in self._open_rights:
            rights = self.rofr_clauses(demand, provider, gpu, region, month, new)
            is_open = all(self.gate_open(right, month, now) for right in rights)
            self._open_rights[key] = rights if is_open else None
        return self._open_rights[key]

    def run_start(self, clause: str, month: int) -> int:
        """First month of the unbroken run of months, ending at `month`, in which `clause` is in force."""
        key = (clause, month)
        if key not in self._run_starts:
            start = month
            while start > 1 and any(c.id == clause for c in self.of_kind(Rofr, start - 1)):
                start -= 1
            self._run_starts[key] = start
        return self._run_starts[key]

    def notice_instant(self, right: Rofr, month: int, now: datetime) -> datetime:
        """When a need using capacity in `month` can first be noticed to `right`'s holder: the plan
        instant, or the start of the right's run of months in force if it begins later."""
        return max(now, self.scenario.calendar.month_start(self.run_start(right.id, month)))

    def gate_open(self, right: Rofr, month: int, now: datetime) -> bool:
        """Could the holder have answered a notice about `month` before that month starts?"""
        key = (right.id, right.response_window_days, month, now)
        if key not in self._gate_open:
            answer_by = self.notice_instant(right, month, now) + timedelta(days=right.response_window_days)
            self._gate_open[key] = answer_by <= self.scenario.calendar.month_start(month)
        return self._gate_open[key]

    def is_new_capacity(self, provider: str, gpu: str, region: str, month: int) -> bool:
        """False for capacity already contracted: the lab's own cluster or a running reservation."""
        if self.scenario.providers[provider].kind is ProviderKind.OWNED:
            return False
        return self.reserved(provider, gpu, region, month) is None

    def reserved(self, provider: str, gpu: str, region: str, month: int) -> ReservedCapacity | None:
        for clause in self.of_kind(ReservedCapacity, month):
            if (
                isinstance(clause, ReservedCapacity)
                and clause.provider == provider
                and clause.gpu == gpu
                and (clause.region is None or clause.region == region)
                and clause.start_month <= month <= clause.end_month
            ):
                return clause
        return None

    def take_or_pay(self, provider: str, gpu: str, month: int) -> TakeOrPay | None:
        for clause in self.of_kind(TakeOrPay, month):
            if (
                isinstance(clause, TakeOrPay)
                and clause.provider == provider
                and (clause.gpu is None or clause.gpu == gpu)
                and clause.effective_from_month
                <= month
                < clause.effective_from_month + max(clause.term_months, 1)
            ):
                return clause
        return None

    def commitments(self) -> list[CommittedSpend]:
        """Every version of every committed-spend clause (`versions`)."""
        return [clause for clause in self.versions() if isinstance(clause, CommittedSpend)]

    def revenue_shares(self) -> list[RevenueShare]:
        """Every version of every revenue-share clause (`versions`)."""
        return [clause for clause in self.versions() if isinstance(clause, RevenueShare)]

    def right_at(self, clause: str, month: int) -> Rofr | None:
        """The version of priority right `clause` in force in `month` (None when none is)."""
        month = min(max(month, 1), len(self.by_month))
        return next((c for c in self.of_kind(Rofr, month) if isinstance(c, Rofr) and c.id == clause), None)

    def rofrs(self) -> list[Rofr]:
        return [clause for clause in self.all_clauses() if isinstance(clause, Rofr)]

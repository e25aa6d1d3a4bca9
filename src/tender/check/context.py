"""What every rule reads: the scenario, the checker's timeline, the plan's notices, and small lookups."""

from __future__ import annotations

from decimal import Decimal

from tender.check.plan_doc import Award, Notice
from tender.check.timeline import Timeline, build_timeline
from tender.domain import Demand, Provider, ProviderKind, Rates, ReservedCapacity, Scenario

NO_RATES = Rates()


class Context:
    def __init__(self, scenario: Scenario, notices: tuple[Notice, ...]) -> None:
        self.scenario = scenario
        self.calendar = scenario.calendar
        self.hours = Decimal(scenario.calendar.hours_per_month)
        self.timeline: Timeline = build_timeline(scenario)
        self.demands: dict[str, Demand] = {d.id: d for d in scenario.demands}
        self.notices: dict[str, Notice] = {}
        for notice in notices:
            self.notices.setdefault(notice.id, notice)

    def provider(self, provider_id: str) -> Provider | None:
        return self.scenario.providers.get(provider_id)

    def rates(self, provider_id: str, gpu: str) -> Rates:
        provider = self.provider(provider_id)
        return provider.rates.get(gpu, NO_RATES) if provider is not None else NO_RATES

    def committed_rate(self, provider_id: str, gpu: str) -> Decimal | None:
        """Contract, else on-demand, else spot: the first rate (p, g) has."""
        rates = self.rates(provider_id, gpu)
        for rate in (rates.contract, rates.on_demand, rates.spot):
            if rate is not None:
                return rate
        return None

    def block_months(self, notice: Notice) -> range:
        """Months a holder's exercised block is usable: from its answer plus the lead time, within the need."""
        holder = self.provider(notice.holder)
        lead = holder.lead_time_months if holder is not None else 0
        first = max(notice.start_month, self.calendar.month_of(notice.answer_at) + lead)
        return range(first, notice.last_month + 1)

    def holder_blocks(self) -> list[Notice]:
        """Notices whose holder exercised some GPUs: each is a block of the holder's new capacity."""
        return [n for n in self.notices.values() if n.exercised_gpus > 0 and self.provider(n.holder)]

    def block_notice(self, award: Award) -> Notice | None:
        """The notice a holder-block award draws on: it cites the notice and is at its holder."""
        notice = self.notices.get(award.notice) if award.notice is not None else None
        return notice if notice is not None and notice.holder == award.provider else None

    def cited_reservation(self, award: Award) -> ReservedCapacity | None:
        """The reservation the award cites, if it covers (provider, gpu, region, month) and is in force."""
        if award.clause is None:
            return None
        version = self.timeline.version_in_force(award.clause, award.month)
        if not isinstance(version, ReservedCapacity) or not covers(version, award):
            return None
        return version

    def reservation_regions(self, reservation: ReservedCapacity) -> tuple[str, ...]:
        if reservation.region is not None:
            return (reservation.region,)
        provider = self.provider(reservation.provider)
        return provider.regions if provider is not None else ()

    def existing_contracted(self, award: Award) -> bool:
        """Owned capacity, or capacity under a running reservation the award cites."""
        provider = self.provider(award.provider)
        owned = provider is not None and provider.kind is ProviderKind.OWNED
        return owned or self.cited_reservation(award) is not None


def covers(reservation: ReservedCapacity, award: Award) -> bool:
    return (
        reservation.provider == award.provider
        and reservation.gpu == award.gpu
        and reservation.region in (None, award.region)
        and reservation.start_month <= award.month <= reservation.end_month
    )

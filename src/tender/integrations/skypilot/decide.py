"""What a SkyPilot task may use this month, in Tender's terms: pure, no `sky`, no I/O, no clock.

`decide(scenario, request)`:
1. resolve the workload (`tender.workload` label, else the task's name): a demand id of the scenario
   (its class comes with it) or a workload class; anything else is `unknown_workload`;
2. list Tender's offerings the task's asks match: every (provider, region, accelerator) the provider
   has capacity of, whose accelerator is one the ask names (SkyPilot's spellings resolved through the
   shipped catalog's names) and, when the ask names a cloud or region, whose SkyPilot mapping matches;
3. ask the contract engine (`tender.contracts.eligibility`) about each, gang = GPUs per node x nodes,
   for the month (exclusivity, residency, region, capacity, ROFR / first-ship not yet released): a
   "no" is a `Refusal` with the engine's reason code and clause id. With `stored` needs (raised on a
   `tender serve`, each with its replayed ROFR state), the engine is asked under each need that
   covers the offer (`covers`: same demand id, or same class for a class-only workload; same
   accelerator and region; the month within the need's months; the gang within its GPUs), with that
   need's id and state, so its notices decide: declined or released -> allowed, exercised in full ->
   `rofr_exercised_by_holder`, unanswered -> `rofr_pending` naming the notice. The first covering need
   that allows wins, else the first one's refusal; no covering need -> every right in scope is pending;
4. an allowed offering with no SkyPilot cloud or region is `not_launchable`; one with no price for the
   ask (`use_spot` where no spot price) is `no_price`;
5. price the rest (`price_of`): tier `contract` (a take-or-pay or committed-spend clause draws it
   down), `reserved` (a reserved-capacity clause covers it), else `list` (on-demand, or the
   provider's rate); sort by tier, price, the workload's preferred regions, provider, region.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from tender.catalog import canonical_gpu
from tender.contracts import Need, RofrState, Verdict, eligibility
from tender.contracts.timeline import clauses_at
from tender.domain import CommittedSpend, Provider, ProviderKind, ReservedCapacity, Scenario, TakeOrPay

TIERS = ("contract", "reserved", "list")


@dataclass(frozen=True)
class Ask:
    """One SkyPilot resources candidate: accelerator choices (SkyPilot name, count per node), where."""

    accelerators: tuple[tuple[str, int], ...]
    cloud: str | None = None
    region: str | None = None
    use_spot: bool = False
    index: int = 0  # position among the task's candidates (any_of / ordered), 0 for a single one


@dataclass(frozen=True)
class Request:
    name: str
    workload: str  # the `tender.workload` label, else the task's name
    asks: tuple[Ask, ...]
    num_nodes: int
    month: int


@dataclass(frozen=True)
class StoredNeed:
    """A need raised on a `tender serve` and its ROFR state (replayed from its stored commands)."""

    need: Need
    state: RofrState


@dataclass(frozen=True)
class Candidate:
    provider: str
    region: str  # Tender's region
    gpu: str  # the scenario's accelerator
    cloud: str  # SkyPilot's cloud and region
    sky_region: str
    accelerator: str  # the ask's own SkyPilot spelling
    count: int  # per node
    use_spot: bool
    tier: str
    price: Decimal  # USD per accelerator-hour
    clause: str | None  # the clause behind the tier (None for list prices)
    ask: int


@dataclass(frozen=True)
class Refusal:
    provider: str
    region: str
    gpu: str
    code: str
    clause: str | None
    message: str

    def text(self) -> str:
        clause = f" [{self.clause}]" if self.clause else ""
        return f"{self.provider}/{self.region} {self.gpu}: {self.code}{clause} {self.message}"


@dataclass(frozen=True)
class Decision:
    name: str
    workload: str
    workload_class: str
    month: int
    allowed: tuple[Candidate, ...]
    refused: tuple[Refusal, ...]
    passthrough: bool = False  # no accelerators asked for: not Tender's business

    @property
    def rejected(self) -> bool:
        return not self.passthrough and not self.allowed

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(sorted({r.code for r in self.refused}))

    def message(self) -> str:
        """One line for SkyPilot's rejection: who, when, and every refusal's code and clause."""
        who = f"{self.workload} ({self.workload_class})" if self.workload else self.workload_class
        head = f"tender: no capacity {self.name!r} may use for {who} in month {self.month}"
        reasons = "; ".join(r.text() for r in self.refused) or "nothing asked for is offered"
        return f"{head}: {reasons}"


def resolve_workload(scenario: Scenario, label: str) -> tuple[str, str] | None:
    """(workload id, class) for a demand id, ("", class) for a workload class, else None."""
    for demand in scenario.demands:
        if demand.id == label:
            return demand.id, demand.workload_class
    classes = {d.workload_class for d in scenario.demands}
    return ("", label) if label in classes else None


def _canon(name: str) -> str:
    return (canonical_gpu(name) or name).lower()


def _matches(ask: Ask, provider: Provider, gpu: str, region: str) -> list[tuple[str, int, tuple[str, ...]]]:
    """(SkyPilot accelerator, count, SkyPilot regions) for each accelerator choice of `ask` that this
    offering is; an ask naming a cloud or region only matches a provider mapped there."""
    target = provider.skypilot
    if ask.cloud is not None and (target is None or target.cloud.lower() != ask.cloud.lower()):
        return []
    regions = target.regions.get(region, ()) if target is not None else ()
    if ask.region is not None:
        if ask.region not in regions:
            return []
        regions = (ask.region,)
    return [(name, count, regions) for name, count in ask.accelerators if _canon(name) == _canon(gpu)]


def is_new_capacity(scenario: Scenario, provider: Provider, gpu: str, region: str, month: int) -> bool:
    """The planner's rule (`tender.sourcing.clauses.ClauseView.is_new_capacity`): capacity already
    contracted (the lab's own cluster, or a running reservation) is not new capacity."""
    if provider.kind is ProviderKind.OWNED:
        return False
    return _reserved(scenario, provider.id, gpu, region, month) is None


def _reserved(
    scenario: Scenario, provider: str, gpu: str, region: str, month: int
) -> ReservedCapacity | None:
    for c in clauses_at(scenario, month):
        if (
            isinstance(c, ReservedCapacity)
            and c.provider == provider
            and c.gpu == gpu
            and (c.region is None or c.region == region)
            and c.start_month <= month <= c.end_month
        ):
            return c
    return None


def price_of(
    scenario: Scenario, provider: Provider, gpu: str, region: str, month: int, use_spot: bool
) -> tuple[str, Decimal, str | None] | None:
    """(tier, USD per accelerator-hour, clause) of one accelerator-hour here, or None if not sold so."""
    rates = provider.rates.get(gpu)
    if rates is None:
        return None
    if use_spot:
        return ("list", rates.spot, None) if rates.spot is not None else None
    in_force = clauses_at(scenario, month)
    for c in in_force:
        if (
            isinstance(c, TakeOrPay)
            and c.provider == provider.id
            and c.gpu in (None, gpu)
            and rates.contract is not None
        ):
            return "contract", rates.contract, c.id
    for c in in_force:
        if isinstance(c, CommittedSpend) and c.provider == provider.id and rates.contract is not None:
            return "contract", rates.contract, c.id
    reserved = _reserved(scenario, provider.id, gpu, region, month)
    if reserved is not None:
        rate = rates.contract if rates.contract is not None else rates.on_demand
        if rate is not None:
            return "reserved", rate, reserved.id
    rate = rates.on_demand if rates.on_demand is not None else rates.contract
    return ("list", rate, None) if rate is not None else None


@dataclass(frozen=True)
class _Offer:
    """One Tender offering matched by one accelerator choice of one ask."""

    provider: Provider
    gpu: str
    region: str
    ask: Ask
    accelerator: str
    count: int
    sky_regions: tuple[str, ...]


def decide(scenario: Scenario, request: Request, stored: tuple[StoredNeed, ...] = ()) -> Decision:
    """The allowed candidates in Tender's order, and every refusal with its code and clause."""
    if not any(ask.accelerators for ask in request.asks):
        return Decision(request.name, request.workload, "", request.month, (), (), passthrough=True)
    resolved = resolve_workload(scenario, request.workload)
    if resolved is None:
        return Decision(request.name, request.workload, "", request.month, (), (_unknown(scenario, request),))
    workload, workload_class = resolved
    allowed: list[Candidate] = []
    refused: list[Refusal] = []
    for offer in _offers(scenario, request):
        found = _judge(scenario, request, workload, workload_class, offer, stored)
        if isinstance(found, list):
            allowed.extend(found)
        elif found not in refused:
            refused.append(found)
    preferred = _preferred(scenario, workload)
    allowed.sort(
        key=lambda c: (TIERS.index(c.tier), c.price, c.region not in preferred, c.provider, c.region, c.ask)
    )
    return Decision(request.name, workload, workload_class, request.month, _unique(allowed), tuple(refused))


def _unknown(scenario: Scenario, request: Request) -> Refusal:
    known = ", ".join(sorted({d.id for d in scenario.demands} | {d.workload_class for d in scenario.demands}))
    return Refusal(
        "-",
        "-",
        "-",
        "unknown_workload",
        None,
        f"{request.workload!r} is neither a demand id nor a workload class of {scenario.id} "
        f"(set the task label tender.workload to one of: {known})",
    )


def _offers(scenario: Scenario, request: Request) -> list[_Offer]:
    """Every (provider, accelerator, region) with capacity that an ask's accelerator choice matches."""
    return [
        _Offer(provider, gpu, region, ask, name, count, sky_regions)
        for pid in sorted(scenario.providers)
        for provider in (scenario.providers[pid],)
        for gpu, region in provider.gpu_region_pairs()
        for ask in request.asks
        for name, count, sky_regions in _matches(ask, provider, gpu, region)
    ]


def covers(scenario: Scenario, stored: Need, need: Need) -> bool:
    """Does the stored need cover the request's `need` (one month, `start` a horizon month)?"""
    start = stored.start_month(scenario.calendar)
    month = need.start_month(scenario.calendar)
    same = stored.workload == need.workload if need.workload else stored.workload_class == need.workload_class
    return (
        same
        and stored.gpu == need.gpu
        and stored.region == need.region
        and start <= month < start + stored.months
        and need.gpus <= stored.gpus
    )


def _verdict(
    scenario: Scenario, need: Need, provider: str, month: int, stored: tuple[StoredNeed, ...]
) -> Verdict:
    """The engine's verdict under each stored need covering `need`: the first "yes", else the first "no"."""
    at = scenario.calendar.month_start(month)
    verdicts = [
        eligibility(scenario, replace(need, id=s.need.id), provider, at, s.state)
        for s in stored
        if covers(scenario, s.need, need)
    ]
    allowed = [v for v in verdicts if v.allowed]
    if allowed:
        return allowed[0]
    return verdicts[0] if verdicts else eligibility(scenario, need, provider, at)


def _judge(
    scenario: Scenario,
    request: Request,
    workload: str,
    workload_class: str,
    offer: _Offer,
    stored: tuple[StoredNeed, ...],
) -> Refusal | list[Candidate]:
    """The contract engine's answer for one offer, then launchability and price."""
    provider, gpu, region, month = offer.provider, offer.gpu, offer.region, request.month
    priced = price_of(scenario, provider, gpu, region, month, offer.ask.use_spot)
    need = Need(
        id=f"skypilot:{request.name}",
        workload=workload,
        workload_class=workload_class,
        gpu=gpu,
        gpus=offer.count * request.num_nodes,
        region=region,
        start=month,
        months=1,
        price=priced[1] if priced else Decimal(0),
        new_capacity=is_new_capacity(scenario, provider, gpu, region, month),
        third_party=provider.id,
    )
    verdict = _verdict(scenario, need, provider.id, month, stored)
    if not verdict.allowed:
        return Refusal(provider.id, region, gpu, verdict.reason or "refused", verdict.clause, verdict.message)
    if provider.skypilot is None or not offer.sky_regions:
        why = "allowed, but not launchable through SkyPilot (no skypilot cloud/region in the scenario)"
        return Refusal(provider.id, region, gpu, "not_launchable", None, why)
    if priced is None:
        what = "spot" if offer.ask.use_spot else "any"
        return Refusal(provider.id, region, gpu, "no_price", None, f"no {what} price for {gpu}")
    tier, price, clause = priced
    cloud = provider.skypilot.cloud
    return [
        Candidate(
            provider.id,
            region,
            gpu,
            cloud,
            sky_region,
            offer.accelerator,
            offer.count,
            offer.ask.use_spot,
            tier,
            price,
            clause,
            offer.ask.index,
        )
        for sky_region in offer.sky_regions
    ]


def _preferred(scenario: Scenario, workload: str) -> frozenset[str]:
    for demand in scenario.demands:
        if demand.id == workload:
            return frozenset(getattr(demand, "regions_preferred", ()))
    return frozenset()


def _unique(items: list[Candidate]) -> tuple[Candidate, ...]:
    """One candidate per (cloud, region, accelerator, count, spot): the first, best one."""
    seen: set[tuple[str, str, str, int, bool]] = set()
    out = []
    for c in items:
        key = (c.cloud, c.sky_region, c.accelerator, c.count, c.use_spot)
        if key not in seen:
            seen.add(key)
            out.append(c)
    return tuple(out)

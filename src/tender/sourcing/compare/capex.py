"""New build: the capacity each provider brings online for the lab during the horizon, and a capex proxy.

Definition (docs/compare.md): in month m the lab holds from provider p, accelerator g, region r the
GPUs of its awards there, plus every GPU of a ROFR holder block (booked whether used or not). What
exceeds the capacity p had online for the lab in month 1 (`existing_gpus(g, r, 1)`) had to be built
during the horizon. Per provider:
1. `gpu_months`: the sum of that excess over months and (g, r);
2. `peak_gpus`: per (g, r) its largest monthly excess, summed over (g, r);
3. `capex_proxy_usd`: each (g, r)'s peak x `USD_PER_GPU[g]` (an accelerator-only price, below).
The primary's figure is what it carries; the rivals' (every other provider) is what it offloads.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from tender.domain import Scenario
from tender.sourcing.types import Plan

ZERO = Decimal(0)

# Accelerator-only purchase price per GPU, USD: an illustrative proxy (no facility, power or network),
# anchored on widely reported estimates: H100 ~$25-30k; B200 $30-40k (NVIDIA CEO, CNBC, Mar 2024);
# GB200 NVL72 ~$3M per 72-GPU rack (analyst estimate, 2024) => ~$42k; GB300 ~ +25% on GB200;
# H200 between H100 and B200; MI300X ~$15k (analyst estimate); custom ASICs priced like an H100
# (assumption: no public price). Same numbers for every provider and variant, so only the GPU counts differ.
USD_PER_GPU: dict[str, Decimal] = {
    "H100": Decimal(27500),
    "H200": Decimal(32500),
    "B200": Decimal(35000),
    "GB200": Decimal(42000),
    "GB300": Decimal(52000),
    "MI300X": Decimal(15000),
    "ASIC-A": Decimal(27500),
    "ASIC-B": Decimal(27500),
}
DEFAULT_USD_PER_GPU = Decimal(27500)  # an accelerator the table does not name: priced like an H100


@dataclass(frozen=True)
class ProviderBuild:
    provider: str
    gpu_months: int
    peak_gpus: int
    capex_proxy_usd: Decimal


@dataclass(frozen=True)
class Build:
    primary: str | None
    providers: tuple[ProviderBuild, ...]  # scenario order; providers with no new build left out

    def of(self, provider: str) -> ProviderBuild:
        return next(
            (b for b in self.providers if b.provider == provider), ProviderBuild(provider, 0, 0, ZERO)
        )

    def rivals(self) -> ProviderBuild:
        """Every provider but the primary, summed."""
        others = [b for b in self.providers if b.provider != self.primary]
        return ProviderBuild(
            "rivals",
            sum(b.gpu_months for b in others),
            sum(b.peak_gpus for b in others),
            sum((b.capex_proxy_usd for b in others), ZERO),
        )


def held_gpus(sc: Scenario, p: Plan) -> dict[tuple[str, str, str, int], int]:
    """(provider, gpu, region, month) -> GPUs the lab holds there: awards off holder blocks, plus
    each holder block whole (its charge is GPUs x rate x hours)."""
    hours = Decimal(sc.calendar.hours_per_month)
    held: dict[tuple[str, str, str, int], int] = {}
    blocks = {(c.notice, c.provider, c.gpu, c.region) for c in p.charges if c.kind == "holder_block"}
    for a in p.awards:
        if (a.notice, a.provider, a.gpu, a.region) not in blocks:
            key = (a.provider, a.gpu, a.region, a.month)
            held[key] = held.get(key, 0) + a.gpus
    for c in p.charges:
        if c.kind == "holder_block" and c.gpu and c.region and c.rate:
            key = (c.provider, c.gpu, c.region, c.month)
            held[key] = held.get(key, 0) + int(c.billed_usd / (c.rate * hours))
    return held


def new_build(sc: Scenario, p: Plan, primary: str | None) -> Build:
    excess: dict[tuple[str, str, str], list[int]] = {}
    for (prov, gpu, region, _m), gpus in sorted(held_gpus(sc, p).items()):
        online = sc.providers[prov].existing_gpus(gpu, region, 1) if prov in sc.providers else 0
        if gpus > online:
            excess.setdefault((prov, gpu, region), []).append(gpus - online)
    out = []
    for prov in sc.providers:
        lines = [(g, v) for (pp, g, _r), v in sorted(excess.items()) if pp == prov]
        if not lines:
            continue
        capex = sum((max(v) * USD_PER_GPU.get(g, DEFAULT_USD_PER_GPU) for g, v in lines), ZERO)
        out.append(ProviderBuild(prov, sum(sum(v) for _, v in lines), sum(max(v) for _, v in lines), capex))
    return Build(primary, tuple(out))

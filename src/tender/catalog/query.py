"""Filter and sort offerings; the list price a scenario can refer to (`on_demand: {catalog: Lambda}`).

Every function takes an optional ``offerings`` sequence (tests pass small ones); by default it uses
the shipped catalog (`load_offerings()`).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from tender.catalog.load import load_offerings
from tender.catalog.names import resolve_gpu
from tender.catalog.offering import Offering

_ZERO = Decimal(0)


@dataclass(frozen=True)
class Query:
    """What to list. ``gpu`` may be any known spelling; ``provider`` and ``region`` match
    case-insensitively and exactly; ``max_price`` bounds the chosen price (USD per accelerator-hour);
    ``spot`` chooses the spot price instead of on-demand for filtering and sorting."""

    gpu: str | None = None
    provider: str | None = None
    region: str | None = None
    max_price: Decimal | None = None
    spot: bool = False
    include_flagged: bool = False


class UnknownProviderError(ValueError):
    """A provider name the catalog does not know; carries close matches for the message."""

    def __init__(self, name: str, known: tuple[str, ...]) -> None:
        self.name = name
        lowered = {provider.lower(): provider for provider in known}
        close = difflib.get_close_matches(name.lower(), list(lowered), n=3, cutoff=0.5)
        self.suggestions = tuple(lowered[match] for match in close)
        hint = f"; did you mean {', '.join(self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"unknown provider {name!r}{hint} (known: {', '.join(known)})")


def _rows(offerings: Iterable[Offering] | None) -> tuple[Offering, ...]:
    return load_offerings() if offerings is None else tuple(offerings)


def providers(offerings: Iterable[Offering] | None = None) -> tuple[str, ...]:
    """Every provider name in the catalog, sorted case-insensitively."""
    return tuple(sorted({row.provider for row in _rows(offerings)}, key=lambda name: (name.lower(), name)))


def resolve_provider(name: str, offerings: Iterable[Offering] | None = None) -> str:
    """The catalog's spelling of a provider name (case-insensitive); raises UnknownProviderError."""
    known = providers(offerings)
    for provider in known:
        if provider.lower() == name.strip().lower():
            return provider
    raise UnknownProviderError(name, known)


def sort_key(offering: Offering, spot: bool = False) -> tuple[bool, Decimal, str, str, str, str, int, int]:
    """Price (missing last), then provider, region, zone, instance type, count and CSV line."""
    price = offering.price(spot)
    return (
        price is None,
        _ZERO if price is None else price,
        offering.provider,
        offering.region,
        offering.zone,
        offering.instance_type,
        offering.accelerator_count,
        offering.line,
    )


def search(query: Query, offerings: Iterable[Offering] | None = None) -> tuple[Offering, ...]:
    """The offerings matching ``query``, cheapest first (deterministic order).

    Without ``include_flagged`` only clean rows are returned (`Offering.is_clean`): each has a
    positive, unflagged price of the chosen kind. Raises UnknownGpuError / UnknownProviderError.
    """
    rows = _rows(offerings)
    gpu = None if query.gpu is None else resolve_gpu(query.gpu)
    provider = None if query.provider is None else resolve_provider(query.provider, rows)
    region = None if query.region is None else query.region.strip().lower()
    selected: list[Offering] = []
    for row in rows:
        if gpu is not None and row.accelerator != gpu:
            continue
        if provider is not None and row.provider != provider:
            continue
        if region is not None and row.region.lower() != region:
            continue
        if not query.include_flagged and not row.is_clean(query.spot):
            continue
        price = row.price(query.spot)
        if query.max_price is not None and (price is None or price > query.max_price):
            continue
        selected.append(row)
    selected.sort(key=lambda row: sort_key(row, query.spot))
    return tuple(selected)


def list_price(
    provider: str,
    gpu: str,
    region: str | None = None,
    offerings: Iterable[Offering] | None = None,
) -> Decimal | None:
    """The cheapest valid on-demand USD per accelerator-hour of ``provider`` for ``gpu``, or None.

    Valid means present and not invalidated by a price flag (placeholder, GPU-only, errata); rows
    with an empty region count unless ``region`` is given. Names match case-insensitively; an
    unknown provider or gpu raises UnknownProviderError / UnknownGpuError (both ValueError).
    """
    rows = _rows(offerings)
    canonical_gpu = resolve_gpu(gpu)
    canonical_provider = resolve_provider(provider, rows)
    wanted_region = None if region is None else region.strip().lower()
    prices = [
        price
        for row in rows
        if row.provider == canonical_provider
        and row.accelerator == canonical_gpu
        and (wanted_region is None or row.region.lower() == wanted_region)
        and (price := row.valid_price()) is not None
    ]
    return min(prices) if prices else None

"""One priced catalog row (`Offering`) and the reason codes (flags) a row can carry."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

# Reason codes. A flagged row is kept (with --include-flagged) but never listed or priced by default.
MISSING_PRICE = "missing_price"  # neither an on-demand nor a spot price in the source
SPOT_ONLY = "spot_only"  # a spot price but no on-demand price (PrimeIntellect *_SPOT, Verda, AWS p5e)
PLACEHOLDER_PRICE = "placeholder_price"  # exactly 1 USD per accelerator-hour, spot == on-demand (Mithril)
GPU_ONLY_PRICE = "gpu_only_price"  # GCP: accelerator part only, the host VM is priced separately
EMPTY_REGION = "empty_region"  # the source row has no region (some Seeweb rows)
SUSPECT_COUNT = "suspect_accelerator_count"  # the source's accelerator count is known to be wrong
FRACTIONAL_GPU = "fractional_gpu"  # the SKU is a slice of one card, counted as a whole card

ALL_FLAGS = (
    MISSING_PRICE,
    SPOT_ONLY,
    PLACEHOLDER_PRICE,
    GPU_ONLY_PRICE,
    EMPTY_REGION,
    SUSPECT_COUNT,
    FRACTIONAL_GPU,
)

# Flags that make a present per-accelerator-hour price untrustworthy (on-demand and spot alike).
PRICE_FLAGS = frozenset({PLACEHOLDER_PRICE, GPU_ONLY_PRICE, SUSPECT_COUNT, FRACTIONAL_GPU})


@dataclass(frozen=True)
class Offering:
    """One instance type of one provider in one region/zone, priced per accelerator-hour (USD).

    ``on_demand_per_gpu_hour`` and ``spot_per_gpu_hour`` are the instance prices from the CSV divided
    by ``accelerator_count``, exact (Decimal from the CSV text); None where the source has no price.
    ``line`` is the 1-based line of the row in the CSV (the header is line 1).
    """

    provider: str
    region: str
    zone: str
    instance_type: str
    accelerator: str
    accelerator_raw: str
    accelerator_count: int
    vcpus: Decimal | None
    memory_gb: Decimal | None
    on_demand_per_gpu_hour: Decimal | None
    spot_per_gpu_hour: Decimal | None
    on_demand_per_instance_hour: Decimal | None
    spot_per_instance_hour: Decimal | None
    flags: tuple[str, ...]
    line: int

    def price(self, spot: bool = False) -> Decimal | None:
        """The per-accelerator-hour price of one kind as the source gives it (flags ignored)."""
        return self.spot_per_gpu_hour if spot else self.on_demand_per_gpu_hour

    def valid_price(self, spot: bool = False) -> Decimal | None:
        """The price of one kind if present and not invalidated by a price flag, else None."""
        if PRICE_FLAGS.intersection(self.flags):
            return None
        return self.price(spot)

    def is_clean(self, spot: bool = False) -> bool:
        """True if the row can be listed by default: a valid price of this kind and no other flag.

        ``spot_only`` does not count against a row when spot prices are asked for.
        """
        relevant = [flag for flag in self.flags if not (spot and flag == SPOT_ONLY)]
        return not relevant and self.valid_price(spot) is not None

"""tender.catalog: the shipped public GPU price catalog (SkyPilot v8 snapshot), parsed and queried.

See README.md in this package for the flow and data/PROVENANCE.md for where the data came from.
"""

from tender.catalog.load import CatalogError, load_offerings, parse_offerings, per_accelerator
from tender.catalog.names import (
    RAW_TO_CANONICAL,
    UnknownGpuError,
    canonical_gpu,
    close_gpu_matches,
    known_gpus,
    resolve_gpu,
)
from tender.catalog.offering import ALL_FLAGS, PRICE_FLAGS, Offering
from tender.catalog.query import (
    Query,
    UnknownProviderError,
    list_price,
    providers,
    resolve_provider,
    search,
)

__all__ = [
    "ALL_FLAGS",
    "PRICE_FLAGS",
    "RAW_TO_CANONICAL",
    "CatalogError",
    "Offering",
    "Query",
    "UnknownGpuError",
    "UnknownProviderError",
    "canonical_gpu",
    "close_gpu_matches",
    "known_gpus",
    "list_price",
    "load_offerings",
    "parse_offerings",
    "per_accelerator",
    "providers",
    "resolve_gpu",
    "resolve_provider",
    "search",
]

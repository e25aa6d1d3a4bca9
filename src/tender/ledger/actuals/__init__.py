"""Actuals: FOCUS cost-and-usage files imported into the ledger, and plan vs actual (see README.md)."""

from tender.ledger.actuals.focus_read import REQUIRED, ActualsError, FocusRow, read_rows
from tender.ledger.actuals.importer import ImportResult, import_file
from tender.ledger.actuals.mapping import Mapping, SkuMap, catalog_skus, load_mapping

__all__ = [
    "REQUIRED",
    "ActualsError",
    "FocusRow",
    "ImportResult",
    "Mapping",
    "SkuMap",
    "catalog_skus",
    "import_file",
    "load_mapping",
    "read_rows",
]

"""FOCUS 1.0 cost-and-usage columns, the later columns Tender fills, and Tender's own `x_` columns.

One `FocusRow` is a plain mapping column -> value (`None` = null, written as an empty field);
`render_csv` writes the header and the rows in a deterministic order, money as exact decimals.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from decimal import Decimal

FocusValue = str | Decimal | None
FocusRow = Mapping[str, FocusValue]

# FOCUS 1.0 (spec names, alphabetical as the specification lists them)
FOCUS_1_0 = (
    "AvailabilityZone",
    "BilledCost",
    "BillingAccountId",
    "BillingAccountName",
    "BillingCurrency",
    "BillingPeriodEnd",
    "BillingPeriodStart",
    "ChargeCategory",
    "ChargeClass",
    "ChargeDescription",
    "ChargeFrequency",
    "ChargePeriodEnd",
    "ChargePeriodStart",
    "CommitmentDiscountCategory",
    "CommitmentDiscountId",
    "CommitmentDiscountName",
    "CommitmentDiscountStatus",
    "CommitmentDiscountType",
    "ConsumedQuantity",
    "ConsumedUnit",
    "ContractedCost",
    "ContractedUnitPrice",
    "EffectiveCost",
    "InvoiceIssuerName",
    "ListCost",
    "ListUnitPrice",
    "PricingCategory",
    "PricingQuantity",
    "PricingUnit",
    "ProviderName",
    "PublisherName",
    "RegionId",
    "RegionName",
    "ResourceId",
    "ResourceName",
    "ResourceType",
    "ServiceCategory",
    "ServiceName",
    "SkuId",
    "SkuPriceId",
    "SubAccountId",
    "SubAccountName",
    "Tags",
)
# Later versions' columns Tender fills (1.1: CapacityReservation*, CommitmentDiscountQuantity/Unit,
# ServiceSubcategory; 1.2: PricingCurrency, InvoiceId is not filled).
FOCUS_LATER = (
    "CapacityReservationId",
    "CapacityReservationStatus",
    "CommitmentDiscountQuantity",
    "CommitmentDiscountUnit",
    "PricingCurrency",
    "ServiceSubcategory",
)
TENDER = (
    "x_ChargeKind",
    "x_Clause",
    "x_Notice",
    "x_Demand",
    "x_Accelerator",
    "x_PlanMonth",
    "x_RevenueShare",
    "x_Job",
    "x_Pool",
)
COLUMNS = FOCUS_1_0 + FOCUS_LATER + TENDER
# focus-validator 1.0.0 still checks four columns under their 1.0-preview names (and one rule reads
# ChargeType): `--preview-names` adds them as copies so that every one of its rules runs.
PREVIEW_NAMES = {
    "InvoiceIssuer": "InvoiceIssuerName",
    "Provider": "ProviderName",
    "Publisher": "PublisherName",
    "ResourceID": "ResourceId",
    "ChargeType": "ChargeCategory",
}


def text(value: FocusValue) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return value


def render_csv(rows: Iterable[FocusRow], *, preview_names: bool = False) -> str:
    """Header + rows sorted by every column in order (so the same rows give the same bytes)."""
    columns = COLUMNS + (tuple(PREVIEW_NAMES) if preview_names else ())
    lines = [tuple(text(row.get(PREVIEW_NAMES.get(c, c))) for c in columns) for row in rows]
    lines.sort(key=lambda line: _key(line, columns))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(lines)
    return out.getvalue()


def _key(line: tuple[str, ...], columns: tuple[str, ...]) -> tuple[str, ...]:
    first = ("BillingPeriodStart", "ProviderName", "x_ChargeKind", "ChargeCategory", "ResourceId")
    return tuple(line[columns.index(c)] for c in first) + line

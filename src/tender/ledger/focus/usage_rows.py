"""FOCUS rows of the runtime's metered usage (`ledger_entries` rows of kind `runtime_usage`).

1. Each metered attempt is one Usage row, Usage-Based, priced at its pool's price per GPU-hour:
   BilledCost = EffectiveCost = ContractedCost = GPU-hours x price (exact decimals, as metered).
2. The charge period is the attempt's own interval (ended_at - seconds .. ended_at, UTC); the
   billing period is the UTC calendar month it ended in (as `runtime_ledger` files it).
3. The pool is the resource; the job, pool and outcome go to `x_` columns and Tags.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from tender.ledger.focus.columns import FocusRow
from tender.ledger.focus.plan_rows import GPU_HOURS, iso


def _month(at: datetime) -> tuple[datetime, datetime]:
    start = datetime(at.year, at.month, 1, tzinfo=UTC)
    end = datetime(at.year + at.month // 12, at.month % 12 + 1, 1, tzinfo=UTC)
    return start, end


def usage_row(entry: Mapping[str, object], account: str, currency: str = "USD") -> FocusRow:
    ended = datetime.fromisoformat(str(entry["ended_at"])).astimezone(UTC)
    started = ended - timedelta(seconds=float(Decimal(str(entry["seconds"]))))
    period_start, period_end = _month(ended)
    hours, price = Decimal(str(entry["gpu_hours"])), Decimal(str(entry["price_per_gpu_hour_usd"]))
    cost = Decimal(str(entry["billed_cost_usd"]))
    provider, pool, job = str(entry["provider"]), str(entry["pool_id"]), str(entry["job_id"])
    tags = {"tender:job": job, "tender:outcome": str(entry["outcome"]), "tender:pool": pool}
    return {
        "BillingAccountId": f"{account}@{provider}",
        "BillingAccountName": f"{account} at {provider}",
        "BillingCurrency": currency,
        "PricingCurrency": currency,
        "BillingPeriodStart": iso(period_start),
        "BillingPeriodEnd": iso(period_end),
        "ChargePeriodStart": iso(min(started, ended)),
        "ChargePeriodEnd": iso(ended),
        "ChargeCategory": "Usage",
        "ChargeFrequency": "Usage-Based",
        "ChargeDescription": f"{entry['gpus']} GPUs for {entry['seconds']} s on pool {pool} ({entry['outcome']})",
        "BilledCost": cost,
        "EffectiveCost": cost,
        "ListCost": cost,
        "ListUnitPrice": price,
        "ContractedCost": cost,
        "ContractedUnitPrice": price,
        "PricingCategory": "Standard",
        "PricingQuantity": hours,
        "PricingUnit": GPU_HOURS,
        "ConsumedQuantity": hours,
        "ConsumedUnit": GPU_HOURS,
        "InvoiceIssuerName": provider,
        "ProviderName": provider,
        "PublisherName": provider,
        "ResourceId": pool,
        "ResourceName": pool,
        "ResourceType": "GPU pool",
        "ServiceCategory": "Compute",
        "ServiceSubcategory": "Virtual Machines",
        "ServiceName": "GPU capacity",
        "SkuId": f"{provider}:{pool}",
        "SkuPriceId": f"{provider}:{pool}:{price}",
        "SubAccountId": job,
        "SubAccountName": job,
        "Tags": json.dumps(tags, sort_keys=True),
        "x_ChargeKind": "runtime_usage",
        "x_Job": job,
        "x_Pool": pool,
    }


def usage_rows(
    entries: Iterable[Mapping[str, object]], account: str, currency: str = "USD"
) -> list[FocusRow]:
    """One FOCUS Usage row per metered attempt."""
    return [usage_row(e, account, currency) for e in entries]

"""FOCUS rows of a plan: its `charges[]`, commitment penalties and revenue share (plan JSON + scenario).

Flow (`plan_rows`), one FOCUS row builder per kind of charge (docs/ledger.md has the column map):
1. `usage` (an award billed by use): one Usage row, Usage-Based, BilledCost = EffectiveCost;
2. `reservation` / `holder_block` (a commitment discount for capacity): a Purchase row for what is
   billed (One-Time when prepaid, else Recurring; EffectiveCost 0, amortised into the usage rows), a
   Usage row with CommitmentDiscountStatus Used (BilledCost 0, EffectiveCost = the used share) and
   one Unused for the idle share;
3. `take_or_pay`: the used share as a Usage row, the minimum paid but not used as an Adjustment;
4. each commitment's milestone penalty (ledger `shortfall_accrual_usd`) as an Adjustment;
5. revenue share (ledger `revenue_share_usd`) as its own Adjustment, naming its clause.
Money stays exact: the charges carry exact decimals; rows with nothing in them are left out.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from tender.domain import ReservedCapacity, RevenueShare, Scenario
from tender.ledger.focus.columns import FocusRow, FocusValue

ZERO = Decimal(0)
ONE = Decimal(1)
GPU_HOURS = "GPU-Hours"
PRICING = {"on_demand": "Standard", "contract": "Standard", "spot": "Dynamic"}
Obj = Mapping[str, Any]


class PlanMismatch(ValueError):
    """The plan JSON is not a plan of this scenario (or lacks `charges`)."""


def iso(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def _dec(value: object) -> Decimal:
    return Decimal(str(value)) if value is not None else ZERO


class _Month:
    """The common columns of one provider in one plan month."""

    def __init__(self, sc: Scenario, provider: str, month: int) -> None:
        start, end = iso(sc.calendar.month_start(month)), iso(sc.calendar.month_start(month + 1))
        self.base: dict[str, FocusValue] = {
            "BillingAccountId": f"{sc.id}@{provider}",
            "BillingAccountName": f"{sc.id} at {provider}",
            "BillingCurrency": sc.currency,
            "PricingCurrency": sc.currency,
            "BillingPeriodStart": start,
            "BillingPeriodEnd": end,
            "ChargePeriodStart": start,
            "ChargePeriodEnd": end,
            "InvoiceIssuerName": provider,
            "ProviderName": provider,
            "PublisherName": provider,
            "ServiceCategory": "Compute",
            "ServiceSubcategory": "Virtual Machines",
            "ServiceName": "GPU capacity",
            "Tags": "{}",
            "x_PlanMonth": str(month),
        }

    def row(self, **values: FocusValue) -> dict[str, FocusValue]:
        return {**self.base, **values}


def _resource(c: Obj) -> dict[str, FocusValue]:
    provider, gpu, region = c["provider"], c.get("gpu"), c.get("region")
    rid = "/".join(str(x) for x in (provider, region or "any", gpu or "any"))
    return {
        "RegionId": region,
        "RegionName": region,
        "ResourceId": rid,
        "ResourceName": rid,
        "ResourceType": "GPU capacity",
        "SkuId": f"{provider}:{gpu or 'gpu'}:{c['kind']}",
        "SkuPriceId": f"{provider}:{gpu or 'gpu'}:{region or 'any'}:{c.get('pricing') or c['kind']}:{c.get('rate_usd_per_gpu_hour') or '0'}",
        "x_Accelerator": gpu,
        "x_Clause": c.get("clause"),
        "x_Notice": c.get("notice"),
        "x_Demand": c.get("demand"),
        "x_ChargeKind": str(c["kind"]),
    }


def _list_price(sc: Scenario, c: Obj) -> Decimal | None:
    prov = sc.providers.get(str(c["provider"]))
    rates = prov.rates.get(str(c.get("gpu"))) if prov is not None else None
    return rates.on_demand if rates is not None else None


def _priced(sc: Scenario, c: Obj, quantity: Decimal, rate: Decimal, billed: Decimal) -> dict[str, FocusValue]:
    """List, contracted and billed amounts of `quantity` GPU-hours at `rate`."""
    listed = _list_price(sc, c) or rate
    return {
        "PricingQuantity": quantity,
        "PricingUnit": GPU_HOURS,
        "ConsumedQuantity": quantity,
        "ConsumedUnit": GPU_HOURS,
        "ListUnitPrice": listed,
        "ListCost": listed * quantity,
        "ContractedUnitPrice": rate,
        "ContractedCost": rate * quantity,
        "BilledCost": billed,
    }


def _usage(sc: Scenario, m: _Month, c: Obj) -> Iterator[FocusRow]:
    cost, hours, rate = _dec(c["billed_cost_usd"]), _dec(c["gpu_hours"]), _dec(c["rate_usd_per_gpu_hour"])
    yield m.row(
        **_resource(c),
        **_priced(sc, c, hours, rate, cost),
        EffectiveCost=cost,
        ChargeCategory="Usage",
        ChargeFrequency="Usage-Based",
        ChargeDescription=f"{c['gpu']} GPU-hours at {c['pricing']} rates for {c['demand']}",
        PricingCategory=PRICING.get(str(c["pricing"]), "Other"),
        SubAccountId=c.get("demand"),
        SubAccountName=c.get("demand"),
    )


def _commitment(c: Obj) -> dict[str, FocusValue]:
    block = c["kind"] == "holder_block"
    cid = str(c["notice"] if block else c["clause"])
    return {
        "CommitmentDiscountId": cid,
        "CommitmentDiscountName": cid,
        "CommitmentDiscountCategory": "Usage",
        "CommitmentDiscountType": "ROFR holder block" if block else "Reserved capacity",
        "CapacityReservationId": cid,
    }


def _term(sc: Scenario, c: Obj, m: _Month) -> dict[str, FocusValue]:
    """A prepaid reservation's purchase covers its whole term (as the spec's one-time example)."""
    res = next((r for r in sc.contracts if isinstance(r, ReservedCapacity) and r.id == c.get("clause")), None)
    if not c.get("upfront") or res is None:
        return {}
    return {"ChargePeriodEnd": iso(sc.calendar.month_start(res.end_month + 1))}


def _reserved(sc: Scenario, m: _Month, c: Obj) -> Iterator[FocusRow]:
    billed, effective, unused = (
        _dec(c["billed_cost_usd"]),
        _dec(c["effective_cost_usd"]),
        _dec(c["unused_cost_usd"]),
    )
    rate, used_hours = _dec(c["rate_usd_per_gpu_hour"]), _dec(c["gpu_hours"])
    what = f"{c['gpu']} reserved capacity" if c["kind"] == "reservation" else f"{c['gpu']} ROFR holder block"
    cid = _commitment(c)["CommitmentDiscountId"]
    own = {"ResourceId": cid, "ResourceName": cid}  # as the spec's examples: bought, the commitment itself
    if billed:
        yield m.row(
            **{**_resource(c), **own},
            **_commitment(c),
            **_term(sc, c, m),
            BilledCost=billed,
            EffectiveCost=ZERO,
            ListCost=billed,
            ListUnitPrice=billed,
            ContractedCost=billed,
            ContractedUnitPrice=billed,
            PricingQuantity=ONE,
            PricingUnit="Commitment",
            PricingCategory="Standard",
            ChargeCategory="Purchase",
            ChargeFrequency="One-Time" if c.get("upfront") else "Recurring",
            ChargeDescription=f"{what}: {'the whole term paid up front' if c.get('upfront') else 'this month'}",
        )
    used = effective - unused
    idle_hours = unused / rate if rate else ZERO
    for status, cost, hours in (("Used", used, used_hours), ("Unused", unused, idle_hours)):
        if not cost and not hours:
            continue
        # as the spec's examples: an Unused row is the commitment's own, with nothing consumed
        idle: dict[str, FocusValue] = {}
        if status == "Unused":
            idle = {**own, "ConsumedQuantity": None, "ConsumedUnit": None}
        yield m.row(
            **{**_resource(c), **_commitment(c), **_priced(sc, c, hours, rate, ZERO), **idle},
            EffectiveCost=cost,
            CommitmentDiscountStatus=status,
            CapacityReservationStatus=status,
            CommitmentDiscountQuantity=hours,
            CommitmentDiscountUnit=GPU_HOURS,
            PricingCategory="Committed",
            ChargeCategory="Usage",
            ChargeFrequency="Usage-Based",
            ChargeDescription=f"{what}, {status.lower()}",
        )


def _take_or_pay(sc: Scenario, m: _Month, c: Obj) -> Iterator[FocusRow]:
    charge, unused = _dec(c["billed_cost_usd"]), _dec(c["unused_cost_usd"])
    rate, hours = _dec(c["rate_usd_per_gpu_hour"]), _dec(c["gpu_hours"])
    if hours:
        yield m.row(
            **_resource(c),
            **_priced(sc, c, hours, rate, charge - unused),
            EffectiveCost=charge - unused,
            PricingCategory="Standard",
            ChargeCategory="Usage",
            ChargeFrequency="Usage-Based",
            ChargeDescription=f"{c['gpu']} GPU-hours under take-or-pay {c['clause']}",
        )
    if unused:
        yield m.row(
            **_resource(c),
            BilledCost=unused,
            EffectiveCost=unused,
            ListCost=unused,
            ContractedCost=unused,
            ChargeCategory="Adjustment",
            ChargeFrequency="Recurring",
            ChargeDescription=f"take-or-pay shortfall: minimum of {c['clause']} paid, not used",
        )


def _adjustment(m: _Month, kind: str, clause: str | None, amount: Decimal, what: str) -> FocusRow:
    return m.row(
        BilledCost=amount,
        EffectiveCost=amount,
        ListCost=amount,
        ContractedCost=amount,
        ChargeCategory="Adjustment",
        ChargeFrequency="Recurring" if kind == "revenue_share" else "One-Time",
        ChargeDescription=what,
        ServiceName="Contract settlement",
        ServiceCategory="Other",
        ServiceSubcategory="Other (Other)",
        x_ChargeKind=kind,
        x_Clause=clause,
        x_RevenueShare=amount if kind == "revenue_share" else None,
    )


def _revenue_clause(sc: Scenario, counterparty: str) -> str | None:
    ids = sorted(
        {c.id for c in sc.contracts if isinstance(c, RevenueShare) and c.counterparty_id == counterparty}
    )
    ids += sorted(
        {
            ch.contract.id
            for a in sc.amendments
            for ch in a.changes
            if isinstance(ch.contract, RevenueShare) and ch.contract.counterparty_id == counterparty
        }
        - set(ids)
    )
    return ",".join(ids) or None


def plan_rows(sc: Scenario, plan: Obj) -> list[FocusRow]:
    """Every FOCUS row of the plan document `plan` (schema tender.plan/1) of scenario `sc`."""
    if plan.get("scenario") != sc.id:
        raise PlanMismatch(f"plan is for scenario {plan.get('scenario')!r}, not {sc.id!r}")
    if not isinstance(plan.get("charges"), list) or not isinstance(plan.get("ledger"), list):
        raise PlanMismatch("no `charges` list: re-run `tender plan --json` with this version of Tender")
    rows: list[FocusRow] = []
    builders = {
        "usage": _usage,
        "reservation": _reserved,
        "holder_block": _reserved,
        "take_or_pay": _take_or_pay,
    }
    for c in plan["charges"]:
        rows += builders[str(c["kind"])](sc, _Month(sc, str(c["provider"]), int(c["month"])), c)
    for r in plan["ledger"]:
        m = _Month(sc, str(r["provider"]), int(r["month"]))
        penalty, share = _dec(r["shortfall_accrual_usd"]), _dec(r["revenue_share_usd"])
        if penalty:
            what = f"committed-spend shortfall penalty of {r['contract_id']} at its milestone"
            rows.append(_adjustment(m, "shortfall_penalty", r["contract_id"], penalty, what))
        if share:
            clause = _revenue_clause(sc, str(r["provider"]))
            rows.append(_adjustment(m, "revenue_share", clause, share, f"revenue share owed under {clause}"))
    return rows

"""FOCUS 1.3's Contract Commitment dataset: the terms of the scenario's commitments, one row per commitment.

FOCUS 1.3 keeps contract commitments in a supporting dataset of their own (joined to cost and usage
rows by ContractCommitmentId), so `tender ledger export --focus-commitments C.csv` writes it as a
second file. Flow (`commitment_rows`), over every version of every clause in force in the horizon
(`ClauseView.versions`: an amended clause has one version per change):
1. committed spend: one **Spend** commitment per milestone of the version (the cumulative amount
   due by the end of its month, from the start of the contract) and one for the version's total
   (its whole period); ContractCommitmentCost in the billing currency, no quantity;
2. take-or-pay: one **Usage** commitment for the version's term: ContractCommitmentQuantity = the
   minimum GPU-hours (the provider's delivered capacity of the clause's accelerator, every region,
   x hours x `minimum_pct_of_delivered_capacity`), ContractCommitmentCost = that at the committed rate;
3. ContractId is the clause id; ContractPeriodStart/End the months the clause (any version) is in
   force; a commitment's period is inside its version's months. Reservations and holder blocks are
   commitment *discounts* (the cost-and-usage CommitmentDiscount* columns), not rows here.
`render_commitments_csv` writes the 13 columns in the specification's order, rows sorted.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal

from tender.domain import CommittedSpend, Contract, Scenario, TakeOrPay
from tender.ledger.focus.columns import FocusRow, FocusValue, text
from tender.ledger.focus.plan_rows import iso
from tender.sourcing.clauses import ClauseView
from tender.sourcing.reservations import committed_rate

ZERO = Decimal(0)
COMMITMENT_COLUMNS = (
    "BillingCurrency",
    "ContractCommitmentCategory",
    "ContractCommitmentCost",
    "ContractCommitmentDescription",
    "ContractCommitmentId",
    "ContractCommitmentPeriodEnd",
    "ContractCommitmentPeriodStart",
    "ContractCommitmentQuantity",
    "ContractCommitmentType",
    "ContractCommitmentUnit",
    "ContractId",
    "ContractPeriodEnd",
    "ContractPeriodStart",
)


def _months(view: ClauseView, keep: Callable[[Contract], bool]) -> list[int]:
    """The horizon months in which some clause in force satisfies `keep`."""
    return [m for m in view.scenario.calendar.months() if any(keep(c) for c in view.at(m))]


def _usd(value: Decimal) -> str:
    return f"${value:,.2f}"


class _Rows:
    def __init__(self, sc: Scenario, view: ClauseView) -> None:
        self.sc, self.view = sc, view

    def at(self, month: int) -> str:
        return iso(self.sc.calendar.month_start(month))

    def row(self, clause: Contract, months: list[int], **cols: FocusValue) -> dict[str, FocusValue]:
        every = _months(self.view, lambda c: c.id == clause.id)
        base: dict[str, FocusValue] = {
            "BillingCurrency": self.sc.currency,
            "ContractId": clause.id,
            "ContractPeriodStart": self.at(every[0]),
            "ContractPeriodEnd": self.at(every[-1] + 1),
            "ContractCommitmentPeriodStart": self.at(months[0]),
            "ContractCommitmentPeriodEnd": self.at(months[-1] + 1),
        }
        return {**base, **cols}

    def spend(self, c: CommittedSpend, months: list[int], suffix: str) -> Iterator[FocusRow]:
        what = f"spend with {c.provider}" + (f" ({', '.join(c.eligible_spend)})" if c.eligible_spend else "")
        after = f", drawn after {c.drawdown_after}" if c.drawdown_after else ""
        for ms in c.milestones:
            if months[0] <= ms.by_month <= months[-1]:
                by = self.sc.calendar.label(ms.by_month)
                yield self.row(
                    c, [months[0], ms.by_month],
                    ContractCommitmentId=f"{c.id}{suffix}/milestone-{ms.by_month}",
                    ContractCommitmentCategory="Spend", ContractCommitmentType="Committed spend milestone",
                    ContractCommitmentCost=ms.cumulative_usd,
                    ContractCommitmentDescription=f"{_usd(ms.cumulative_usd)} cumulative {what} by {by}{after}",
                )  # fmt: skip
        yield self.row(
            c, months,
            ContractCommitmentId=f"{c.id}{suffix}/total", ContractCommitmentCategory="Spend",
            ContractCommitmentType="Committed spend", ContractCommitmentCost=c.total_usd,
            ContractCommitmentDescription=f"{_usd(c.total_usd)} {what}{after}",
        )  # fmt: skip

    def minimum(self, t: TakeOrPay, months: list[int], suffix: str) -> Iterator[FocusRow]:
        provider = self.sc.providers.get(t.provider)
        term = [m for m in months if t.effective_from_month <= m < t.effective_from_month + t.term_months]
        if provider is None or not term:
            return
        hours, cost = ZERO, ZERO
        for gpu, region in provider.gpu_region_pairs():
            rates = provider.rates.get(gpu)
            rate = committed_rate(rates) if rates is not None else None
            if t.gpu not in (None, gpu) or rate is None:
                continue
            for m in term:
                h = provider.existing_gpus(gpu, region, m) * Decimal(self.sc.calendar.hours_per_month)
                h = h * t.minimum_pct_of_delivered_capacity / 100
                hours, cost = hours + h, cost + h * rate
        yield self.row(
            t, term,
            ContractCommitmentId=f"{t.id}{suffix}/minimum", ContractCommitmentCategory="Usage",
            ContractCommitmentType="Take-or-pay minimum", ContractCommitmentQuantity=hours,
            ContractCommitmentUnit="GPU-Hours", ContractCommitmentCost=cost,
            ContractCommitmentDescription=f"take or pay {t.minimum_pct_of_delivered_capacity}% of the "
            f"{t.gpu or 'GPU'} capacity {t.provider} delivers",
        )  # fmt: skip


def commitment_rows(sc: Scenario) -> list[FocusRow]:
    view = ClauseView.of(sc)
    rows = _Rows(sc, view)
    versions = [v for v in view.versions() if isinstance(v, CommittedSpend | TakeOrPay)]
    out: list[FocusRow] = []
    for v in versions:
        months = [m for m in sc.calendar.months() if v in view.at(m)]
        several = sum(1 for w in versions if w.id == v.id) > 1
        suffix = f"@{sc.calendar.label(months[0])}" if several else ""
        if isinstance(v, CommittedSpend):
            out += rows.spend(v, months, suffix)
        else:
            out += rows.minimum(v, months, suffix)
    return out


def render_commitments_csv(rows: Iterable[FocusRow]) -> str:
    by_id = COMMITMENT_COLUMNS.index("ContractCommitmentId")
    lines = sorted(
        (tuple(text(row.get(c)) for c in COMMITMENT_COLUMNS) for row in rows),
        key=lambda line: (line[by_id], *line),
    )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COMMITMENT_COLUMNS)
    writer.writerows(lines)
    return out.getvalue()

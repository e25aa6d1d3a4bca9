"""The plan JSON (`docs/plan-json.md`) read into small typed records; nothing is inferred here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from tender.check.fields import Obj


@dataclass(frozen=True)
class Award:
    path: str  # `awards[3]` or `baseline.awards[3]`
    demand: str
    provider: str
    region: str
    gpu: str
    month: int
    gpus: int
    rate: Decimal | None
    pricing: str
    clause: str | None
    notice: str | None


@dataclass(frozen=True)
class Terms:
    price: Decimal
    best_quote: Decimal | None
    best_provider: str | None


@dataclass(frozen=True)
class Notice:
    path: str
    id: str
    holder: str
    clause: str
    issued_at: datetime
    deadline: datetime
    responded_at: datetime | None
    status: str
    gpus: int
    exercised_gpus: int
    released_gpus: int
    terms: Terms
    demand: str
    gpu: str
    start_month: int
    duration_months: int
    third_party: str | None  # `third_party`, else terms.best_third_party_provider
    region: str | None = None  # the region of the capacity the need is for
    need: str = ""  # the need's id: a need's later notices (revival, re-offer) replace its earlier

    @property
    def answer_at(self) -> datetime:
        """When the holder answered: its response, else the deadline."""
        return self.responded_at if self.responded_at is not None else self.deadline

    @property
    def last_month(self) -> int:
        return self.start_month + self.duration_months - 1


@dataclass(frozen=True)
class Unmet:
    path: str
    demand: str
    month: int
    h100_eq: Decimal | None  # fleets
    gpus: int | None  # training runs
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class LedgerRow:
    path: str
    month: int
    provider: str
    contract_id: str | None
    billed: Decimal
    revenue_share: Decimal
    drawdown: Decimal  # what `contract_id` drew that month


@dataclass(frozen=True)
class MilestoneRow:
    path: str
    contract: str
    by_month: int
    cumulative: Decimal
    drawdown: Decimal
    shortfall: Decimal


@dataclass(frozen=True)
class Breakdown:
    compute: Decimal
    revenue_share: Decimal
    shortfall_penalty: Decimal
    unmet_penalty: Decimal

    @property
    def total(self) -> Decimal:
        return self.compute + self.revenue_share + self.shortfall_penalty + self.unmet_penalty


@dataclass(frozen=True)
class Baseline:
    awards: tuple[Award, ...]
    unmet: tuple[Unmet, ...]
    breakdown: Breakdown


@dataclass(frozen=True)
class PlanDoc:
    awards: tuple[Award, ...]
    notices: tuple[Notice, ...]
    unmet: tuple[Unmet, ...]
    ledger: tuple[LedgerRow, ...]
    milestones: tuple[MilestoneRow, ...]
    breakdown: Breakdown
    cost_total: Decimal
    lower_bound: Decimal | None
    baseline_cost: Decimal | None
    baseline: Baseline | None
    protocol_rejections: tuple[str, ...]


def iso(at: datetime) -> str:
    """An instant as the plan JSON writes it (`2026-07-31T00:00:00Z`)."""
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def _award(o: Obj) -> Award:
    return Award(
        path=o.path,
        demand=o.text("demand"),
        provider=o.text("provider"),
        region=o.text("region"),
        gpu=o.text("gpu"),
        month=o.integer("month"),
        gpus=o.integer("gpus"),
        rate=o.opt_money("rate_usd_per_gpu_hour", required=True),
        pricing=o.text("pricing"),
        clause=o.opt_text("clause", required=True),
        notice=o.opt_text("notice", required=True),
    )


def _terms(o: Obj) -> Terms:
    return Terms(
        price=o.money("price"),
        best_quote=o.opt_money("best_third_party_quote"),
        best_provider=o.opt_text("best_third_party_provider"),
    )


def _notice(o: Obj) -> Notice:
    terms = _terms(o.obj("terms"))
    third_party = o.opt_text("third_party") if o.has("third_party") else terms.best_provider
    return Notice(
        path=o.path,
        id=o.text("id"),
        holder=o.text("holder"),
        clause=o.text("clause"),
        issued_at=o.instant("issued_at"),
        deadline=o.instant("deadline"),
        responded_at=o.opt_instant("responded_at"),
        status=o.text("status"),
        gpus=o.integer("gpus"),
        exercised_gpus=o.integer("exercised_gpus"),
        released_gpus=o.integer("released_gpus"),
        terms=terms,
        demand=o.text("demand"),
        gpu=o.text("gpu"),
        start_month=o.integer("start_month"),
        duration_months=o.integer("duration_months"),
        third_party=third_party,
        region=o.opt_text("region") if o.has("region") else None,
        need=o.text("need") if o.has("need") else "",
    )


def _unmet(o: Obj) -> Unmet:
    return Unmet(
        path=o.path,
        demand=o.text("demand"),
        month=o.integer("month"),
        h100_eq=o.opt_money("h100_eq"),
        gpus=o.opt_integer("gpus"),
        reasons=o.strings("reasons"),
    )


def _ledger_row(o: Obj) -> LedgerRow:
    return LedgerRow(
        path=o.path,
        month=o.integer("month"),
        provider=o.text("provider"),
        contract_id=o.opt_text("contract_id"),
        billed=o.money("billed_cost_usd"),
        revenue_share=o.money("revenue_share_usd"),
        drawdown=o.opt_money("commitment_drawdown_usd") or Decimal(0),
    )


def _milestone(o: Obj) -> MilestoneRow:
    return MilestoneRow(
        path=o.path,
        contract=o.text("contract"),
        by_month=o.integer("by_month"),
        cumulative=o.money("cumulative_usd"),
        drawdown=o.money("drawdown_usd"),
        shortfall=o.money("shortfall_usd"),
    )


def _breakdown(o: Obj) -> Breakdown:
    return Breakdown(
        compute=o.money("compute"),
        revenue_share=o.money("revenue_share"),
        shortfall_penalty=o.money("shortfall_penalty"),
        unmet_penalty=o.money("unmet_penalty"),
    )


def _baseline(o: Obj) -> Baseline:
    return Baseline(
        awards=tuple(_award(a) for a in o.objects("awards")),
        unmet=tuple(_unmet(u) for u in o.objects("unmet")),
        breakdown=_breakdown(o.obj("cost_breakdown_usd")),
    )


def parse_plan(plan: Mapping[str, Any]) -> PlanDoc:
    """Read a plan JSON object; raises `PlanDocError` naming the first missing or mistyped field."""
    doc = Obj(plan, "")
    return PlanDoc(
        awards=tuple(_award(a) for a in doc.objects("awards")),
        notices=tuple(_notice(n) for n in doc.objects("notices")),
        unmet=tuple(_unmet(u) for u in doc.objects("unmet")),
        ledger=tuple(_ledger_row(r) for r in doc.objects("ledger")),
        milestones=tuple(_milestone(m) for m in doc.objects("milestones")),
        breakdown=_breakdown(doc.obj("cost_breakdown_usd")),
        cost_total=doc.money("cost_total_usd"),
        lower_bound=doc.opt_money("lower_bound_usd", required=True),
        baseline_cost=doc.opt_money("baseline_cost_usd", required=True),
        baseline=_baseline(doc.obj("baseline")) if doc.data.get("baseline") is not None else None,
        protocol_rejections=doc.strings("protocol_rejections"),
    )

"""Every request and response body of the API (pydantic). Money is exact: decimal strings in JSON."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, WithJsonSchema


def _date_text(value: Any) -> Any:
    """A date is written as text (`2026-10-01`), never a number of seconds."""
    if not isinstance(value, (str, date)):
        raise ValueError("a date is written as YYYY-MM-DD text")
    return value


Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")]
Name = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[^\x00-\x1f]+$")]
# Money is decimal text: 1 to 12 integer digits and at most 6 decimals, above zero ("6.5", "0.25").
MONEY_PATTERN = (
    r"^([1-9][0-9]{0,11}(\.[0-9]{1,6})?|0\.([1-9][0-9]{0,5}|0[1-9][0-9]{0,4}|00[1-9][0-9]{0,3}"
    r"|000[1-9][0-9]{0,2}|0000[1-9][0-9]?|00000[1-9]))$"
)
_MONEY = re.compile(MONEY_PATTERN)


def _money_text(value: Any) -> Any:
    """Money arrives as decimal text, never a JSON number (a float would round it)."""
    if not isinstance(value, str) or not _MONEY.match(value):
        raise ValueError('expected decimal text above zero, e.g. "6.5" (at most 12 digits and 6 decimals)')
    return value


Money = Annotated[
    Decimal,
    BeforeValidator(_money_text),
    WithJsonSchema({"type": "string", "pattern": MONEY_PATTERN, "examples": ["6.5"]}),
]
IsoDate = Annotated[date, BeforeValidator(_date_text)]


def _number(value: Any) -> Any:
    """A count is a JSON number: `true` is not 1 and `"8"` is not 8 (JSON Schema's integer: 8 or 8.0)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise ValueError("expected a whole number (not a boolean or text)")
    return value


Whole = Annotated[int, BeforeValidator(_number)]
Gpus = Annotated[int, Field(ge=1, le=10_000_000), BeforeValidator(_number)]
PositiveId = Annotated[int, Field(ge=1, le=2**31 - 1), BeforeValidator(_number)]


class In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorDetail(BaseModel):
    code: str
    message: str
    field: str | None = None
    problems: list[ProblemOut] | None = None


class ErrorOut(BaseModel):
    error: ErrorDetail


# --- tokens -----------------------------------------------------------------------------------------


class TokenIn(In):
    role: Annotated[str, StringConstraints(min_length=1, max_length=140)] = Field(
        description="admin | planner | skypilot | team:NAME | provider:ID"
    )
    label: Annotated[str, StringConstraints(max_length=200)] = ""


class TokenOut(BaseModel):
    id: str
    role: str
    label: str
    created_at: datetime
    created_by: str
    revoked: bool
    token: str | None = Field(None, description="The secret: returned once, at creation, never again")


# --- scenarios --------------------------------------------------------------------------------------


class ScenarioIn(In):
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)] = "scenario.yaml"
    yaml: Annotated[str, StringConstraints(min_length=1, max_length=2_000_000)]


class ProblemOut(BaseModel):
    file: str
    line: int
    column: int
    field: str
    message: str


class ValidationOut(BaseModel):
    valid: bool
    scenario_id: str | None = None
    problems: list[ProblemOut] = []


class ScenarioOut(BaseModel):
    id: int
    name: str
    scenario_id: str
    sha256: str
    created_at: datetime
    created_by: str


# --- plans ------------------------------------------------------------------------------------------


class PlanIn(In):
    scenario: PositiveId = Field(description="id of an uploaded scenario")
    seed: Whole = Field(0, ge=0, le=2**31 - 1)


class PlanOut(BaseModel):
    id: int
    scenario: int
    seed: int
    status: Literal["queued", "running", "done", "failed"]
    error: str | None
    solve_seconds: Decimal | None
    created_at: datetime
    finished_at: datetime | None
    created_by: str
    result: dict[str, Any] | None = None


# --- needs and notices ------------------------------------------------------------------------------


class NeedSpec(In):
    id: Id
    workload: Name
    workload_class: Name
    gpu: Name
    gpus: Gpus
    region: Name
    start: IsoDate = Field(ge=date(2000, 1, 1), le=date(2199, 12, 31))
    months: Whole = Field(ge=1, le=600)
    price: Money = Field(description="the lab's own terms, USD per accelerator-hour")
    new_capacity: bool = Field(True, strict=True)


class QuoteIn(In):
    provider: Name
    price: Money
    gpus: Gpus


class NeedIn(In):
    scenario: PositiveId
    need: NeedSpec
    quotes: list[QuoteIn] = Field(default_factory=list, max_length=100)


class Terms(BaseModel):
    workload: str
    workload_class: str
    gpu: str
    region: str
    start: str
    months: int
    price: Decimal = Field(description="the terms offered, USD per accelerator-hour")


class NoticeOut(BaseModel):
    """A notice as the lab sees it: everything, including the rival behind the best quote."""

    id: str
    need: str
    holder: str
    clause: str
    match_mode: str
    status: str
    issued_at: datetime
    deadline: datetime
    seconds_left: int
    requested_gpus: int
    exercised_gpus: int
    released_gpus: int
    partial_exercise: bool
    min_block_gpus: int
    terms: Terms
    best_quote_price: Decimal | None
    best_quote_provider: str | None
    decided_at: datetime | None


class ProviderNoticeOut(BaseModel):
    """A notice as its holder sees it: the best third-party price only under match_best_offer, no rival name."""

    id: str
    need: str
    clause: str
    match_mode: str
    status: str
    issued_at: datetime
    deadline: datetime
    seconds_left: int
    requested_gpus: int
    exercised_gpus: int
    partial_exercise: bool
    min_block_gpus: int
    terms: Terms
    best_third_party_price: Decimal | None
    decided_at: datetime | None


class NeedOut(BaseModel):
    id: str
    scenario: int
    need: dict[str, Any]
    created_at: datetime
    created_by: str
    notices: list[NoticeOut]
    rejected: list[dict[str, Any]] = []


class RespondIn(In):
    action: Literal["exercise", "decline"]
    gpus: Gpus | None = Field(None, description="exercise part: how many GPUs; omit to exercise all")


# --- ledger and audit -------------------------------------------------------------------------------


class LedgerRowOut(BaseModel):
    plan: int | None = Field(description="the plan projecting this row; null: GPU-hours a runtime job used")
    month: int
    period: str
    provider: str
    contract: str | None
    billed_cost: Decimal
    effective_cost: Decimal
    columns: dict[str, Any]


class AuditRecordOut(BaseModel):
    seq: int
    hash: str
    prev_hash: str
    kind: str
    actor: str
    at: datetime
    record: dict[str, Any]


class AuditVerifyOut(BaseModel):
    ok: bool
    records: int
    head: str
    first_bad_seq: int | None = Field(description="0-based seq of the first bad record (record seq+1)")
    message: str = Field(description="what is wrong; records are numbered from 1")
    anchored_records: int = Field(0, description="records covered by the latest signed checkpoint that holds")


class CheckpointOut(BaseModel):
    """A signed anchor of the chain's head: save it elsewhere, then `tender audit verify --checkpoint FILE`."""

    format: str
    seq: int
    record: int = Field(description="seq + 1: the record's number (its line in the JSONL export)")
    hash: str
    at: str | None
    mac: str | None


class HealthOut(BaseModel):
    status: str
    database: str | None = None
    revision: str | None = None


# --- jobs (the live runtime's queue) -------------------------------------------------------------


class JobOut(BaseModel):
    id: str
    name: str
    state: str = Field(description="queued | running | succeeded | failed | cancelled | rejected")
    reason: str
    reason_code: str | None = Field(
        default=None,
        description="why it waits or was rejected: capacity, engine_unreachable, outage, exclusive_to_other, "
        "residency, gpu_type, gang, no_pool_fits, ... (docs/run.md); null while it runs or once it ended",
    )
    clause: str | None = Field(default=None, description="the contract clause id(s) behind `reason`, if any")
    gpus: int
    accelerators: list[str]
    workload_class: str
    workload: str
    max_retries: int
    retries: int
    attempts: int
    pool: str | None
    cancel_requested: bool
    gpu_hours: Decimal
    team: str | None = Field(description="the team:NAME that submitted it through the API; null for the CLI")
    submitted_by: str | None
    submitted_at: datetime
    updated_at: datetime


class JobCancelOut(BaseModel):
    id: str
    cancelled: bool = Field(description="false when the job had already finished")
    job: JobOut


# --- comparisons (`tender compare` as a job) --------------------------------------------------------


# 20 overlays of this many characters (at most 6 bytes each as JSON) fit the route's 4 MiB body limit
OVERLAY_CHARS = 32_768


class VariantIn(In):
    name: str | None = Field(
        None, max_length=100, description="the variant's name (default: its `variant.name`)"
    )
    overlay: str = Field(max_length=OVERLAY_CHARS, description="the overlay YAML (docs/compare.md)")


class ComparisonIn(In):
    scenario: PositiveId = Field(description="id of an uploaded scenario: the base")
    variants: list[VariantIn] = Field(default=[], max_length=20)
    seed: Whole = Field(0, ge=0, le=2**31 - 1)


class ComparisonOut(BaseModel):
    id: int
    scenario: int
    seed: int
    variants: list[str]  # names, the base first
    status: Literal["queued", "running", "done", "failed"]
    error: str | None
    created_at: datetime
    finished_at: datetime | None
    created_by: str
    result: dict[str, Any] | None = None  # the `tender compare --json` document once done

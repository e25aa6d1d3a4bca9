"""Read a FOCUS 1.0-1.2 cost-and-usage CSV one row at a time, as the clouds export it.

1. The header names the columns; their order is free and unknown columns are ignored. `REQUIRED`
   must all be present (else line 1 is the error). `x_` columns are kept verbatim (`FocusRow.extra`).
2. Each data line becomes a `FocusRow`: costs as exact `Decimal` from the text (never float), the
   charge period as aware UTC datetimes (ISO 8601 with `Z`, an offset, or ` UTC`; no offset is an
   error), empty and `null` cells as None.
3. A bad cell raises `ActualsError(file, line, column, problem)`; the file's physical line numbers
   are kept across quoted cells that span lines.
4. `canonical(row)` is the row's content as canonical JSON (columns sorted, values as written):
   the source of its row key.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TextIO

REQUIRED = ("BilledCost", "BillingCurrency", "ChargeCategory", "ChargePeriodStart", "ChargePeriodEnd")
KNOWN = frozenset(
    {
        *REQUIRED,
        "EffectiveCost",
        "ListCost",
        "ContractedCost",
        "BillingAccountId",
        "BillingPeriodStart",
        "BillingPeriodEnd",
        "ChargeDescription",
        "ChargeFrequency",
        "CommitmentDiscountId",
        "CommitmentDiscountStatus",
        "ConsumedQuantity",
        "ConsumedUnit",
        "PricingCategory",
        "PricingQuantity",
        "PricingUnit",
        "ProviderName",
        "RegionId",
        "RegionName",
        "ResourceId",
        "ResourceType",
        "ServiceCategory",
        "ServiceName",
        "SkuId",
        "SkuPriceId",
        "SubAccountId",
    }
)
NULLS = frozenset({"", "null", "NULL", "Null"})
CHARGE_CATEGORIES = frozenset({"Usage", "Purchase", "Tax", "Credit", "Adjustment"})


class ActualsError(Exception):
    """One bad input: `FILE:LINE: column: problem` (line 1 is the header; no line: `FILE: field: problem`)."""

    def __init__(self, file: str, line: int, column: str, problem: str) -> None:
        where = f"{file}:{line}" if line > 0 else file
        super().__init__(f"{where}: {column}: {problem}")
        self.file, self.line, self.column, self.problem = file, line, column, problem


@dataclass(frozen=True)
class FocusRow:
    line: int
    cells: dict[str, str]  # every known column present in the file -> its text ("" for null)
    extra: dict[str, str]  # x_ columns, verbatim
    billed_cost: Decimal
    effective_cost: Decimal
    currency: str
    charge_category: str
    start: datetime
    end: datetime

    def get(self, column: str) -> str | None:
        value = self.cells.get(column, "")
        return None if value in NULLS else value

    def decimal(self, column: str, file: str) -> Decimal | None:
        text = self.get(column)
        return None if text is None else parse_decimal(text, file, self.line, column)


def parse_decimal(text: str, file: str, line: int, column: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise ActualsError(file, line, column, f"not a decimal number: {text!r}") from None
    if not value.is_finite():
        raise ActualsError(file, line, column, f"not a finite decimal number: {text!r}")
    return value


def parse_utc(text: str, file: str, line: int, column: str) -> datetime:
    raw = text.strip()
    value = raw[:-4] + "+00:00" if raw.endswith(" UTC") else raw
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise ActualsError(file, line, column, f"not an ISO 8601 timestamp: {text!r}") from None
    if at.tzinfo is None:
        raise ActualsError(file, line, column, f"timestamp without a UTC offset (use Z): {text!r}")
    return at.astimezone(UTC)


def canonical(row: FocusRow) -> str:
    body = row.cells | row.extra
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class _Lines:
    """A text stream that counts the physical lines csv.reader has consumed."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.count = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        text = next(self.stream)
        self.count += 1
        return text


@dataclass(frozen=True)
class _Header:
    width: int
    known: tuple[tuple[int, str], ...]  # (index, column) of the columns read
    extra: tuple[tuple[int, str], ...]  # (index, column) of the x_ columns


def _header(names: list[str], file: str) -> _Header:
    cleaned = [n.strip().lstrip("\ufeff") for n in names]
    missing = [c for c in REQUIRED if c not in cleaned]
    if missing:
        raise ActualsError(file, 1, missing[0], "required FOCUS column missing from the header")
    known = tuple((i, n) for i, n in enumerate(cleaned) if n in KNOWN)
    extra = tuple((i, n) for i, n in enumerate(cleaned) if n.startswith("x_"))
    return _Header(len(cleaned), known, extra)


def _row(header: _Header, values: list[str], file: str, line: int) -> FocusRow:
    if len(values) != header.width:
        raise ActualsError(file, line, "-", f"{len(values)} cells, the header has {header.width} columns")
    cells = {name: values[i] for i, name in header.known}
    extra = {name: values[i] for i, name in header.extra}
    row = FocusRow(line, cells, extra, Decimal(0), Decimal(0), "", "", _EPOCH, _EPOCH)
    billed = _required_decimal(row, "BilledCost", file)
    effective = row.decimal("EffectiveCost", file)
    currency = (row.get("BillingCurrency") or "").strip()
    category = (row.get("ChargeCategory") or "").strip()
    if category not in CHARGE_CATEGORIES:
        allowed = ", ".join(sorted(CHARGE_CATEGORIES))
        raise ActualsError(file, line, "ChargeCategory", f"{category!r} is not one of {allowed}")
    start = parse_utc(_required(row, "ChargePeriodStart", file), file, line, "ChargePeriodStart")
    end = parse_utc(_required(row, "ChargePeriodEnd", file), file, line, "ChargePeriodEnd")
    if end < start:
        raise ActualsError(file, line, "ChargePeriodEnd", "ends before ChargePeriodStart")
    return FocusRow(
        line, cells, extra, billed, billed if effective is None else effective, currency, category, start, end
    )


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _required(row: FocusRow, column: str, file: str) -> str:
    text = row.get(column)
    if text is None:
        raise ActualsError(file, row.line, column, "empty; FOCUS requires a value")
    return text


def _required_decimal(row: FocusRow, column: str, file: str) -> Decimal:
    return parse_decimal(_required(row, column, file), file, row.line, column)


def read_rows(path: Path, file: str | None = None) -> Iterator[FocusRow]:
    """Stream the rows of a FOCUS CSV (constant memory); raise `ActualsError` at the first bad one."""
    name = file or str(path)
    try:
        stream = path.open(encoding="utf-8", newline="")
    except OSError as exc:
        raise ActualsError(name, 0, "-", f"cannot read ({exc.strerror or exc})") from None
    with stream:
        lines = _Lines(stream)
        reader = csv.reader(lines)
        try:
            first = next(reader, None)
            if first is None:
                raise ActualsError(name, 1, "-", "empty file; expected a FOCUS header")
            header = _header(first, name)
            start_line = lines.count + 1
            for values in reader:
                line, start_line = start_line, lines.count + 1
                if not values or values == [""]:
                    continue  # a blank line
                yield _row(header, values, name, line)
        except UnicodeDecodeError:
            raise ActualsError(name, lines.count + 1, "-", "not UTF-8 text") from None
        except csv.Error as exc:
            raise ActualsError(name, lines.count, "-", f"malformed CSV: {exc}") from None

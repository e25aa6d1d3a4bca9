"""Protocol commands from plain data: the one builder for stored commands and scripted cases.

`command_from(kind, body)` turns a command's kind and its JSON-ready body (what the service stores per
need, what a `tender rofr replay` case writes per event) into the `Command` that `step` takes:

    need          {id, workload, workload_class, gpu, gpus, region, start, months, price, new_capacity?}
    quote         {need, provider, price, gpus}
    respond       {need, holder, exercise_gpus?, decline?}
    tick          {}
    signed        {need, provider, gpus, price}
    fell_through  {need, provider}
    terminate     {clause, amendment?}

`start` is a horizon month (an int), an instant, or ISO-8601 text (a bare date is midnight UTC; no zone
is UTC). Prices are exact decimals (`Decimal(str(value))`). Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from tender.contracts.need import Need
from tender.contracts.protocol_types import (
    ClauseTerminated,
    Command,
    HolderResponse,
    NewNeed,
    QuoteReceived,
    ThirdPartyFellThrough,
    ThirdPartySigned,
    Tick,
)

Body = Mapping[str, Any]


def parse_instant(text: str) -> datetime:
    """ISO-8601 instant (`Z` or an offset; a bare date is midnight UTC; no zone = UTC)."""
    if len(text) == 10:
        parsed = datetime.combine(date.fromisoformat(text), datetime.min.time())
    else:
        parsed = datetime.fromisoformat(text)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _start(value: object) -> datetime | int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    return parse_instant(str(value))


def _money(value: object) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def need_from(body: Body) -> Need:
    return Need(
        id=str(body["id"]),
        workload=str(body["workload"]),
        workload_class=str(body["workload_class"]),
        gpu=str(body["gpu"]),
        gpus=int(body["gpus"]),
        region=str(body["region"]),
        start=_start(body["start"]),
        months=int(body["months"]),
        price=_money(body["price"]),
        new_capacity=bool(body.get("new_capacity", True)),
    )


def _respond(body: Body) -> HolderResponse:
    gpus = body.get("exercise_gpus")
    return HolderResponse(
        str(body["need"]), str(body["holder"]), None if gpus is None else int(gpus), bool(body.get("decline"))
    )


_BUILDERS: dict[str, Callable[[Body], Command]] = {
    "need": lambda b: NewNeed(need_from(b)),
    "quote": lambda b: QuoteReceived(str(b["need"]), str(b["provider"]), _money(b["price"]), int(b["gpus"])),
    "respond": _respond,
    "tick": lambda b: Tick(),
    "signed": lambda b: ThirdPartySigned(
        str(b["need"]), str(b["provider"]), int(b["gpus"]), _money(b["price"])
    ),
    "fell_through": lambda b: ThirdPartyFellThrough(str(b["need"]), str(b["provider"])),
    "terminate": lambda b: ClauseTerminated(str(b["clause"]), str(b.get("amendment", ""))),
}
COMMAND_KINDS = tuple(_BUILDERS)


def command_from(kind: str, body: Body) -> Command:
    """The command of `kind` built from `body`; an unknown kind is a `ValueError` naming the known ones."""
    build = _BUILDERS.get(kind)
    if build is None:
        raise ValueError(f"unknown command kind {kind!r} (known: {', '.join(COMMAND_KINDS)})")
    return build(body)

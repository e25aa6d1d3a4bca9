"""Values as the dashboard and the portal show them (Jinja filters, registered in `pages.py`).

- `when`: a timestamp as `2026-10-01 14:03 UTC` (minutes, no microseconds, no raw ISO); "-" for none;
- `cell`: any table value as text: "-" for none, yes / no for booleans, never Python's `None` / `False`.
"""

from __future__ import annotations

from datetime import UTC, datetime


def when(value: datetime | None) -> str:
    if value is None:
        return "-"
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%d %H:%M UTC")


def cell(value: object) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)

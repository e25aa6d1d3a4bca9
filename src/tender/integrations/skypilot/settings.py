"""Tender's settings for the SkyPilot policy, from the environment.

1. `TENDER_SCENARIO` (a scenario file) and `TENDER_MONTH` (1-based month of the horizon; default: the
   month `now` falls in); `TENDER_URL` + `TENDER_TOKEN` (a `tender serve`) instead of a scenario file.
   (`section` takes the same keys from a mapping; SkyPilot 0.14 refuses a `tender:` key in its own
   config, so the policy reads the environment only.)
2. The scenario is loaded once per (path, modification time), so a policy process answers each request
   without re-reading it; a bad file is a `PolicyConfigError` naming file:line:column.
3. A month outside the horizon is an error, not a guess.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tender.clocks import SystemClock
from tender.config import InputError, load_scenario
from tender.domain import Scenario


class PolicyConfigError(ValueError):
    """Tender's settings for the policy are missing or wrong; the message says which."""


@dataclass(frozen=True)
class PolicySettings:
    scenario: str | None
    month: int | None
    url: str | None
    token: str | None


def read_settings(
    env: Mapping[str, str] | None = None, section: Mapping[str, Any] | None = None
) -> PolicySettings:
    env = os.environ if env is None else env
    section = section or {}
    month_text = env.get("TENDER_MONTH") or section.get("month")
    month = None
    if month_text not in (None, ""):
        try:
            month = int(str(month_text))
        except ValueError:
            raise PolicyConfigError(f"TENDER_MONTH: {month_text!r} is not a month number (1-based)") from None
    settings = PolicySettings(
        scenario=env.get("TENDER_SCENARIO") or section.get("scenario"),
        month=month,
        url=env.get("TENDER_URL") or section.get("url"),
        token=env.get("TENDER_TOKEN") or section.get("token"),
    )
    if settings.scenario is None and settings.url is None:
        raise PolicyConfigError(
            "set TENDER_SCENARIO (a scenario file) or TENDER_URL and TENDER_TOKEN (a tender serve)"
        )
    if settings.url is not None and settings.scenario is None and not settings.token:
        raise PolicyConfigError("TENDER_URL needs TENDER_TOKEN (a token of role skypilot)")
    return settings


_CACHE: dict[str, tuple[float, Scenario]] = {}


def scenario_at(path: str) -> Scenario:
    try:
        stamp = os.stat(path).st_mtime
    except OSError as exc:
        raise PolicyConfigError(f"TENDER_SCENARIO: cannot read {path}: {exc.strerror}") from None
    hit = _CACHE.get(path)
    if hit is not None and hit[0] == stamp:
        return hit[1]
    try:
        scenario = load_scenario(path)
    except InputError as exc:
        first = exc.problems[0]
        raise PolicyConfigError(
            f"TENDER_SCENARIO: {first.file}:{first.line}:{first.column}: {first.path}: {first.message}"
        ) from None
    _CACHE[path] = (stamp, scenario)
    return scenario


def month_of(scenario: Scenario, month: int | None, now: datetime | None = None) -> int:
    """The given month, else the month `now` falls in; either must be inside the horizon."""
    if month is None:
        month = scenario.calendar.month_of(now or SystemClock().now())
        where = f"now ({(now or SystemClock().now()).date()}) is month {month}, which"
    else:
        where = f"TENDER_MONTH={month}"
    if not 1 <= month <= scenario.horizon:
        raise PolicyConfigError(f"{where} is outside {scenario.id}'s horizon (1..{scenario.horizon})")
    return month

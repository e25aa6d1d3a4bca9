"""Billing sources, best first, on hand-computed cases (docs/run.md, "Billing rules")."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from tender.ports import RunState, RunStatus
from tender.runtime.meter import Wrapped, measure

T0 = 1_750_000_000.0


def _at(offset: float) -> datetime:
    return datetime.fromtimestamp(T0 + offset, UTC)


ENGINE = RunStatus("h", RunState.SUCCEEDED, started_at=_at(-3), ended_at=_at(11), gpus=2)


def test_the_wrappers_times_beat_the_engines() -> None:
    got = measure(ENGINE, 2, None, T0 + 60, Wrapped(T0 + 0.125, T0 + 10.5, T0 + 10))
    assert got is not None and got.source == "wrapper"
    assert got.seconds == Decimal("10.375") and got.gpu_hours == Decimal("0.005764")  # 2 x 10.375 / 3600


def test_without_a_record_the_bill_stops_at_the_last_renewal_not_at_now() -> None:
    got = measure(None, 1, T0, T0 + 67, Wrapped(T0 + 1, None, T0 + 5.5))
    assert got is not None and got.source == "wrapper, last renewal" and got.seconds == Decimal("4.500")


def test_engine_times_when_no_wrapper_ran() -> None:
    got = measure(ENGINE, 1, None, T0 + 60, Wrapped(None, None, None))
    assert got is not None and got.source == "engine" and got.seconds == Decimal("14.000")
    silent = measure(None, 1, T0 + 2, T0 + 32)
    assert silent is not None and silent.source == "tender" and silent.seconds == Decimal("30.000")
    assert measure(None, 1, None, T0) is None

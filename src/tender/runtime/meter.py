"""GPU-hours of one finished attempt, from the engine's own start and end times (exact Decimal)."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from tender.ports import RunStatus

_MS = Decimal("0.001")
_MICRO_HOURS = Decimal("0.000001")


def metered(status: RunStatus, requested_gpus: int) -> tuple[int, Decimal, Decimal] | None:
    """(gpus, seconds, gpu_hours), or None when the engine never started the attempt."""
    elapsed = status.elapsed_seconds
    if elapsed is None:
        return None
    gpus = status.gpus if status.gpus is not None else requested_gpus
    seconds = Decimal(repr(elapsed)).quantize(_MS, rounding=ROUND_HALF_EVEN)
    hours = (seconds * gpus / Decimal(3600)).quantize(_MICRO_HOURS, rounding=ROUND_HALF_EVEN)
    return gpus, seconds, hours

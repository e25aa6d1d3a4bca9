"""Range checks for numeric options that Typer's `min=`/`max=` cannot say (a bound that is excluded).

Use as `typer.Option(..., callback=positive, help="... (> 0)")`: a value out of range is a usage error,
which the boundary prints as one line naming the option, exit 2.
"""

from __future__ import annotations

import typer


def positive(value: float | None) -> float | None:
    """Greater than 0 (None, an option not given, passes)."""
    if value is not None and not value > 0:
        raise typer.BadParameter(f"must be greater than 0, got {value:g}")
    return value

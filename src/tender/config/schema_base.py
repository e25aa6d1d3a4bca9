"""Shared pydantic building blocks for the scenario schema (the edge; domain types stay plain)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

NonNegDecimal = Annotated[Decimal, Field(ge=0, allow_inf_nan=False)]
PosDecimal = Annotated[Decimal, Field(gt=0, allow_inf_nan=False)]
Fraction = Annotated[Decimal, Field(ge=0, le=1, allow_inf_nan=False)]
Percent = Annotated[Decimal, Field(ge=0, le=100, allow_inf_nan=False)]
Month = Annotated[int, Field(ge=1, strict=True)]
NonNegInt = Annotated[int, Field(ge=0, strict=True)]
PosInt = Annotated[int, Field(ge=1, strict=True)]
Name = Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9._\-]*$")]


class Strict(BaseModel):
    """Every schema model refuses unknown keys, so a typo is reported instead of ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

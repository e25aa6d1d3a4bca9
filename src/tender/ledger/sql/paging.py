"""Limit/offset pages with their total: every list the API answers is one `page(...)` call."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int  # rows matching the filters, over every page


def page(
    session: Session, query: Select[Any], order: tuple[Any, ...], offset: int, limit: int | None
) -> Page[Any]:
    """`limit` rows (None: all) of `query` from `offset` in `order`, and how many rows it matches in all."""
    total = int(session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0)
    items = list(session.scalars(query.order_by(*order).offset(offset).limit(limit)))
    return Page(items, total)

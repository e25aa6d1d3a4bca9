"""Typed reads of one JSON object, each failure naming its field path (`awards[3].gpus`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any


class PlanDocError(Exception):
    """The plan JSON lacks a field or holds a value of the wrong type."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.message = message


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, Sequence):
        return "a list"
    return "an object" if isinstance(value, Mapping) else type(value).__name__


def join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


class Obj:
    """A JSON object at `path`; each getter raises `PlanDocError` on a missing key or a wrong type."""

    def __init__(self, data: object, path: str) -> None:
        if not isinstance(data, Mapping):
            raise PlanDocError(path, f"expected an object, got {_kind(data)}")
        self.data: Mapping[str, Any] = data
        self.path = path

    def has(self, key: str) -> bool:
        return key in self.data

    def _raw(self, key: str) -> object:
        if key not in self.data:
            raise PlanDocError(join(self.path, key), "missing field")
        return self.data[key]

    def _fail(self, key: str, wanted: str) -> PlanDocError:
        return PlanDocError(join(self.path, key), f"expected {wanted}, got {_kind(self.data[key])}")

    def _null(self, key: str, required: bool) -> bool:
        """Whether the value is null (or absent, unless the key is `required`)."""
        return self._raw(key) is None if required else self.data.get(key) is None

    def obj(self, key: str) -> Obj:
        return Obj(self._raw(key), join(self.path, key))

    def objects(self, key: str) -> list[Obj]:
        raw = self._raw(key)
        if isinstance(raw, str | bytes) or not isinstance(raw, Sequence):
            raise self._fail(key, "a list")
        return [Obj(item, join(join(self.path, key), i)) for i, item in enumerate(raw)]

    def strings(self, key: str) -> tuple[str, ...]:
        raw = self._raw(key)
        if isinstance(raw, str | bytes) or not isinstance(raw, Sequence):
            raise self._fail(key, "a list of strings")
        for i, item in enumerate(raw):
            if not isinstance(item, str):
                raise PlanDocError(join(join(self.path, key), i), f"expected a string, got {_kind(item)}")
        return tuple(raw)

    def text(self, key: str) -> str:
        raw = self._raw(key)
        if not isinstance(raw, str):
            raise self._fail(key, "a string")
        return raw

    def opt_text(self, key: str, *, required: bool = False) -> str | None:
        return None if self._null(key, required) else self.text(key)

    def integer(self, key: str) -> int:
        raw = self._raw(key)
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise self._fail(key, "an integer")
        return raw

    def opt_integer(self, key: str, *, required: bool = False) -> int | None:
        return None if self._null(key, required) else self.integer(key)

    def money(self, key: str) -> Decimal:
        """An exact decimal written as a JSON string (`"1234.50"`)."""
        raw = self._raw(key)
        if not isinstance(raw, str):
            raise self._fail(key, 'a decimal string such as "12.50"')
        try:
            value = Decimal(raw)
        except InvalidOperation:
            raise PlanDocError(join(self.path, key), f"not a decimal number: {raw!r}") from None
        if not value.is_finite():
            raise PlanDocError(join(self.path, key), f"not a finite decimal: {raw!r}")
        return value

    def opt_money(self, key: str, *, required: bool = False) -> Decimal | None:
        return None if self._null(key, required) else self.money(key)

    def instant(self, key: str) -> datetime:
        """An ISO-8601 timestamp; one without a zone is read as UTC."""
        raw = self.text(key)
        try:
            at = datetime.fromisoformat(raw)
        except ValueError:
            raise PlanDocError(join(self.path, key), f"not an ISO-8601 timestamp: {raw!r}") from None
        return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)

    def opt_instant(self, key: str, *, required: bool = False) -> datetime | None:
        return None if self._null(key, required) else self.instant(key)

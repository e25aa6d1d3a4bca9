"""The one error type for input files, and pydantic errors turned into located `Problem`s.

Every input file Tender reads (scenarios, pools files, job specs, ROFR cases) reports what is wrong as
`Problem`s — FILE:LINE:COL: field.path: what is wrong (what is right) — raised together as one
`InputError`. `from_validation_error` maps a pydantic `ValidationError` back onto the YAML positions.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from types import UnionType
from typing import Any, Protocol, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

FieldPath = tuple[str | int, ...]
"""A place in a parsed document: mapping keys and list indices, outermost first."""


class Locates(Protocol):
    """Where a field path starts in its source (`yamlpos.Positions` is the one implementation)."""

    def locate(self, path: FieldPath) -> tuple[int, int]: ...

    def locate_key(self, path: FieldPath) -> tuple[int, int]: ...


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, located by line/column and field path. Line 0 means the file as
    a whole (missing, unreadable, not text): it prints as `FILE: message`."""

    file: str
    line: int
    column: int
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        at = f"{self.file}:{self.line}:{self.column}" if self.line > 0 else self.file
        return f"{at}: {where}{self.message}"


class InputError(Exception):
    """Raised with every problem found in one input file."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


class InputLimitError(InputError):
    """An input refused by a limit (`tender.config.yamllimits`): too large, too deep, too many aliases."""


def format_path(path: FieldPath) -> str:
    """`("pools", 0, "gpus")` -> `pools[0].gpus`."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def data_path(data: Any, loc: tuple[int | str, ...]) -> FieldPath:
    """Map a pydantic `loc` onto the input data, dropping union/tag markers that are not real keys."""
    path: list[str | int] = []
    node: Any = data
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        ):
            path.append(part)
            node = node[part]  # type: ignore[index]  # narrowed above: dict key or in-range list index
        elif last and isinstance(part, str) and not part[:1].isupper() and part not in _TYPE_TAGS:
            path.append(part)  # a missing field: point at its parent, name the field
        # else: a union member name such as 'decimal' or 'CatalogRefIn' — skip it
    return tuple(path)


_TYPE_TAGS = {"decimal", "int", "str", "bool", "float", "list", "dict", "none", "literal", "function-after"}


def _expected_fields(model: type[BaseModel] | None) -> list[str]:
    return sorted(model.model_fields) if model is not None else []


def _message(err: Any, fields: list[str]) -> str:
    kind = err["type"]
    got = err.get("input")
    if kind == "missing":
        return "required field is missing (add it)"
    if kind == "extra_forbidden":
        name = str(err["loc"][-1])
        close = difflib.get_close_matches(name, fields, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"expected one of: {', '.join(fields)}"
        return f"unknown field '{name}' ({hint})"
    text = str(err["msg"])
    if text.startswith("Value error, "):
        text = text[len("Value error, ") :]
    if kind in ("finite_number",):
        return f"must be a finite number, got {got!r} (use a plain number)"
    if got is not None and not isinstance(got, (dict, list)):
        return f"{text} (got {got!r})"
    return text


def from_validation_error(
    exc: ValidationError,
    data: Any,
    positions: Locates,
    file: str,
    prefix: FieldPath = (),
    model: type[BaseModel] | None = None,
    rename: Callable[[FieldPath], FieldPath] | None = None,
) -> list[Problem]:
    """One `Problem` per distinct field path (union members repeat the same path; keep the first).
    `rename` maps a validated model's location back onto the field the input wrote, when the model
    validated a translation of `data` (a SkyPilot task read as a job spec)."""
    problems: list[Problem] = []
    seen: set[FieldPath] = set()
    for err in exc.errors():
        loc: FieldPath = tuple(err["loc"])
        rel = data_path(data, rename(loc) if rename is not None else loc)
        path = (*prefix, *rel)
        if path in seen:
            continue
        seen.add(path)
        fields = _expected_fields(_model_at(model, rel)) if err["type"] == "extra_forbidden" else []
        line, col = positions.locate_key(path) if err["type"] == "extra_forbidden" else positions.locate(path)
        problems.append(Problem(file, line, col, format_path(path), _message(err, fields)))
    return problems


def _model_at(model: type[BaseModel] | None, rel: FieldPath) -> type[BaseModel] | None:
    """The model class that owns the last key of `rel` (for listing valid field names)."""
    current: Any = model
    for part in rel[:-1]:
        current = _strip_optional(current)
        origin = get_origin(current)
        if origin is list:
            current = get_args(current)[0]
        elif origin is dict:
            current = get_args(current)[1]
        elif isinstance(current, type) and issubclass(current, BaseModel):
            info = current.model_fields.get(str(part))
            current = info.annotation if info else None
        else:
            return None
    current = _strip_optional(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _strip_optional(annotation: Any) -> Any:
    """`X | None` -> X when exactly one member is a model, list or dict."""
    if get_origin(annotation) in (Union, UnionType):
        members = [a for a in get_args(annotation) if a is not type(None)]
        structured = [
            a
            for a in members
            if get_origin(a) in (list, dict) or (isinstance(a, type) and issubclass(a, BaseModel))
        ]
        return structured[0] if len(structured) == 1 else annotation
    return annotation

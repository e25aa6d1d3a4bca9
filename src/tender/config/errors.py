"""Turn pydantic errors into located `Problem`s: FILE:LINE:COL: field.path: what is wrong (what is right)."""

from __future__ import annotations

import difflib
from types import UnionType
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from tender.config.yamlpos import Path, Positions, Problem, format_path


def data_path(data: Any, loc: tuple[int | str, ...]) -> Path:
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
    positions: Positions,
    file: str,
    prefix: Path = (),
    model: type[BaseModel] | None = None,
) -> list[Problem]:
    """One `Problem` per distinct field path (union members repeat the same path; keep the first)."""
    problems: list[Problem] = []
    seen: set[Path] = set()
    for err in exc.errors():
        rel = data_path(data, tuple(err["loc"]))
        path = (*prefix, *rel)
        if path in seen:
            continue
        seen.add(path)
        fields = _expected_fields(_model_at(model, rel)) if err["type"] == "extra_forbidden" else []
        line, col = positions.locate_key(path) if err["type"] == "extra_forbidden" else positions.locate(path)
        problems.append(Problem(file, line, col, format_path(path), _message(err, fields)))
    return problems


def _model_at(model: type[BaseModel] | None, rel: Path) -> type[BaseModel] | None:
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

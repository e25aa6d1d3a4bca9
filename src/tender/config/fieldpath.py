"""Dotted field paths into scenario data: `contracts.c-primary-commit.total_usd`.

The one addressing used by a variant's `set:` (`overlay.py`) and by `tender compare --break-even`.

1. split the path on dots; a segment may itself hold dots (`midtrain-v6.5`), so at each step the
   longest run of segments that names something is taken;
2. in a mapping a segment is a key; in a list it is an element's `id` or, failing that, an index;
3. only with `new_leaf` may the last segment be a new key of a mapping (a variant's `set:` adding
   an optional field; the scenario schema then checks it);
4. the result is the real data path (keys and list indices), which `Positions` can locate.
"""

from __future__ import annotations

from typing import Any

from tender.config.errors import FieldPath


class FieldPathError(ValueError):
    """A path that does not name a value in the data; the message says where it stops."""


def resolve(data: Any, dotted: str, new_leaf: bool = False) -> FieldPath:
    """The data path that `dotted` names, or `FieldPathError` naming the first segment not found.
    With `new_leaf`, the last segment may be a key the mapping it lands in does not have yet."""
    parts = dotted.split(".")
    if not dotted or any(not p for p in parts):
        raise FieldPathError(
            f"'{dotted}' is not a dotted field path (e.g. contracts.c-primary-commit.total_usd)"
        )
    node: Any = data
    out: list[str | int] = []
    i = 0
    while i < len(parts):
        step = _step(node, parts, i)
        if step is None and new_leaf and i == len(parts) - 1 and isinstance(node, dict):
            return (*out, parts[i])
        if step is None:
            where = ".".join(parts[:i]) or "the top level"
            raise FieldPathError(f"'{dotted}': {where} has no '{parts[i]}'{_known(node)}")
        key, used = step
        out.append(key)
        node = node[key]
        i += used
    return tuple(out)


def get(data: Any, path: FieldPath) -> Any:
    node = data
    for key in path:
        node = node[key]
    return node


def put(data: Any, path: FieldPath, value: Any) -> None:
    """Set the value at `path` in place (its parent must exist)."""
    get(data, path[:-1])[path[-1]] = value


def _step(node: Any, parts: list[str], i: int) -> tuple[str | int, int] | None:
    """The key or index naming the longest run parts[i:j], and how many segments it used."""
    for j in range(len(parts), i, -1):
        name = ".".join(parts[i:j])
        if isinstance(node, dict) and name in node:
            return name, j - i
        if isinstance(node, list):
            for k, item in enumerate(node):
                if isinstance(item, dict) and item.get("id") == name:
                    return k, j - i
    if isinstance(node, list) and parts[i].isdigit() and int(parts[i]) < len(node):
        return int(parts[i]), 1
    return None


def _known(node: Any) -> str:
    if isinstance(node, dict):
        names = [str(k) for k in node]
    elif isinstance(node, list):
        names = [str(x.get("id")) for x in node if isinstance(x, dict) and "id" in x] or [
            f"0..{len(node) - 1}"
        ]
    else:
        return f" (it is a value, {node!r})"
    shown = ", ".join(names[:12]) + (", ..." if len(names) > 12 else "")
    return f" (it has: {shown})" if names else " (it is empty)"

"""The limits every YAML input is parsed under (files, API bodies, job specs, pools files).

A hostile document must cost little to refuse, so the limits are checked on the composed node graph,
before anything is expanded:

1. size: at most `MAX_CHARS` characters of text (checked before parsing);
2. depth: the composer refuses nesting deeper than `MAX_DEPTH` while it builds nodes;
3. aliases: at most `MAX_ALIASES` alias uses (`*name`) per document;
4. expansion: the document as it would be expanded (every alias replaced by its anchor's value) has at
   most `MAX_NODES` values and is at most `MAX_DEPTH` deep; an alias inside its own anchor is refused.
   This is counted on the graph (each node once, memoized), so a "billion laughs" is refused after
   visiting a few dozen nodes, never expanded.

Each refusal is a `LimitExceeded` with the source position and, where known, the field path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

MAX_CHARS = 4 * 1024 * 1024
MAX_DEPTH = 64
MAX_ALIASES = 1_000
MAX_NODES = 200_000

FieldPath = tuple[str | int, ...]


@dataclass
class LimitExceeded(Exception):
    """A limit was hit at 1-based `line`/`column` (field `path` when known)."""

    line: int
    column: int
    path: FieldPath
    message: str

    def __str__(self) -> str:
        return self.message


def _at(mark: yaml.Mark | None) -> tuple[int, int]:
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


class Bounds:
    """The composer's counts of depth and aliases, mixed into both loaders below (before their
    `yaml.composer.Composer`, whose `compose_node` it wraps)."""

    def _start_bounds(self) -> None:
        self._depth = 0
        self._aliases = 0
        # where each alias was written: (id(parent node), position or id(key node)) -> mark
        self.alias_marks: dict[tuple[int, int], yaml.Mark] = {}

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        events: Any = self  # a loader: its parser gives the events, its composer the nodes
        if events.check_event(yaml.AliasEvent):
            self._aliases += 1
            mark = events.peek_event().start_mark
            if parent is not None:
                slot = index if isinstance(index, int) else id(index)
                self.alias_marks[(id(parent), slot)] = mark
            if self._aliases > MAX_ALIASES:
                line, col = _at(mark)
                raise LimitExceeded(
                    line,
                    col,
                    (),
                    f"more than {MAX_ALIASES} aliases (*name) in one document; write the values out",
                )
            return super().compose_node(parent, index)  # type: ignore[misc, no-any-return]
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                line, col = _at(events.peek_event().start_mark)
                raise LimitExceeded(line, col, (), f"nested deeper than {MAX_DEPTH} levels")
            return super().compose_node(parent, index)  # type: ignore[misc, no-any-return]
        finally:
            self._depth -= 1


class BoundedLoader(Bounds, yaml.SafeLoader):
    """PyYAML's safe loader (pure Python) whose composer counts depth and aliases as it goes: the
    reference, and the one whose messages every YAML problem is reported with."""

    def __init__(self, stream: str) -> None:
        yaml.SafeLoader.__init__(self, stream)
        self._start_bounds()


def check_text(text: str) -> None:
    if len(text) > MAX_CHARS:
        raise LimitExceeded(1, 1, (), f"document too large ({len(text):,} characters; at most {MAX_CHARS:,})")


def check_expansion(root: yaml.Node, alias_marks: dict[tuple[int, int], yaml.Mark] | None = None) -> None:
    """Refuse a graph whose expansion is too large, too deep or cyclic (see the module's step 4).
    Problems point at the alias that was written (`alias_marks`, from `BoundedLoader`) when there is one."""
    _Expansion(alias_marks or {}).visit(root, (), 0, None)


class _Expansion:
    def __init__(self, alias_marks: dict[tuple[int, int], yaml.Mark]) -> None:
        self.memo: dict[int, tuple[int, int]] = {}  # id(node) -> (values, height) once expanded
        self.open: set[int] = set()
        self.total = 0
        self.alias_marks = alias_marks

    def visit(
        self, node: yaml.Node, path: FieldPath, depth: int, written: yaml.Mark | None
    ) -> tuple[int, int]:
        key = id(node)
        where = written or node.start_mark
        if key in self.open:
            line, col = _at(where)
            raise LimitExceeded(line, col, path, "an alias refers to a value that contains it (recursive)")
        known = self.memo.get(key)
        if known is None:
            self.open.add(key)
            try:
                known = self._measure(node, path, depth)
            finally:
                self.open.discard(key)
            self.memo[key] = known
        else:
            self.total += known[0]
        values, height = known
        if depth + height > MAX_DEPTH:
            line, col = _at(where)
            raise LimitExceeded(
                line, col, path, f"nested deeper than {MAX_DEPTH} levels (with aliases expanded)"
            )
        if self.total > MAX_NODES:
            line, col = _at(where)
            raise LimitExceeded(
                line, col, path, f"expands to more than {MAX_NODES:,} values (aliases); write the values out"
            )
        return values, height

    def _measure(self, node: yaml.Node, path: FieldPath, depth: int) -> tuple[int, int]:
        self.total += 1
        if depth > MAX_DEPTH:
            line, col = _at(node.start_mark)
            raise LimitExceeded(
                line, col, path, f"nested deeper than {MAX_DEPTH} levels (with aliases expanded)"
            )
        children: list[tuple[yaml.Node, FieldPath, int]] = []
        if isinstance(node, yaml.SequenceNode):
            children = [(item, (*path, i), i) for i, item in enumerate(node.value)]
        elif isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                name = key_node.value if isinstance(key_node, yaml.ScalarNode) else "?"
                children += [(key_node, path, -1), (value_node, (*path, str(name)), id(key_node))]
        values, height = 1, 0
        for child, child_path, slot in children:
            written = self.alias_marks.get((id(node), slot))
            count, child_height = self.visit(child, child_path, depth + 1, written)
            values += count
            height = max(height, child_height + 1)
        return values, height

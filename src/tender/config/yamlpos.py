"""Load YAML while remembering where every value came from.

`load_yaml(text, filename)` returns plain Python data plus a `Positions` map from field paths
(tuples of keys and list indices) to (line, column), both 1-based. Duplicate mapping keys are an
error. Floats are read as exact `Decimal` straight from the source text, so `3.40` stays `3.40`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from tender.config.errors import FieldPath, InputError, InputLimitError, Problem, format_path
from tender.config.yamllimits import MAX_CHARS, BoundedLoader, LimitExceeded, check_expansion, check_text

try:
    from tender.config.yamlfast import FastBoundedLoader
except ImportError:  # a PyYAML built without libyaml
    FastBoundedLoader = None  # type: ignore[assignment, misc]


@dataclass
class Positions:
    """Where each field path starts in the source (1-based line and column)."""

    marks: dict[FieldPath, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[FieldPath, tuple[int, int]] = field(default_factory=dict)

    def locate(self, path: FieldPath) -> tuple[int, int]:
        """The position of `path`, or of its nearest located ancestor."""
        probe = tuple(path)
        while probe:
            if probe in self.marks:
                return self.marks[probe]
            probe = probe[:-1]
        return self.marks.get((), (1, 1))

    def locate_key(self, path: FieldPath) -> tuple[int, int]:
        """The position of the key that introduces `path` (for "unknown field" messages)."""
        return self.key_marks.get(tuple(path)) or self.locate(path)


class _Loader(BoundedLoader):
    pass


def _scalar(loader: SafeConstructor, node: yaml.ScalarNode) -> Any:
    if node.tag == "tag:yaml.org,2002:float":
        text = node.value.replace("_", "").lower()
        if text in (".nan",):
            return Decimal("NaN")
        if text in (".inf", "+.inf"):
            return Decimal("Infinity")
        if text == "-.inf":
            return Decimal("-Infinity")
        try:
            return Decimal(text)
        except InvalidOperation:
            return loader.construct_object(node)
    if node.tag == "tag:yaml.org,2002:timestamp":
        return node.value  # keep dates as text; the schema parses them
    return loader.construct_object(node)


def _scalar_checked(
    loader: SafeConstructor, node: yaml.ScalarNode, path: FieldPath, problems: list[Problem], file: str
) -> Any:
    """`_scalar`, with PyYAML's own constructor failures (an explicit tag on an unfit value, e.g. an
    empty `!!int`, raises IndexError or ValueError inside PyYAML) reported as a problem at the value."""
    try:
        return _scalar(loader, node)
    except (IndexError, ValueError, TypeError, OverflowError):
        tag = node.tag.rsplit(":", 1)[-1]
        where = (node.start_mark.line + 1, node.start_mark.column + 1)
        problems.append(
            Problem(file, *where, format_path(path), f"{node.value!r} is not a valid !!{tag} value")
        )
        return None


def _build(
    loader: SafeConstructor,
    node: yaml.Node,
    path: FieldPath,
    pos: Positions,
    problems: list[Problem],
    file: str,
) -> Any:
    pos.marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            before = len(problems)
            key = (
                _scalar_checked(loader, key_node, path, problems, file)
                if isinstance(key_node, yaml.ScalarNode)
                else None
            )
            if len(problems) > before:  # the key itself was reported
                continue
            if key is None or isinstance(key, (dict, list)):
                problems.append(
                    Problem(
                        file,
                        key_node.start_mark.line + 1,
                        key_node.start_mark.column + 1,
                        format_path(path),
                        "a mapping key must be a plain text value",
                    )
                )
                continue
            key = str(key) if not isinstance(key, str) else key
            child = (*path, key)
            if key in out:
                first_line = pos.key_marks[child][0]
                problems.append(
                    Problem(
                        file,
                        key_node.start_mark.line + 1,
                        key_node.start_mark.column + 1,
                        format_path(child),
                        f"duplicate key '{key}' (first defined on line {first_line}; keep one)",
                    )
                )
                continue
            pos.key_marks[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            out[key] = _build(loader, value_node, child, pos, problems, file)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(loader, item, (*path, i), pos, problems, file) for i, item in enumerate(node.value)]
    assert isinstance(node, yaml.ScalarNode)
    return _scalar_checked(loader, node, path, problems, file)


def load_yaml(text: str, file: str) -> tuple[Any, Positions]:
    """Parse one YAML document under `tender.config.yamllimits`' limits (size, depth, aliases,
    expansion). Raises `InputError` for syntax errors, duplicate keys and every limit."""
    try:
        return _load(text, file)
    except LimitExceeded as exc:
        problem = Problem(file, exc.line, exc.column, format_path(exc.path), str(exc))
        raise InputLimitError([problem]) from None


def _load(text: str, file: str) -> tuple[Any, Positions]:
    """libyaml's parser when it is there and the text is printable; a document it refuses (or that
    breaks a limit or has duplicate keys) is read again by the pure-Python loader, so every problem
    is worded and placed by the one reference loader (`tests/unit/config/test_yaml_fast.py` checks
    both give the same data and positions)."""
    check_text(text)
    if FastBoundedLoader is not None and fast_readable(text):
        try:
            return _load_with(FastBoundedLoader(text), file)
        except (yaml.YAMLError, LimitExceeded, InputError):
            pass
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as exc:  # a control character the YAML spec does not allow
        line = text[: exc.position].count("\n") + 1
        raise InputError(
            [Problem(file, line, 1, "", f"YAML error: {exc.reason} (remove the control character)")]
        ) from None
    return _load_with(loader, file)


# libyaml reads these otherwise than PyYAML: tabs (accepted where PyYAML refuses them), the unicode
# line breaks NEL, LS and PS, and a byte-order mark inside the text
_NOT_FAST = re.compile("[\t\x85\u2028\u2029\ufeff]")


def fast_readable(text: str) -> bool:
    """Text libyaml reads as PyYAML does: printable (PyYAML's own test), none of `_NOT_FAST`."""
    return not _NOT_FAST.search(text) and not yaml.reader.Reader.NON_PRINTABLE.search(text)


def _load_with(loader: _Loader | FastBoundedLoader, file: str) -> tuple[Any, Positions]:
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = exc.problem or "invalid YAML"
        context = f" ({exc.context})" if exc.context else ""
        raise InputError([Problem(file, line, col, "", f"YAML syntax error: {what}{context}")]) from None
    except yaml.YAMLError as exc:
        raise InputError([Problem(file, 1, 1, "", f"YAML error: {exc}")]) from None
    finally:
        loader.dispose()
    pos = Positions()
    if root is None:
        return None, pos
    check_expansion(root, loader.alias_marks)
    problems: list[Problem] = []
    try:
        data = _build(loader, root, (), pos, problems, file)
    except yaml.YAMLError as exc:
        raise InputError([Problem(file, 1, 1, "", f"YAML error: {exc}")]) from None
    if problems:
        raise InputError(problems)
    return data, pos


def read_text(path: str, kind: str = "scenario", example: str = "examples/minimal.yaml") -> str:
    """Read a UTF-8 text file, turning every way it can fail into an `InputError`. `kind` and `example`
    name what the file should hold (a scenario, a pools file, a job spec) in the messages."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        raise InputError([Problem(path, 0, 0, "", "file not found (check the path)")]) from None
    except IsADirectoryError:
        raise InputError(
            [Problem(path, 0, 0, "", "is a directory, not a file (give a .yaml file)")]
        ) from None
    except PermissionError:
        raise InputError([Problem(path, 0, 0, "", "permission denied (make the file readable)")]) from None
    except OSError as exc:
        raise InputError([Problem(path, 0, 0, "", f"cannot read ({exc.strerror or exc})")]) from None
    if len(raw) > MAX_CHARS:
        raise InputError(
            [Problem(path, 0, 0, "", f"file too large ({len(raw):,} bytes; at most {MAX_CHARS:,})")]
        )
    if b"\x00" in raw[:8192]:
        raise InputError([Problem(path, 0, 0, "", f"binary file, not YAML text (give a .yaml {kind})")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(
            [Problem(path, line, 1, "", "not valid UTF-8 text (save the file as UTF-8)")]
        ) from None
    if not text.strip() or all(ln.strip().startswith("#") or not ln.strip() for ln in text.splitlines()):
        raise InputError([Problem(path, 1, 1, "", f"empty file (expected a {kind} mapping; see {example})")])
    return text.lstrip("\ufeff")

"""Variants: a YAML overlay on a base scenario (`tender compare`; format in docs/compare.md).

```yaml
variant: {name: commitment, description: ...}
contracts:  {remove: [ID, ...], change: {ID: {field: value, ...}}, add: [CLAUSE, ...]}
amendments: {remove: [ID, ...], change: {ID: {field: value, ...}}, add: [AMENDMENT, ...]}
set: {DOTTED.FIELD.PATH: value, ...}     # demand, providers, rates, ... (`fieldpath.py`)
```

Flow (`load_variant`):
1. parse the overlay keeping positions; validate its shape (`OverlayIn`);
2. check every id it removes or changes against the base, and that no base amendment it keeps
   still names a contract it removes — each problem at the overlay's FILE:LINE:COL;
3. merge onto a copy of the base's data, in order: removals, changes, additions, `set:`; the
   positions move with the data (a removed contract re-indexes the ones after it), and every path
   the overlay wrote is remembered;
4. `build` validates the merged data with the scenario loader (`load.load_scenario_data`); a problem
   under a path the overlay wrote is reported in the overlay's file, any other in the base's.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from pathlib import PurePath
from typing import Any

from pydantic import ValidationError

from tender.config.errors import FieldPath, InputError, Problem, format_path, from_validation_error
from tender.config.fieldpath import FieldPathError, put, resolve
from tender.config.load import load_scenario_data
from tender.config.schema_base import Name, Strict
from tender.config.yamlpos import Positions, load_yaml, read_text
from tender.domain import Scenario

SECTIONS = ("contracts", "amendments")


class VariantIn(Strict):
    name: Name | None = None
    description: str = ""


class EditsIn(Strict):
    remove: list[Name] = []
    change: dict[Name, dict[str, Any]] = {}
    add: list[dict[str, Any]] = []


class OverlayIn(Strict):
    variant: VariantIn = VariantIn()
    contracts: EditsIn = EditsIn()
    amendments: EditsIn = EditsIn()
    set: dict[str, Any] = {}


@dataclass(frozen=True)
class Variant:
    """A base scenario or a variant of it: the merged data, where each value came from."""

    name: str
    file: str
    description: str
    data: dict[str, Any]
    positions: Positions
    base_file: str
    overlaid: tuple[FieldPath, ...] = ()  # data paths the overlay wrote (reported in `file`)


def load_base(path: str, name: str | None = None) -> Variant:
    return load_base_text(read_text(path), path, name)


def load_base_text(text: str, path: str, name: str | None = None) -> Variant:
    data, positions = load_yaml(text, path)
    if not isinstance(data, dict):
        raise InputError(
            [Problem(path, 1, 1, "", "a scenario must be a mapping (see examples/minimal.yaml)")]
        )
    return Variant(name or PurePath(path).stem, path, "", data, positions, path)


def load_variant(base: Variant, path: str) -> Variant:
    """Steps 1-3: the base with the overlay at `path` applied (not yet validated as a scenario)."""
    return load_variant_text(base, read_text(path), path)


def load_variant_text(base: Variant, text: str, path: str) -> Variant:
    """`load_variant` of an overlay's text (`path` names it in problems: the service's uploads)."""
    raw, opos = load_yaml(text, path)
    if not isinstance(raw, dict):
        raise InputError([_at(opos, path, (), "a variant must be a mapping (see docs/compare.md)")])
    try:
        overlay = OverlayIn.model_validate(raw)
    except ValidationError as exc:
        raise InputError(from_validation_error(exc, raw, opos, path, model=OverlayIn)) from None
    problems = _check_ids(base.data, overlay, opos, path)
    if problems:
        raise InputError(problems)
    merge = _Merge(copy.deepcopy(base.data), _copy(base.positions), opos, path)
    for section in SECTIONS:
        merge.edit(section, getattr(overlay, section))
    merge.set_fields(overlay.set)
    if merge.problems:
        raise InputError(merge.problems)
    name = overlay.variant.name or PurePath(path).stem
    return Variant(
        name, path, overlay.variant.description, merge.data, merge.pos, base.file, tuple(merge.written)
    )


def build(v: Variant) -> Scenario:
    """Step 4: the merged data as a validated scenario; problems located in the file they came from."""
    try:
        return load_scenario_data(v.data, v.positions, v.file)
    except InputError as exc:
        raise InputError([_attribute(v, p) for p in exc.problems]) from None


def with_value(v: Variant, dotted: str, value: Any) -> Variant:
    """`v` with the field at `dotted` replaced (`--break-even`); `FieldPathError` if it is not there."""
    path = resolve(v.data, dotted)
    data = copy.deepcopy(v.data)
    put(data, path, value)
    return replace(v, data=data)


def _attribute(v: Variant, p: Problem) -> Problem:
    if v.file == v.base_file:
        return p
    mine = any(_under(p.path, format_path(w)) for w in v.overlaid)
    return p if mine else replace(p, file=v.base_file)


def _under(path: str, prefix: str) -> bool:
    return path == prefix or (path.startswith(prefix) and path[len(prefix)] in ".[")


def _at(pos: Positions, file: str, path: FieldPath, message: str) -> Problem:
    line, col = pos.locate(path)
    return Problem(file, line, col, format_path(path), message)


def _ids(items: Any) -> list[str]:
    return [str(x.get("id")) for x in items if isinstance(x, dict)] if isinstance(items, list) else []


def _check_ids(base: dict[str, Any], overlay: OverlayIn, pos: Positions, file: str) -> list[Problem]:
    """Step 2: every id removed or changed exists in the base; added ids are new; no kept amendment
    of the base changes a removed contract."""
    problems: list[Problem] = []
    for section in SECTIONS:
        edits: EditsIn = getattr(overlay, section)
        known = _ids(base.get(section))
        kind = section[:-1]
        for i, cid in enumerate(edits.remove):
            if cid not in known:
                problems.append(_at(pos, file, (section, "remove", i), _unknown(kind, cid, known)))
        for cid in edits.change:
            if cid not in known:
                problems.append(_at(pos, file, (section, "change", cid), _unknown(kind, cid, known)))
            elif cid in edits.remove:
                problems.append(_at(pos, file, (section, "change", cid), f"{kind} '{cid}' is also removed"))
        kept = set(known) - set(edits.remove)
        for i, item in enumerate(edits.add):
            new_id = item.get("id")
            if new_id in kept:
                msg = f"{kind} '{new_id}' is already in the base (change it, or remove it first)"
                problems.append(_at(pos, file, (section, "add", i, "id"), msg))
    problems += _dangling(base, overlay, pos, file)
    return problems


def _dangling(base: dict[str, Any], overlay: OverlayIn, pos: Positions, file: str) -> list[Problem]:
    removed = set(overlay.contracts.remove)
    out: list[Problem] = []
    amendments = base.get("amendments")
    for a in amendments if isinstance(amendments, list) else []:
        if not isinstance(a, dict) or a.get("id") in overlay.amendments.remove:
            continue
        changes = overlay.amendments.change.get(str(a.get("id")), {}).get("changes", a.get("changes"))
        for ch in changes if isinstance(changes, list) else []:
            target = ch.get("contract") if isinstance(ch, dict) else None
            if isinstance(target, str) and target in removed:
                i = overlay.contracts.remove.index(target)
                msg = (
                    f"the base's amendment '{a.get('id')}' still changes contract '{target}' "
                    "(remove or change that amendment too)"
                )
                out.append(_at(pos, file, ("contracts", "remove", i), msg))
    return out


def _unknown(kind: str, cid: str, known: list[str]) -> str:
    listed = ", ".join(known) if known else "none"
    return f"unknown {kind} '{cid}': the base has no such {kind} (it has: {listed})"


class _Merge:
    """Step 3: edits applied to the base's data, positions carried along."""

    def __init__(self, data: dict[str, Any], pos: Positions, opos: Positions, file: str) -> None:
        self.data, self.pos, self.opos, self.file = data, pos, opos, file
        self.written: list[FieldPath] = []
        self.problems: list[Problem] = []

    def edit(self, section: str, edits: EditsIn) -> None:
        items: list[Any] = list(self.data.get(section) or [])
        keep = [i for i, x in enumerate(items) if not (isinstance(x, dict) and x.get("id") in edits.remove)]
        moves: list[tuple[FieldPath, FieldPath]] = [
            ((section, old), (section, new)) for new, old in enumerate(keep)
        ]
        _reindex(self.pos, (section,), moves)
        items = [items[i] for i in keep]
        self.data[section] = items
        for cid, fields in edits.change.items():
            k = next(j for j, x in enumerate(items) if isinstance(x, dict) and x.get("id") == cid)
            for field, value in fields.items():
                items[k][field] = value
                self._graft((section, "change", cid, field), (section, k, field))
        for i, item in enumerate(edits.add):
            items.append(item)
            self._graft((section, "add", i), (section, len(items) - 1))

    def set_fields(self, fields: dict[str, Any]) -> None:
        for dotted, value in fields.items():
            try:
                path = resolve(self.data, dotted, new_leaf=True)
            except FieldPathError as exc:
                line, col = self.opos.locate_key(("set", dotted))
                self.problems.append(Problem(self.file, line, col, f"set.{dotted}", str(exc)))
                continue
            put(self.data, path, value)
            self._graft(("set", dotted), path)

    def _graft(self, src: FieldPath, dst: FieldPath) -> None:
        """Positions under `dst` now come from the overlay's `src`."""
        for marks, omarks in ((self.pos.marks, self.opos.marks), (self.pos.key_marks, self.opos.key_marks)):
            for p in [p for p in marks if p[: len(dst)] == dst]:
                del marks[p]
            for p, at in omarks.items():
                if p[: len(src)] == src:
                    marks[(*dst, *p[len(src) :])] = at
        self.written.append(dst)


def _copy(pos: Positions) -> Positions:
    return Positions(dict(pos.marks), dict(pos.key_marks))


def _reindex(pos: Positions, prefix: FieldPath, moves: list[tuple[FieldPath, FieldPath]]) -> None:
    """Renumber the list at `prefix`: marks under each old element move to its new index; marks of
    removed elements are dropped."""
    n = len(prefix)
    for marks in (pos.marks, pos.key_marks):
        inside = {p: at for p, at in marks.items() if p[:n] == prefix and len(p) > n}
        for p in inside:
            del marks[p]
        for old, new in moves:
            for p, at in inside.items():
                if p[: n + 1] == old:
                    marks[(*new, *p[n + 1 :])] = at

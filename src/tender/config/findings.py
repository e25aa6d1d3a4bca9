"""What the cross-reference checks share: the names a scenario defines and the problems found so far."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from tender.config.errors import FieldPath


@dataclass
class Findings:
    """`(path, message)` pairs; `load.py` turns them into located problems."""

    items: list[tuple[FieldPath, str]] = field(default_factory=list)

    def add(self, path: FieldPath, message: str) -> None:
        self.items.append((path, message))


@dataclass(frozen=True, eq=False)
class Names:
    """Every id a reference may name. `clause_types`: clause id -> type, written or added by an amendment."""

    gpus: frozenset[str]
    providers: frozenset[str]
    regions: frozenset[str]
    demands: frozenset[str]
    horizon: int
    provider_regions: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    clause_types: Mapping[str, str] = field(default_factory=dict)

    @property
    def commits(self) -> list[str]:
        return [cid for cid, kind in self.clause_types.items() if kind == "committed_spend"]


def one_of(kind: str, value: str, known: Iterable[str]) -> str:
    return f"unknown {kind} '{value}' (known: {', '.join(sorted(known)) or 'none'})"


def check_month(out: Findings, path: FieldPath, month: int, names: Names) -> None:
    if month > names.horizon:
        out.add(path, f"month {month} is outside the horizon (1..{names.horizon})")


def check_ref(out: Findings, path: FieldPath, kind: str, value: str | None, known: Iterable[str]) -> None:
    if value is not None and value not in known:
        out.add(path, one_of(kind, value, known))

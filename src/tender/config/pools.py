"""Pools files: one format, one loader, for `tender simulate --pools` and the runtime's `--pools`.

Flow (`load_pools_file(path)` / `load_pools_text(text, file)`):

1. `yamlpos.read_text` reads the file and `yamlpos.load_yaml` parses it (bounded, positions kept);
2. `PoolsFileIn` validates the structure (unknown keys refused; the old key names below accepted);
3. `_cross_check` checks what needs the whole file: repeated pool ids, faults naming no pool, a fault
   ending before it starts, a pool without a backend when the runtime asks for one;
4. every problem is a `Problem` (FILE:LINE:COL: field.path: message), raised together as one `InputError`.

The format (docs/simulate.md, docs/run.md):

    pools:                                # at least one
      - id: az                            # required, unique
        provider: azure                   # required
        gpu: h100                         # required
        gpus: 16                          # required; old name `count` (the simulator's)
        region: us                        # default "local"
        price_per_gpu_hour: "2.50"        # exact USD, default 0
        backend: {kind: slurm, partition: debug}   # or just the kind: `backend: slurm`;
                                          # kinds local | slurm | ray | fake; the runtime needs one
        node_size: 8                      # simulation only (default 8)
        preemptible: false                # simulation only (default false)
        speed: 1.0                        # simulation only (default 1.0)
    rules:                                # contract rules without a scenario
      exclusivity: {gpt: azure}           # old name: top-level `exclusivity:` (the runtime's)
      residency: {eu-data: [eu]}          # old name: top-level `residency:`
    faults:                               # simulation only; the runtime ignores them
      - {pool: az, start_s: 3600, end_s: 7200, kind: outage}   # or kind: spot
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from tender.config.errors import FieldPath, InputError, Problem, format_path, from_validation_error
from tender.config.yamlpos import Positions, load_yaml, read_text

_KIND = "pools file"
_EXAMPLE = "docs/run.md"


def _exact_decimal(value: object) -> object:
    """YAML `2.49` arrives as an exact Decimal; a Python float (an API body) by its shortest text."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return value
    try:
        return Decimal(repr(value) if isinstance(value, float) else str(value))
    except InvalidOperation:
        raise ValueError(f"not a number: {value!r}") from None


def _plain_float(value: object) -> object:
    """Seconds and speeds: a number (YAML reads `1.5` as an exact Decimal), never a bool."""
    return float(value) if isinstance(value, Decimal) and value.is_finite() else value


Price = Annotated[Decimal, BeforeValidator(_exact_decimal), Field(ge=0)]
Seconds = Annotated[float, BeforeValidator(_plain_float), Field(ge=0)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class BackendIn(_Strict):
    kind: Literal["local", "slurm", "ray", "fake"]
    partition: str | None = None
    address: str | None = None
    gpus: int | None = Field(default=None, gt=0)
    log_dir: str | None = None

    def options(self) -> dict[str, str]:
        """The engine's options as text (`tender.domain.provider.BackendSpec.options`)."""
        return {k: str(v) for k, v in self.model_dump(exclude={"kind"}).items() if v is not None}


def _backend_kind(value: object) -> object:
    """`backend: slurm` is short for `backend: {kind: slurm}` (the simulator's old form)."""
    return {"kind": value} if isinstance(value, str) else value


class PoolIn(_Strict):
    id: str = Field(min_length=1)
    provider: str = Field(min_length=1)
    gpu: str = Field(min_length=1)
    gpus: int | None = Field(default=None, ge=1)
    count: int | None = Field(default=None, ge=1)  # old name of `gpus`
    region: str = Field(default="local", min_length=1)
    price_per_gpu_hour: Price = Decimal(0)
    backend: Annotated[BackendIn | None, BeforeValidator(_backend_kind)] = None
    node_size: int = Field(default=8, ge=1)
    preemptible: bool = False
    speed: Annotated[float, BeforeValidator(_plain_float), Field(gt=0)] = 1.0

    @model_validator(mode="after")
    def _one_size(self) -> PoolIn:
        if self.gpus is not None and self.count is not None:
            raise ValueError("give `gpus` or its old name `count`, not both")
        if self.gpus is None and self.count is None:
            raise ValueError("required field `gpus` is missing (the pool's GPU count; old name `count`)")
        return self

    @property
    def size(self) -> int:
        """GPUs in the pool, whichever name gave them."""
        size = self.gpus if self.gpus is not None else self.count
        assert size is not None  # `_one_size` refused neither
        return size


class FaultIn(_Strict):
    pool: str
    start_s: Seconds
    end_s: Annotated[float, BeforeValidator(_plain_float), Field(gt=0)]
    kind: Literal["outage", "spot"] = "outage"


class RulesIn(_Strict):
    exclusivity: dict[str, str] = {}
    residency: dict[str, list[str]] = {}


class PoolsFileIn(_Strict):
    pools: list[PoolIn] = Field(min_length=1)
    rules: RulesIn = RulesIn()
    exclusivity: dict[str, str] | None = None  # old name of `rules.exclusivity`
    residency: dict[str, list[str]] | None = None  # old name of `rules.residency`
    faults: list[FaultIn] = []

    @model_validator(mode="after")
    def _one_place_for_rules(self) -> PoolsFileIn:
        for name in ("exclusivity", "residency"):
            if getattr(self, name) is not None and getattr(self.rules, name):
                raise ValueError(f"give `rules.{name}` or its old name `{name}`, not both")
        return self

    def contract_rules(self) -> RulesIn:
        """`rules:`, with the old top-level `exclusivity:` / `residency:` folded in."""
        return RulesIn(
            exclusivity=self.exclusivity if self.exclusivity is not None else self.rules.exclusivity,
            residency=self.residency if self.residency is not None else self.rules.residency,
        )


def load_pools_file(path: str, need_backend: bool = False) -> PoolsFileIn:
    """Read, parse and check a pools file; raises `InputError` naming file, line, column and field."""
    return load_pools_text(read_text(path, _KIND, _EXAMPLE), path, need_backend)


def load_pools_text(text: str, file: str, need_backend: bool = False) -> PoolsFileIn:
    """Steps 1-4 on text already read. `need_backend`: every pool must name an engine (the runtime)."""
    data, positions = load_yaml(text, file)
    if not isinstance(data, dict):
        line, col = positions.locate(())
        raise InputError([Problem(file, line, col, "", "a pools file is a mapping with a `pools:` list")])
    try:
        parsed = PoolsFileIn.model_validate(data)
    except ValidationError as exc:
        raise InputError(from_validation_error(exc, data, positions, file, model=PoolsFileIn)) from None
    problems = _cross_check(parsed, need_backend)
    if problems:
        raise InputError([_at(positions, file, path, message) for path, message in problems])
    return parsed


def _cross_check(parsed: PoolsFileIn, need_backend: bool) -> list[tuple[FieldPath, str]]:
    out: list[tuple[FieldPath, str]] = []
    seen: set[str] = set()
    for i, pool in enumerate(parsed.pools):
        if pool.id in seen:
            out.append((("pools", i, "id"), f"repeated id {pool.id!r} (pool ids are unique)"))
        seen.add(pool.id)
        if need_backend and pool.backend is None:
            out.append((("pools", i), "no `backend:` (the runtime needs an engine, e.g. {kind: local})"))
    for i, fault in enumerate(parsed.faults):
        if fault.pool not in seen:
            out.append(
                (("faults", i, "pool"), f"unknown pool {fault.pool!r} (pools: {', '.join(sorted(seen))})")
            )
        if fault.end_s <= fault.start_s:
            out.append((("faults", i, "end_s"), "must be after start_s"))
    return out


def _at(positions: Positions, file: str, path: FieldPath, message: str) -> Problem:
    line, col = positions.locate(path)
    return Problem(file, line, col, format_path(path), message)

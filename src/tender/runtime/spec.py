"""Job specs: Tender's own YAML, or a SkyPilot task YAML (`name`, `run`, `setup`, `envs`, `num_nodes`,
`resources`: `accelerators` incl. `any_of` / `ordered` candidates, labels `tender.workload` and
`tender.workload_class`; cloud, region, zone, infra, use_spot, cpus, memory, disk, image, ports are read
and ignored: Tender's pools decide where a job runs).

1. Parse YAML keeping positions (`tender.config.yamlpos`), so every error names file, line and field;
   an API's JSON body skips this step (`parse_job_data`: no YAML round trip, problems name the field).
2. A document with `run:` is a SkyPilot task: translate it, then validate as Tender's spec.
3. Validate strictly (unknown fields, GPUs <= 0, a command that is not a string are errors).
4. `check_against(spec, config, file, now)`: an accelerator no pool offers is an error too, and so is a
   job every pool refuses for good at `now` (type, gang, region, contracts), each pool's reason code and
   clause id named (`tender.runtime.verdicts.refusal`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from tender.config.errors import InputError, Problem, from_validation_error
from tender.config.yamlpos import Positions, load_yaml, read_text
from tender.runtime import verdicts
from tender.runtime.pools import RuntimeConfig

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,55}$")  # the job id `NAME-N` fits runtime_jobs.id (64)
_ENV_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
_COUNT = re.compile(r"^[0-9]{1,9}$")
MAX_GPUS = 65536  # per job; anything larger is a typo (and would overflow an INTEGER column)
MAX_TEXT = 100_000  # characters of a command or an environment value


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("contains a NUL character")
    return value


@dataclass(frozen=True)
class JobSpec:
    name: str
    command: str
    gpus: int
    accelerators: tuple[str, ...] = ()  # lower-case GPU type names; empty = any
    workload_class: str = "training"
    workload: str = ""
    max_retries: int = 2
    env: dict[str, str] = field(default_factory=dict)


class _JobIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    name: str = Field(min_length=1, max_length=56)
    command: str = Field(min_length=1, max_length=MAX_TEXT)
    gpus: int = Field(gt=0, le=MAX_GPUS)
    accelerators: list[str] = Field(default=[], max_length=64)
    workload_class: str = Field(default="training", min_length=1, max_length=64)
    workload: str = Field(default="", max_length=200)
    max_retries: int = Field(default=2, ge=0, le=100)
    env: dict[str, str] = Field(default={}, max_length=1000)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _NAME.match(value):
            raise ValueError(
                "use letters, digits, '.', '_' or '-' (at most 56, starting with a letter or digit)"
            )
        return value

    @field_validator("command", "workload_class", "workload")
    @classmethod
    def _text(cls, value: str) -> str:
        return _no_nul(value)

    @field_validator("accelerators")
    @classmethod
    def _types(cls, value: list[str]) -> list[str]:
        for item in value:
            if not _NAME.match(item):
                raise ValueError(f"{item[:40]!r} is not an accelerator name (e.g. H100)")
        return value

    @field_validator("env")
    @classmethod
    def _env(cls, value: dict[str, str]) -> dict[str, str]:
        for key, text in value.items():
            if not _ENV_KEY.match(key):
                raise ValueError(f"{key[:40]!r} is not an environment variable name")
            if len(text) > MAX_TEXT:
                raise ValueError(f"{key}: value longer than {MAX_TEXT} characters")
            _no_nul(text)
        return value


class _SkyCandidateIn(BaseModel):
    """One SkyPilot resources candidate. Only `accelerators` (and `labels`) reach Tender's spec: where to
    run is Tender's pools' business, so cloud/region/zone/infra/use_spot/cpus/... are read and ignored."""

    model_config = ConfigDict(extra="forbid", strict=True)
    accelerators: str | dict[str, int] | list[str] | None = None
    labels: dict[str, str] | None = None
    infra: str | None = None
    cloud: str | None = None
    region: str | None = None
    zone: str | None = None
    use_spot: bool | None = None
    cpus: str | int | None = None
    memory: str | int | None = None
    disk_size: int | None = None
    instance_type: str | None = None
    image_id: str | None = None
    ports: int | str | list[int | str] | None = None


class _SkyResourcesIn(_SkyCandidateIn):
    any_of: list[_SkyCandidateIn] | None = None
    ordered: list[_SkyCandidateIn] | None = None

    def choices(self) -> list[str | dict[str, int] | list[str] | None]:
        """Each candidate's accelerators (an entry without them inherits the top level's)."""
        entries = (self.any_of or []) + (self.ordered or [])
        if not entries:
            return [self.accelerators]
        return [e.accelerators if e.accelerators is not None else self.accelerators for e in entries]

    def label(self, key: str) -> str | None:
        labels = dict(self.labels or {})
        for entry in (self.any_of or []) + (self.ordered or []):
            labels.update(entry.labels or {})
        return labels.get(key)


class _SkyTaskIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    name: str | None = None
    run: str = Field(min_length=1)
    setup: str | None = None
    envs: dict[str, str] = {}
    workdir: str | None = None
    num_nodes: int = Field(default=1, ge=1, le=MAX_GPUS)
    resources: _SkyResourcesIn = _SkyResourcesIn()


# A SkyPilot task is validated as the Tender spec it translates to; problems name the task's own fields.
_SKY_FIELDS: dict[str | int, tuple[str | int, ...]] = {
    "command": ("run",),
    "gpus": ("resources", "accelerators"),
    "accelerators": ("resources", "accelerators"),
    "env": ("envs",),
}


def _problems(
    exc: ValidationError, data: Any, file: str, positions: Positions, model: type[BaseModel] | None, sky: bool
) -> InputError:
    """The one mapping of pydantic errors onto the input (`config.errors.from_validation_error`)."""
    rename = _sky_field if sky else _plain_field
    return InputError(from_validation_error(exc, data, positions, file, model=model, rename=rename))


def _plain_field(loc: tuple[str | int, ...]) -> tuple[str | int, ...]:
    # `resources.accelerators` as a whole, not pydantic's union member tags (`.str`, `.dict[str,int]`)
    return loc[:2] if loc[:2] == ("resources", "accelerators") else loc


def _sky_field(loc: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """A location in the translated spec -> the SkyPilot task's own field."""
    if loc and loc[0] in _SKY_FIELDS:
        loc = (*_SKY_FIELDS[loc[0]], *loc[1:])
    return _plain_field(loc)


def _accelerators(
    choices: list[str | dict[str, int] | list[str] | None],
) -> tuple[list[str], int | None]:
    """SkyPilot forms: "H100:2", {"H100": 2}, ["H100:8", "A100:8"] (any of), one per resources
    candidate (`any_of` / `ordered`) -> (types, count per node)."""
    items: list[str] = []
    for raw in choices:
        if raw is None:
            continue
        items += (
            [f"{k}:{v}" for k, v in raw.items()]
            if isinstance(raw, dict)
            else [raw]
            if isinstance(raw, str)
            else raw
        )
    if not items:
        return [], None
    types: list[str] = []
    counts: set[int] = set()
    for item in items:
        name, sep, count = item.partition(":")
        types.append(name.strip())
        counts.add(_count(count.strip()) if sep else 1)
    if len(counts) > 1:
        raise ValueError("every accelerator choice must ask for the same number of GPUs")
    return types, counts.pop() if counts else None


def _count(text: str) -> int:
    """A whole GPU count, 1..MAX_GPUS: no floats, exponents, signs, NaN or infinity."""
    if not _COUNT.match(text) or not 0 < int(text) <= MAX_GPUS:
        raise ValueError(f"GPU count {text[:40]!r} must be a whole number from 1 to {MAX_GPUS}")
    return int(text)


def parse_job_text(text: str, file: str) -> JobSpec:
    """The spec in `text`; every problem (however hostile the document) is an `InputError`."""
    try:
        return _parse(text, file)
    except RecursionError:  # nested or self-referencing (`&a [*a]`) beyond any job spec
        raise InputError([Problem(file, 1, 1, "", "document nested too deeply")]) from None


def _parse(text: str, file: str) -> JobSpec:
    data, positions = load_yaml(text, file)
    return parse_job_data(data, positions, file)


def parse_job_data(data: Any, positions: Positions, file: str) -> JobSpec:
    """The spec in already-parsed `data` (a YAML file's, or an API's JSON body with empty `positions`:
    problems then name the field path only)."""
    if not isinstance(data, dict):
        raise InputError([Problem(file, 1, 1, "", "a job spec is a mapping (name, command, gpus, ...)")])
    is_sky = "run" in data and "command" not in data
    written = data  # the document as written: problems name its fields
    if is_sky:
        try:
            sky = _SkyTaskIn.model_validate(data)
            types, count = _accelerators(sky.resources.choices())
        except ValidationError as exc:
            raise _problems(exc, data, file, positions, _SkyTaskIn, sky=False) from None
        except ValueError as exc:
            line, col = positions.locate(("resources", "accelerators"))
            raise InputError([Problem(file, line, col, "resources.accelerators", str(exc))]) from None
        command = f"{sky.setup}\n{sky.run}" if sky.setup else sky.run
        data = {
            "name": sky.name or Path(file).stem,
            "command": command,
            "gpus": (count or 0) * sky.num_nodes,  # one gang: GPUs per node x nodes
            "accelerators": types,
            "env": dict(sky.envs),
        }
        for key, field_name in (("tender.workload", "workload"), ("tender.workload_class", "workload_class")):
            value = sky.resources.label(key)
            if value is not None:
                data[field_name] = value
        if count is None:
            line, col = positions.locate(("resources",))
            raise InputError(
                [Problem(file, line, col, "resources.accelerators", "name the GPUs, e.g. H100:2")]
            )
    try:
        job = _JobIn.model_validate(data)
    except ValidationError as exc:
        raise _problems(exc, written, file, positions, None if is_sky else _JobIn, sky=is_sky) from None
    return JobSpec(
        name=job.name,
        command=job.command,
        gpus=job.gpus,
        accelerators=tuple(sorted({a.lower() for a in job.accelerators})),
        workload_class=job.workload_class,
        workload=job.workload,
        max_retries=job.max_retries,
        env=dict(job.env),
    )


def parse_job_file(path: str) -> JobSpec:
    """Read (`config.yamlpos.read_text`: missing, binary, non-UTF-8, empty and oversized files are
    problems) and parse a job spec file."""
    return parse_job_text(read_text(path, "job spec", "examples/jobs/hello.yaml"), path)


# The job spec field a static "no" is about (contract reasons: the workload, else its class).
_FIELD_OF = {"gpu_type": "accelerators", "gang": "gpus"}


def check_against(spec: JobSpec, config: RuntimeConfig, file: str, now: float | None = None) -> None:
    """Refuse what no pool could ever run: an unknown accelerator, more GPUs than any pool holds, and (given
    `now`) what every pool refuses for good, contracts included (`verdicts.refusal`): one problem per pool
    with its reason code and clause id."""
    offered = {p.gpu.lower() for p in config.pools}
    unknown = [a for a in spec.accelerators if a not in offered]
    if unknown:
        raise InputError(
            [
                Problem(
                    file,
                    1,
                    1,
                    "accelerators",
                    f"no pool offers {', '.join(unknown)} (pools offer {', '.join(sorted(offered)) or 'nothing'})",
                )
            ]
        )
    fitting = [p for p in config.pools if not spec.accelerators or p.gpu.lower() in spec.accelerators]
    if fitting and spec.gpus > max(p.gpus for p in fitting):
        raise InputError(
            [
                Problem(
                    file,
                    1,
                    1,
                    "gpus",
                    f"{spec.gpus} GPUs; the largest pool holds {max(p.gpus for p in fitting)}",
                )
            ]
        )
    if now is None:
        return
    request = verdicts.job_request(
        "submitted", spec.gpus, spec.accelerators, spec.workload_class, spec.workload, now
    )
    refusals = verdicts.refusal(request, config, now)
    if refusals:
        contract_field = "workload" if spec.workload else "workload_class"
        raise InputError(
            [
                Problem(
                    file,
                    1,
                    1,
                    _FIELD_OF.get(why.code, contract_field),
                    f"no pool may take this job: {why.text()}",
                )
                for why in refusals
            ]
        )

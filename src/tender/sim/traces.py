"""Trace loaders: the packaged Philly trace (or any CSV in its schema) -> `JobRequest`s.

Schema: `job_id,submit_time_s,duration_s,num_gpus,gpu_type,user_or_vc,status`, plus optional
`workload` and `workload_class` columns (a scenario's workload id and class, checked by the
contract engine when pools come from a scenario). Work is the duration in seconds on the
reference accelerator (speed 1.0); the workload is the `workload` column, else the VC.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from tender.placement import JobRequest

REQUIRED = ("job_id", "submit_time_s", "duration_s", "num_gpus")
PHILLY = "philly_pollux.csv"
PHILLY_VCS = "philly_vc_nodes.csv"


class TraceError(ValueError):
    """Bad trace input; the message names the file, the row and the column."""


@dataclass(frozen=True)
class Trace:
    name: str
    jobs: tuple[JobRequest, ...]


def packaged_text(name: str) -> str:
    return resources.files("tender.sim").joinpath("data", name).read_text(encoding="utf-8")


def load_trace(path: Path | None = None, *, per_vc: bool = False) -> Trace:
    """Read a trace CSV (the packaged Philly trace when `path` is None), sorted by (arrival, id).

    `per_vc`: every job may only run in a pool whose region is its VC (`philly_pools(per_vc=True)`
    names each VC's pool region after the VC); a job whose VC has no pool is rejected at arrival.
    """
    name = str(path) if path is not None else f"tender/sim/data/{PHILLY}"
    try:
        text = path.read_text(encoding="utf-8") if path is not None else packaged_text(PHILLY)
    except OSError as exc:
        raise TraceError(f"{name}: cannot read trace: {exc.strerror}") from None
    return Trace(name, parse_trace(text, name, per_vc=per_vc))


def parse_trace(text: str, name: str, *, per_vc: bool = False) -> tuple[JobRequest, ...]:
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        raise TraceError(f"{name}: empty trace (expected a header with {', '.join(REQUIRED)})")
    columns = {col.strip(): i for i, col in enumerate(header)}
    missing = [col for col in REQUIRED if col not in columns]
    if missing:
        raise TraceError(f"{name}:1: missing column(s) {', '.join(missing)}")
    i_id, i_sub, i_dur, i_gpu = (columns[c] for c in REQUIRED)
    i_vc = columns.get("user_or_vc")
    i_workload = columns.get("workload")
    i_class = columns.get("workload_class")
    jobs: list[JobRequest] = []
    seen: set[str] = set()
    # One region set per VC, shared by its jobs (and one empty set): a frozenset per job would be
    # 82,247 more objects for every full garbage collection of a replay to walk.
    regions: dict[str, frozenset[str]] = {}
    anywhere: frozenset[str] = frozenset()
    for line, row in enumerate(reader, start=2):
        if not row:
            continue
        if len(row) < len(header):
            raise TraceError(f"{name}:{line}: expected {len(header)} columns, got {len(row)}")
        job_id = row[i_id].strip()
        if not job_id or job_id in seen:
            raise TraceError(f"{name}:{line}: job_id {job_id!r} is empty or repeated")
        seen.add(job_id)
        submit = _number(row[i_sub], name, line, "submit_time_s")
        duration = _number(row[i_dur], name, line, "duration_s")
        gpus = _number(row[i_gpu], name, line, "num_gpus")
        if gpus != int(gpus) or gpus < 1:
            raise TraceError(f"{name}:{line}: num_gpus must be a whole number >= 1, got {row[i_gpu]!r}")
        vc = row[i_vc].strip() if i_vc is not None else ""
        workload = row[i_workload].strip() if i_workload is not None else ""
        workload_class = row[i_class].strip() if i_class is not None else ""
        region = anywhere
        if per_vc:
            region = regions.get(vc) or regions.setdefault(vc, frozenset({vc}))
        jobs.append(
            JobRequest(
                id=job_id,
                gpus=int(gpus),
                arrival=submit,
                work=duration,
                workload=workload or vc,
                workload_class=workload_class or "training",
                regions=region,
            )
        )
    jobs.sort(key=lambda j: (j.arrival, j.id))
    return tuple(jobs)


def _number(text: str, name: str, line: int, column: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise TraceError(f"{name}:{line}: {column} must be a number, got {text!r}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise TraceError(f"{name}:{line}: {column} must be finite, got {text!r}")
    if value < 0:
        raise TraceError(f"{name}:{line}: {column} must not be negative, got {text!r}")
    return value


def philly_vcs() -> Sequence[tuple[str, int]]:
    """(VC, 8-GPU nodes) for the 11 Philly VCs the Helios artifact sizes (352 nodes, 2,816 GPUs)."""
    rows = list(csv.reader(io.StringIO(packaged_text(PHILLY_VCS))))
    return tuple((vc.strip(), int(nodes)) for vc, nodes in rows[1:] if vc.strip())

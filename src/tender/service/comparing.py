"""Comparisons as background jobs (`POST /api/v1/comparisons`): `tender compare` on an uploaded scenario.

1. `prepare(text, name, overlays)`: the stored scenario as the base and each overlay text merged onto
   it (`config.overlay`), validated before anything is queued — a bad overlay is an `InputError`
   naming `variants[i].overlay` FILE:LINE:COL;
2. `Registry.submit(ctx, ...)`: the job gets an id, runs in the app's plan pool (one solve per core):
   every variant planned with the seed (`sourcing.plan`), accounted per party
   (`sourcing.compare`), rendered with the CLI's functions — the same bytes as `tender compare --json`
   and `--report` for the same files and seed;
3. `Registry.get(id)`: its state (`queued`, `running`, `done`, `failed`) and outputs.
The registry lives in the app's memory: a restart forgets the comparisons (they are re-run on demand).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from tender.config.errors import InputError
from tender.config.overlay import Variant, build, load_base_text, load_variant_text
from tender.domain import Scenario
from tender.plan_output.compare_json import compare_to_json
from tender.plan_output.compare_report import compare_report_html
from tender.service.context import Context
from tender.sourcing import PlanOptions, plan
from tender.sourcing.compare.deltas import compare_one, primary_of


@dataclass(frozen=True)
class Job:
    id: int
    scenario: int
    seed: int
    variants: tuple[str, ...]  # names, the base first
    status: str
    created_at: datetime
    created_by: str
    error: str | None = None
    json_text: str | None = None
    report_html: str | None = None


def prepare(text: str, name: str, overlays: list[tuple[str | None, str]]) -> list[tuple[Variant, Scenario]]:
    """Step 1. `overlays` are (name or None, YAML text); a name given replaces the overlay's own."""
    base = load_base_text(text, name)
    out = [(base, build(base))]
    for i, (given, overlay) in enumerate(overlays):
        v = load_variant_text(base, overlay, f"variants[{i}].overlay")
        if given:
            v = replace(v, name=given)
        if any(v.name == w.name for w, _ in out):
            raise ValueError(f"variants[{i}].name: '{v.name}' is already used (names must be unique)")
        out.append((v, build(v)))
    return out


def run(variants: list[tuple[Variant, Scenario]], seed: int) -> tuple[str, str]:
    """Step 2's work: (the compare JSON, the HTML report)."""
    primary = primary_of(variants[0][1])
    options = PlanOptions(seed=seed)
    results = [compare_one(v.name, v.file, sc, plan(sc, options), primary) for v, sc in variants]
    return compare_to_json(results, seed), compare_report_html(results)


@dataclass
class Registry:
    jobs: dict[int, Job] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def submit(
        self, ctx: Context, scenario: int, seed: int, variants: list[tuple[Variant, Scenario]], actor: str
    ) -> Job:
        with self.lock:
            job = Job(
                len(self.jobs) + 1,
                scenario,
                seed,
                tuple(v.name for v, _ in variants),
                "queued",
                ctx.now(),
                actor,
            )
            self.jobs[job.id] = job
        ctx.plans.submit(self._run, job.id, variants, seed)
        return job

    def get(self, job_id: int) -> Job | None:
        with self.lock:
            return self.jobs.get(job_id)

    def _set(self, job_id: int, **changes: object) -> None:
        with self.lock:
            self.jobs[job_id] = replace(self.jobs[job_id], **changes)  # type: ignore[arg-type]

    def _run(self, job_id: int, variants: list[tuple[Variant, Scenario]], seed: int) -> None:
        self._set(job_id, status="running")
        try:
            json_text, html = run(variants, seed)
        except Exception as exc:  # a failed solve is the job's state, never the server's
            self._set(job_id, status="failed", error=f"{type(exc).__name__}: {exc}")
            return
        self._set(job_id, status="done", json_text=json_text, report_html=html)


_REG_LOCK = threading.Lock()


def registry_of(state: Any) -> Registry:
    """The app's registry, kept on its `app.state` (one per app)."""
    with _REG_LOCK:
        found = getattr(state, "comparisons", None)
        if not isinstance(found, Registry):
            found = Registry()
            state.comparisons = found
        return found


__all__ = ["InputError", "Job", "Registry", "prepare", "registry_of", "run"]

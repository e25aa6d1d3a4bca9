"""Comparisons as background jobs (`POST /api/v1/comparisons`): `tender compare` on an uploaded scenario.

1. `prepare(text, name, overlays)`: the stored scenario as the base and each overlay text merged onto
   it (`config.overlay`), validated before anything is queued — a bad overlay is an `InputError`
   naming `variants[i].overlay` FILE:LINE:COL;
2. `submit(ctx, ...)`: the comparison is stored `queued` in the database (`ledger.sql.comparison_store`,
   with the variants as submitted, who asked, audited `comparison.queued`) and handed to the app's plan
   pool (one solve per core);
3. `_run` marks it `running`, plans every variant with the seed (`sourcing.plan`), accounts it per party
   (`sourcing.compare`) and renders it with the CLI's functions — the same bytes as `tender compare
   --json` and `--report` for the same files and seed — then stores them (`done`) or the error (`failed`).
Every server process on the database reads the same comparisons, and a restart keeps them.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from tender.config.errors import InputError
from tender.config.overlay import Variant, build, load_base_text, load_variant_text
from tender.domain import Scenario
from tender.ledger.sql import comparison_store
from tender.ledger.sql.models import ComparisonRow
from tender.plan_output.compare_json import compare_to_json
from tender.plan_output.compare_report import compare_report_html
from tender.service.context import Context
from tender.sourcing import PlanOptions, plan
from tender.sourcing.compare.deltas import compare_one, primary_of

log = logging.getLogger("tender.service.comparisons")


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


def submit(
    ctx: Context,
    scenario: int,
    seed: int,
    variants: list[tuple[Variant, Scenario]],
    overlays: list[str | None],
    actor: str,
) -> ComparisonRow:
    """Step 2. `overlays`: each variant's overlay text as submitted, the base's None."""
    named = [(v.name, overlay) for (v, _), overlay in zip(variants, overlays, strict=True)]
    with ctx.db.write() as session:
        row = comparison_store.add_comparison(
            session, scenario_pk=scenario, seed=seed, variants=named, actor=actor, now=ctx.now()
        )
    ctx.plans.submit(_run, ctx, row.id, variants, seed)
    return row


def _run(ctx: Context, comparison_id: int, variants: list[tuple[Variant, Scenario]], seed: int) -> None:
    """Step 3."""
    with ctx.db.write() as session:
        comparison_store.mark_running(session, comparison_id)
    try:
        json_text, html = run(variants, seed)
    except Exception as exc:  # a failed solve is the job's state, never the server's
        log.warning("comparison failed", extra={"comparison": comparison_id, "error": str(exc)})
        with ctx.db.write() as session:
            comparison_store.fail_comparison(
                session, comparison_id, error=f"{type(exc).__name__}: {exc}", now=ctx.now()
            )
        return
    with ctx.db.write() as session:
        comparison_store.finish_comparison(
            session, comparison_id, result_json=json_text, report_html=html, now=ctx.now()
        )


__all__ = ["InputError", "prepare", "run", "submit"]

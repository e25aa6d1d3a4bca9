"""`tender compare --json`: the comparison as a stable document (schema: docs/compare-json.md).

Money is a string with an exact decimal rounded half-even to cents, h100_eq amounts decimal strings
with 6 places, keys sorted, lists in a fixed order (variants as given, the base first; parties in the
scenario's provider order): the same inputs and seed give the same bytes. No timing fields.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tender.domain.money import cents
from tender.sourcing.compare.accounts import Accounts
from tender.sourcing.compare.breakeven import BreakEven
from tender.sourcing.compare.capex import USD_PER_GPU, ProviderBuild
from tender.sourcing.compare.deltas import Delta, VariantResult, delta
from tender.sourcing.compare.sampled import Errors

SCHEMA = "tender.compare/1"
EQ = Decimal("0.000001")


@dataclass(frozen=True)
class BreakEvenDoc:
    field: str
    between: tuple[str, str]
    searched: tuple[Decimal, Decimal]
    asked_tolerance_usd: Decimal
    result: BreakEven


def usd(v: Decimal) -> str:
    return format(cents(v), "f")


def _eq(v: Decimal) -> str:
    return format(v.quantize(EQ), "f")


def _build(b: ProviderBuild) -> dict[str, Any]:
    return {"gpu_months": b.gpu_months, "peak_gpus": b.peak_gpus, "capex_proxy_usd": usd(b.capex_proxy_usd)}


def _parties(a: Accounts) -> list[dict[str, Any]]:
    return [
        {
            "party": r.party,
            "revenue_usd": usd(r.revenue_usd),
            "billed_compute_usd": usd(r.billed_compute_usd),
            "take_or_pay_usd": usd(r.take_or_pay_usd),
            "shortfall_penalties_usd": usd(r.shortfall_penalties_usd),
            "revenue_share_usd": usd(r.revenue_share_usd),
            "new_build": _build(a.build.of(r.party)),
        }
        for r in a.providers
    ]


def _delta(d: Delta) -> dict[str, Any]:
    return {
        "lab_cost_usd": usd(d.lab_cost_usd),
        "lab_cost_lines_usd": [{"line": n, "usd": usd(v)} for n, v in d.lab_lines_usd],
        "parties": [{"party": p, "revenue_usd": usd(v)} for p, v in d.parties],
    }


def variant_doc(v: VariantResult, base: Accounts) -> dict[str, Any]:
    a = v.accounts
    lab = a.lab
    primary = a.build.primary
    return {
        "name": v.name,
        "file": v.file,
        "plan_status": v.plan_status,
        "lab_cost_usd": usd(lab.total_usd),
        "lab_cost_breakdown_usd": {
            "compute": usd(lab.compute_usd),
            "compute_by_provider": {p: usd(x) for p, x in lab.compute_by_provider_usd},
            "shortfall_penalty": usd(lab.shortfall_usd),
            "revenue_share": usd(lab.revenue_share_usd),
            "unmet_penalty": usd(lab.unmet_penalty_usd),
        },
        "parties": _parties(a),
        "capex": {
            "primary": primary,
            "primary_build": _build(a.build.of(primary)) if primary else None,
            "rivals_build": _build(a.build.rivals()),
        },
        "unmet_h100_eq_months": _eq(a.unmet_h100_eq_months),
        "runs_made": list(a.runs_made),
        "runs_missed": list(a.runs_missed),
        "delta_vs_base": _delta(delta(base, a)),
    }


def _break_even(b: BreakEvenDoc) -> dict[str, Any]:
    r = b.result
    return {
        "field": b.field,
        "between": list(b.between),
        "searched": [format(b.searched[0], "f"), format(b.searched[1], "f")],
        "value": format(r.value, "f"),
        "bracket": [format(r.bracket[0], "f"), format(r.bracket[1], "f")],
        "tolerance": usd(r.tolerance_usd),
        "asked_tolerance": usd(b.asked_tolerance_usd),
        "converged": r.converged,
        "lab_cost_usd": [usd(r.cost_a_usd), usd(r.cost_b_usd)],
        "plans_evaluated": r.plans_evaluated,
    }


def _errors(e: Errors) -> dict[str, Any]:
    return {
        "lab_cost_usd": usd(e.lab_cost_usd),
        "parties": [{"party": p, "revenue_usd": usd(v)} for p, v in e.parties],
        "delta_vs_base": {
            "lab_cost_usd": usd(e.delta_lab_cost_usd),
            "parties": [{"party": p, "revenue_usd": usd(v)} for p, v in e.delta_parties],
        },
        "run_miss_probability": [
            {"run": r, "probability": format(p.quantize(EQ), "f")} for r, p in e.run_miss_probability
        ],
    }


def compare_to_json(
    results: list[VariantResult],
    seed: int,
    break_even: BreakEvenDoc | None = None,
    samples: int = 0,
    errors: list[Errors] | None = None,
) -> str:
    """With `samples` (and one `Errors` per variant) the figures are sample means (docs/compare-json.md)."""
    base = results[0]
    variants = [variant_doc(v, base.accounts) for v in results]
    for doc_v, e in zip(variants, errors or [], strict=False):
        doc_v["standard_errors"] = _errors(e)
    doc: dict[str, Any] = {
        "schema": SCHEMA,
        "seed": seed,
        "samples": samples,
        "base": {"name": base.name, "file": base.file},
        "capex_usd_per_gpu": {g: usd(v) for g, v in USD_PER_GPU.items()},
        "variants": variants,
    }
    if break_even is not None:
        doc["break_even"] = _break_even(break_even)
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"

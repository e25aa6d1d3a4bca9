"""`tender risk --json`: the study as a stable document (docs/risk-json.md).

Money is a string with an exact decimal rounded half-even to cents, probabilities and h100_eq amounts
decimal strings (6 places for probabilities), keys sorted, lists in a fixed order: the same scenario,
plan, samples and seed give the same bytes on any number of workers (no timing fields are written).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from tender.domain import Scenario
from tender.domain.money import cents
from tender.sourcing.risk.evaluate import Outcome
from tender.sourcing.risk.extensive import Robust
from tender.sourcing.risk.stats import Summary
from tender.sourcing.risk.study import Measures
from tender.sourcing.risk.tables import distributions
from tender.sourcing.risk.tornado import Bar

SCHEMA = "tender.risk/1"
EQ = Decimal("0.000001")


def _usd(v: Decimal) -> str:
    return format(cents(v), "f")


def _eq(v: Decimal) -> str:
    return format(v.quantize(EQ), "f")


def _plan(s: Summary) -> dict[str, Any]:
    return {
        "name": s.name,
        "expected_cost_usd": _usd(s.expected_cost_usd),
        "cost_p50_usd": _usd(s.cost_p50_usd),
        "cost_p90_usd": _usd(s.cost_p90_usd),
        "cost_p99_usd": _usd(s.cost_p99_usd),
        "cvar95_usd": _usd(s.cvar95_usd),
        "unmet": [
            {"demand": d, "probability": format(p, "f"), "expected_h100_eq_months": _eq(e)}
            for d, p, e in s.unmet
        ],
        "training_runs": [{"run": r, "miss_probability": format(p, "f")} for r, p in s.runs],
        "commitments": [
            {"contract": c, "shortfall_probability": format(p, "f"), "expected_shortfall_usd": _usd(e)}
            for c, p, e in s.commitments
        ],
        "capacity_at_risk": [
            {"month": m, "p10": _eq(a), "p50": _eq(b), "p90": _eq(c)} for m, a, b, c in s.capacity_at_risk
        ],
    }


def _bar(b: Bar) -> dict[str, Any]:
    return {
        "input": b.input,
        "key": b.key,
        "p10": format(b.low, "f"),
        "p90": format(b.high, "f"),
        "cost_at_p10_usd": _usd(b.cost_low_usd),
        "cost_at_p90_usd": _usd(b.cost_high_usd),
        "swing_usd": _usd(b.swing_usd),
    }


def _sample(o: Outcome) -> dict[str, Any]:
    return {
        "sample": o.sample,
        "cost_usd": _usd(o.cost_usd),
        "unmet_h100_eq_months": _eq(o.unmet_total),
        "runs_missed": list(o.runs_missed),
    }


def risk_to_json(
    sc: Scenario,
    seed: int,
    summaries: list[Summary],
    outcomes: list[Outcome] | None,
    tornadoes: dict[str, tuple[Bar, ...]],
) -> str:
    doc: dict[str, Any] = {
        "schema": SCHEMA,
        "scenario": sc.id,
        "samples": summaries[0].samples,
        "seed": seed,
        "distributions": distributions(sc),
        "plans": [{**_plan(s), "tornado": [_bar(b) for b in tornadoes[s.name]]} for s in summaries],
        "standard_errors": {s.name: {"expected_cost_usd": _usd(s.expected_cost_se_usd)} for s in summaries},
        "vss_usd": None,
        "evpi_usd": None,
    }
    if outcomes is not None:
        doc["per_sample"] = [_sample(o) for o in outcomes]  # of the (one) plan evaluated
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def _first_stage(r: Robust) -> dict[str, Any]:
    return {
        "runs": [
            {"run": run, "provider": s.provider, "gpu": s.gpu, "region": s.region, "start_month": s.start}
            for run, s in sorted(r.first.runs.items())
            if s is not None
        ],
        "bookings": [
            {"provider": p, "gpu": g, "region": reg, "month": m, "gpus": n}
            for (p, g, reg, m), n in sorted((r.first.booked or {}).items())
        ],
    }


def study_to_json(
    sc: Scenario,
    seed: int,
    summaries: tuple[Summary, Summary],
    m: Measures,
    robust: Robust,
    hedge: tuple[Decimal, Decimal],
    bars: tuple[Bar, ...] = (),
) -> str:
    """`tender plan --robust --json`: the deterministic and the robust plan side by side, evaluated
    on the same fresh samples, with VSS, EVPI and the wait-and-see cost, and the robust plan's
    tornado (`bars`; the deterministic plan's is `tender risk`'s) (docs/risk-json.md)."""
    tornadoes = {summaries[0].name: (), summaries[1].name: bars}
    doc = json.loads(risk_to_json(sc, seed, list(summaries), None, tornadoes))
    doc["standard_errors"].update(
        vss_usd=_usd(m.vss_se_usd), evpi_usd=_usd(m.evpi_se_usd), wait_and_see_usd=_usd(m.wait_and_see_se_usd)
    )
    doc.update(
        vss_usd=_usd(m.vss_usd),
        evpi_usd=_usd(m.evpi_usd),
        wait_and_see_usd=_usd(m.wait_and_see_usd),
        robust={
            "saa_samples": robust.samples,
            "objective_usd": _usd(robust.objective_usd),
            "columns": robust.columns,
            "rows": robust.rows,
            "status": robust.status,
            "gap": format(Decimal(repr(round(robust.gap, 6))), "f"),
            "method": robust.method,
            "iterations": robust.iterations,
            "lower_bound_usd": None if robust.lower_bound_usd is None else _usd(robust.lower_bound_usd),
            "first_stage": _first_stage(robust),
        },
        hedge={
            "deterministic_cost_usd": _usd(hedge[0]),
            "robust_cost_usd": _usd(hedge[1]),
            "cost_usd": _usd(hedge[1] - hedge[0]),
        },
    )
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"

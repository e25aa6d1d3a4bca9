"""The `distributions` of a risk report: every uncertain input with its exact probability table."""

from __future__ import annotations

from tender.domain import Scenario
from tender.sourcing.risk.distributions import range_json, table_json
from tender.sourcing.risk.sampler import inputs


def distributions(sc: Scenario) -> list[dict[str, object]]:
    """One entry per input, in the sampler's draw order (`sampler.inputs`)."""
    inp = inputs(sc)
    out: list[dict[str, object]] = []
    for c in inp.campuses:
        phases = [ph.phase for ph in sc.providers[c.provider].campus_phases]
        out.append(
            {
                "input": "campus_delay_months",
                "key": c.provider,
                "phases": phases,
                "correlation": str(c.rho),
                "table": table_json(c.table),
            }
        )
    for name, rows in (
        ("delivery_slip_months", inp.slips),
        ("demand_multiplier", inp.bands),
        ("run_start_slip_months", inp.run_slips),
    ):
        out.extend({"input": name, "key": k, "table": table_json(t)} for k, t in rows)
    for k, h in inp.holders:
        if h.accept_probability is not None:
            out.append(
                {"input": "rofr_accept_probability", "key": k, "table": range_json(h.accept_probability)}
            )
        if h.max_share_of_request is not None:
            out.append(
                {"input": "rofr_max_share_of_request", "key": k, "table": range_json(h.max_share_of_request)}
            )
    for name, t in (("on_demand_multiplier", inp.on_demand), ("spot_multiplier", inp.spot)):
        if t is not None:
            out.append({"input": name, "key": None, "table": table_json(t)})
    return out

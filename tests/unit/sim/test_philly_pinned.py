"""Tender's own (non-compat) policies keep their results on a Philly replay subset.

The pinned values were computed with the code as it was before the Gavel-compat work (commit 5914f48),
on the first 1,500 Philly jobs (400 for las_het, whose rounds are slower) on three pools of different
speed and price, so fifo, fifo_het, cost_het and las_het all make different choices. Any change to
the placement core that moves one of Tender's own policies fails here: the compat mode must only act
through its own configuration.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

import pytest

from tender.placement import Policy, PolicyName, Pool
from tender.sim.experiments import run_trace
from tender.sim.traces import load_trace

POOLS = (
    Pool("fast", "pa", "r1", "fast", 48, Decimal("3.00"), speed=1.5),
    Pool("mid", "pb", "r1", "mid", 64, Decimal("2.00"), speed=1.0),
    Pool("slow", "pc", "r2", "slow", 96, Decimal("0.80"), speed=0.5),
)

# policy -> (jobs replayed, sha256 of the summary JSON without wall_seconds, readable values)
PINNED: dict[PolicyName, tuple[int, str, dict[str, object]]] = {
    PolicyName.FIFO: (
        1500,
        "b823a4aa2e7c721d3ec0fbb5077c74a9e976c71393788789ba631f903fa62eac",
        {
            "avg_jct_hours": 35.920055,
            "makespan_hours": 2109.985278,
            "cost_usd": "227300.72",
            "decisions": 2915,
        },
    ),
    PolicyName.FIFO_HET: (
        1500,
        "d0aa63d8c1bf0abf9a55f20c9017a73aaa9763daeff8efe10a26302008737428",
        {
            "avg_jct_hours": 88.366944,
            "makespan_hours": 1651.260556,
            "cost_usd": "230974.25",
            "decisions": 2943,
        },
    ),
    PolicyName.COST_HET: (
        1500,
        "fa4ffa75b11e8d3d978b5264719741f440e1166694707bf5a174b4a1a038b901",
        {
            "avg_jct_hours": 209.603493,
            "makespan_hours": 2936.878889,
            "cost_usd": "219623.51",
            "decisions": 2946,
        },
    ),
    PolicyName.LAS_HET: (
        400,
        "b8c1943d18572c62b34cf572cdddf896ea2d5822e4aa229040ffa5fb70429949",
        {
            "avg_jct_hours": 93.101156,
            "makespan_hours": 1519.223333,
            "cost_usd": "218292.72",
            "preemptions": 51875,
        },
    ),
}


@pytest.mark.parametrize("name", list(PINNED), ids=str)
def test_own_policies_keep_their_philly_results(name: PolicyName) -> None:
    count, digest, values = PINNED[name]
    jobs = load_trace().jobs[:count]
    summary = run_trace(jobs, POOLS, Policy(name, restore_seconds=30.0, seed=0)).summary
    summary.pop("wall_seconds", None)
    assert {key: summary[key] for key in values} == values
    assert summary["jobs_completed"] == count
    doc = json.dumps(summary, sort_keys=True)
    assert hashlib.sha256(doc.encode()).hexdigest() == digest

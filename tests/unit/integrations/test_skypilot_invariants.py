"""Hypothesis: whatever a task asks for, no allowed candidate breaks a clause of the example scenario.

The checker below reads the scenario's clauses itself (not the contract engine): residency regions,
workload exclusivity, the ROFR window (months 1..16) with its carve-outs (the holder itself, the lab's
own cluster, reserved capacity, training at the campus), the SkyPilot mapping, capacity >= the gang,
and Tender's order (tier, then price).
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from skypilot_cases import example

from tender.domain import DataResidency, ReservedCapacity, WorkloadExclusivity
from tender.integrations.skypilot.decide import TIERS, Ask, Request, decide

SCENARIO = example()
GPUS = sorted(SCENARIO.accelerators)
WORKLOADS = sorted({d.id for d in SCENARIO.demands} | {d.workload_class for d in SCENARIO.demands})
CLOUDS = sorted({p.skypilot.cloud for p in SCENARIO.providers.values() if p.skypilot} | {"Lambda"})
ROFR_HOLDER, ROFR_LAST = "primary-cloud", 16
CLASS_OF = {d.id: d.workload_class for d in SCENARIO.demands}


def _checks(request: Request) -> None:
    d = decide(SCENARIO, request)
    workload = request.workload if request.workload in CLASS_OF else ""
    cls = CLASS_OF.get(request.workload, request.workload)
    for c in d.allowed:
        p = SCENARIO.providers[c.provider]
        assert p.skypilot is not None and c.sky_region in p.skypilot.regions[c.region]
        for clause in SCENARIO.contracts:
            if isinstance(clause, DataResidency) and workload in clause.workloads:
                assert c.region in clause.allowed_regions
            if isinstance(clause, WorkloadExclusivity) and workload in clause.workloads:
                assert c.provider == clause.provider
        if request.month <= ROFR_LAST and c.provider != ROFR_HOLDER:
            reserved = any(
                isinstance(k, ReservedCapacity) and k.provider == c.provider and k.gpu == c.gpu
                for k in SCENARIO.contracts
            )
            own_training = cls == "training" and c.provider in ("jv-datacenter", "on-prem")
            assert reserved or own_training or p.kind.value == "owned", c
        have = p.existing_gpus(c.gpu, c.region, request.month) + p.offerable_gpus(
            c.gpu, c.region, request.month
        )
        assert have >= c.count * request.num_nodes
        ask = request.asks[c.ask]
        assert ask.cloud is None or ask.cloud.lower() == p.skypilot.cloud.lower()
        assert ask.region is None or ask.region == c.sky_region
    keys = [(TIERS.index(c.tier), c.price) for c in d.allowed]
    assert keys == sorted(keys)
    assert d.rejected == (not d.allowed and not d.passthrough)


asks = st.builds(
    Ask,
    accelerators=st.lists(
        st.tuples(st.sampled_from(GPUS), st.sampled_from([1, 8, 72])), min_size=1, max_size=2
    ).map(tuple),
    cloud=st.none() | st.sampled_from(CLOUDS),
    use_spot=st.booleans(),
)


@settings(max_examples=150, deadline=None)
@given(
    workload=st.sampled_from(WORKLOADS),
    month=st.integers(1, SCENARIO.horizon),
    nodes=st.sampled_from([1, 2, 100, 2000]),
    chosen=st.lists(asks, min_size=1, max_size=3),
)
def test_no_allowed_candidate_breaks_a_clause(
    workload: str, month: int, nodes: int, chosen: list[Ask]
) -> None:
    indexed = tuple(Ask(a.accelerators, a.cloud, a.region, a.use_spot, i) for i, a in enumerate(chosen))
    _checks(Request("t", workload, indexed, nodes, month))

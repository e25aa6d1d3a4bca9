"""The SkyPilot policy's decision on the example scenario, against its clauses read by hand.

Expected values come from examples/frontier-lab.yaml itself: which providers hold H100 / GB200 where,
c-primary-api-exclusivity (api-serving -> primary-cloud), c-eu-residency (eu-west, eu-north),
c-primary-rofr (new capacity, months 1..16; carve-outs: reserved capacity, training at jv/on-prem),
the reservations (neocloud-a GB200, neocloud-b H200) and the rates.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from skypilot_cases import example, with_first_ship

from tender.integrations.skypilot.decide import Ask, Request, decide


def _req(workload: str, *asks: Ask, month: int = 3, nodes: int = 1, name: str | None = None) -> Request:
    return Request(name or workload, workload, asks, nodes, month)


def _by_provider(decision) -> dict[str, set[str]]:  # type: ignore[no-untyped-def]
    out: dict[str, set[str]] = {}
    for r in decision.refused:
        out.setdefault(r.provider, set()).add(f"{r.code}:{r.clause}")
    return out


def test_api_serving_h100_anywhere_is_steered_to_the_primary_cloud() -> None:
    d = decide(example(), _req("api-serving", Ask((("H100", 8),))))
    assert not d.rejected
    assert [(c.cloud, c.sky_region) for c in d.allowed] == [("Azure", "centralus"), ("Azure", "westeurope")]
    # centralus first: api-serving prefers us-central/us-east; both at the contract rate drawing c-primary-commit
    assert {(c.tier, c.price, c.clause) for c in d.allowed} == {
        ("contract", Decimal("3.00"), "c-primary-commit")
    }
    refused = _by_provider(d)
    # every other provider with H100 capacity, each refused by the exclusivity clause
    assert set(refused) == {"rival-cloud-a", "neocloud-a", "neocloud-b", "spot-market", "on-prem"}
    assert all(v == {"exclusive_to_other:c-primary-api-exclusivity"} for v in refused.values())


def test_api_serving_asking_for_a_rival_cloud_is_rejected_with_the_exclusivity_clause() -> None:
    d = decide(example(), _req("api-serving", Ask((("H100", 8),), cloud="aws")))
    assert d.rejected
    assert "exclusive_to_other [c-primary-api-exclusivity]" in d.message()


def test_eu_task_stays_in_eu_regions_and_waits_for_the_rofr_holder_at_nebius() -> None:
    d = decide(example(), _req("eu-enterprise-inference", Ask((("H100", 8),))))
    assert [(c.cloud, c.sky_region) for c in d.allowed] == [("Azure", "westeurope")]
    refused = _by_provider(d)
    assert refused["neocloud-b"] == {"rofr_pending:c-primary-rofr"}  # H100 there is new capacity
    assert refused["primary-cloud"] == {"residency:c-eu-residency"}  # its us-central H100
    for pid in ("rival-cloud-a", "neocloud-a", "spot-market", "on-prem"):
        assert refused[pid] == {"residency:c-eu-residency"}


def test_after_the_rofr_ends_the_eu_task_may_use_nebius_after_the_commitment() -> None:
    d = decide(example(), _req("eu-enterprise-inference", Ask((("H100", 8),)), month=18))
    # tier before price: the primary's contract rate (3.00, draws c-primary-commit) before Nebius' list 2.95
    assert [(c.provider, c.tier, c.price) for c in d.allowed] == [
        ("primary-cloud", "contract", Decimal("3.00")),
        ("neocloud-b", "list", Decimal("2.95")),
    ]


def test_training_gb200_at_a_rival_in_month_3_is_rofr_pending() -> None:
    d = decide(example(), _req("pretrain-v6", Ask((("GB200", 72),), cloud="AWS")))
    assert d.rejected
    assert [(r.provider, r.code, r.clause) for r in d.refused] == [
        ("rival-cloud-a", "rofr_pending", "c-primary-rofr")
    ]
    assert "rofr_pending [c-primary-rofr]" in d.message()
    assert "pretrain-v6 (training)" in d.message()


def test_training_gb200_anywhere_goes_to_the_campus_then_the_holder() -> None:
    d = decide(example(), _req("pretrain-v6", Ask((("GB200", 72),))))
    assert [(c.provider, c.cloud, c.tier, c.price, c.clause) for c in d.allowed] == [
        ("jv-datacenter", "OCI", "contract", Decimal("3.40"), "c-jv-take-or-pay"),
        ("primary-cloud", "Azure", "contract", Decimal("6.50"), "c-primary-commit"),
    ]
    refused = _by_provider(d)
    assert refused["rival-cloud-a"] == {"rofr_pending:c-primary-rofr"}
    assert refused["neocloud-a"] == {"not_launchable:None"}  # reserved GB200 (allowed), no SkyPilot cloud


def test_first_ship_right_holds_a_rival_until_the_holder_answers() -> None:
    d = decide(with_first_ship(), _req("consumer-chat", Ask((("H100", 8),), cloud="aws"), month=18))
    assert d.rejected
    assert "first_ship_pending [c-primary-first-ship]" in d.message()
    anywhere = decide(with_first_ship(), _req("consumer-chat", Ask((("H100", 8),)), month=18))
    assert {c.provider for c in anywhere.allowed} == {"primary-cloud"}


def test_spot_uses_the_spot_price_and_only_where_there_is_one() -> None:
    d = decide(example(), _req("api-serving", Ask((("H100", 8),), use_spot=True)))
    assert [(c.sky_region, c.tier, c.price, c.use_spot) for c in d.allowed] == [
        ("centralus", "list", Decimal("2.40"), True),
        ("westeurope", "list", Decimal("2.40"), True),
    ]
    gb = decide(example(), _req("pretrain-v6", Ask((("GB200", 72),), use_spot=True)))
    assert gb.rejected and {r.code for r in gb.refused} >= {"no_price"}


def test_the_gang_is_gpus_per_node_times_nodes() -> None:
    # eu-west holds 6,000 H100 at the primary: 8 x 750 fits, 8 x 751 does not
    fits = decide(example(), _req("eu-enterprise-inference", Ask((("H100", 8),)), nodes=750))
    assert [c.sky_region for c in fits.allowed] == ["westeurope"]
    over = decide(example(), _req("eu-enterprise-inference", Ask((("H100", 8),)), nodes=751))
    assert over.rejected and "primary-cloud/eu-west H100: capacity" in over.message()


def test_region_and_spelling() -> None:
    d = decide(example(), _req("api-serving", Ask((("h100", 8),), cloud="azure", region="westeurope")))
    assert [(c.sky_region, c.accelerator) for c in d.allowed] == [("westeurope", "h100")]
    nowhere = decide(example(), _req("api-serving", Ask((("H100", 8),), cloud="azure", region="eastus")))
    assert nowhere.rejected and "nothing asked for is offered" in nowhere.message()


@pytest.mark.parametrize(
    ("label", "workload", "cls"),
    [("api-serving", "api-serving", "inference"), ("training", "", "training")],
)
def test_workload_is_a_demand_id_or_a_class(label: str, workload: str, cls: str) -> None:
    d = decide(example(), _req(label, Ask((("H100", 8),))))
    assert (d.workload, d.workload_class) == (workload, cls)


def test_unknown_workload_and_cpu_only_tasks() -> None:
    d = decide(example(), _req("my-notebook", Ask((("H100", 1),))))
    assert d.rejected and d.codes == ("unknown_workload",)
    assert "tender.workload" in d.message()
    cpu = decide(example(), _req("my-notebook", Ask(())))
    assert cpu.passthrough and not cpu.rejected

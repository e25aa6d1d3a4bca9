"""Amendments are checked on the timeline they make: the order `clause_timeline` applies them in,
clauses added or changed by an earlier amendment, and the versions' months."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

from tender.config import InputError, load_scenario_text
from tender.contracts import clause_timeline
from tender.domain import ChangeAction, RevenueShare

MINIMAL = (Path(__file__).resolve().parents[3] / "examples" / "minimal.yaml").read_text()


def scenario(contracts: str = "", amendments: str = "", rates: str = "") -> str:
    """examples/minimal.yaml with clauses appended to `contracts:`, an `amendments:` section and
    on-prem's H100 rate replaced."""
    text = MINIMAL.replace("\ndemand:\n", f"{contracts}\namendments:\n{amendments}\ndemand:\n")
    if not amendments:
        text = text.replace("\namendments:\n", "\n")
    return text.replace("H100: {contract: 1.45}", rates) if rates else text


def problems(text: str) -> list[str]:
    try:
        load_scenario_text(text, "t.yaml")
    except InputError as exc:
        return [f"{p.path}: {p.message}" for p in exc.problems]
    return []


ADD_SHARE = """  - id: b-add
    effective_month: 6
    changes:
      - action: add_contract
        contract: {id: c-share, type: revenue_share, counterparty: primary-cloud, outbound_rate: 0.05}
"""
SET_CAP = """  - id: a-cap
    effective_month: 6
    changes:
      - {contract: c-share, action: set_field, field: outbound_cap_usd, value: 1000000}
"""


@dataclass(frozen=True)
class Case:
    name: str
    text: str
    want: list[str]  # a fragment of each expected problem, in order (empty: valid)


CASES = [
    Case(
        "same month: applied by id, so an add in a-add comes before a set in b-set",
        scenario(amendments=SET_CAP.replace("a-cap", "b-cap") + ADD_SHARE.replace("b-add", "a-add")),
        [],
    ),
    Case(
        "same month: a set in a-cap comes before the add in b-add, whatever the list order",
        scenario(amendments=ADD_SHARE + SET_CAP),
        ["amendments[1].changes[0].contract: contract 'c-share' does not exist yet"],
    ),
    Case(
        "two written rights of one holder that overlap, but a terminate ends the first in time",
        scenario(
            contracts="  - {id: c-rofr-2, type: rofr, holder: primary-cloud, effective_from_month: 7}\n",
            amendments="  - {id: a-end, effective_month: 7, changes: [{contract: c-rofr, action: terminate}]}\n",
        ),
        [],
    ),
    Case(
        "two written rights of one holder that overlap",
        scenario(
            contracts="  - {id: c-rofr-2, type: rofr, holder: primary-cloud, effective_from_month: 7}\n"
        ),
        ["contracts[3].effective_from_month: overlaps 'c-rofr'"],
    ),
    Case(
        "a right added after the holder's first one is terminated",
        scenario(
            amendments="""  - id: a-swap
    effective_month: 5
    changes:
      - {contract: c-rofr, action: terminate}
      - {action: add_contract, contract: {id: c-rofr-2, type: rofr, holder: primary-cloud}}
"""
        ),
        [],
    ),
    Case(
        "first_ship products are the same scope as workloads",
        scenario(
            contracts="""  - {id: c-fs-1, type: first_ship, holder: rival-cloud-a, products: [api-serving]}
  - {id: c-fs-2, type: first_ship, holder: rival-cloud-a, workloads: [api-serving], effective_from_month: 3}
"""
        ),
        ["contracts[4].effective_from_month: overlaps 'c-fs-1' (the same first_ship for rival-cloud-a"],
    ),
    Case(
        "a set_field of another field does not repeat a problem the clause already has",
        scenario(
            contracts="  - {id: c-excl-2, type: workload_exclusivity, provider: on-prem, workloads: [nope]}\n",
            amendments="""  - id: a-note
    effective_month: 6
    changes:
      - {contract: c-excl-2, action: set_field, field: effective_to_month, value: 9}
""",
        ),
        ["contracts[3].workloads[0]: unknown workload 'nope'"],
    ),
    Case(
        "a set_field on a clause added by an earlier amendment, shrinking a commitment's total",
        scenario(
            amendments="""  - id: a-add
    effective_month: 3
    changes:
      - action: add_contract
        contract: {id: c-c2, type: committed_spend, provider: rival-cloud-a, total_usd: 100,
                   milestones: [{by_month: 10, cumulative_usd: 80}]}
  - id: a-set
    effective_month: 5
    changes:
      - {contract: c-c2, action: set_field, field: total_usd, value: 50}
"""
        ),
        ["amendments[1].changes[0].value: with total_usd set, c-c2.milestones[0].cumulative_usd: 80 exceeds"],
    ),
    Case(
        "a reservation in one of its provider's regions; one with no region",
        scenario(
            contracts="""  - {id: c-r1, type: reserved_capacity, provider: rival-cloud-a, gpu: H100, gpus: 8, region: us-east, term_months: 3}
  - {id: c-r2, type: reserved_capacity, provider: on-prem, gpu: H100, gpus: 8, term_months: 3}
"""
        ),
        [],
    ),
    Case(
        "a commitment drawing down after itself",
        scenario(
            contracts="""  - {id: c-self, type: committed_spend, provider: on-prem, total_usd: 10,
     milestones: [{by_month: 12, cumulative_usd: 10}], drawdown_order: after c-self}
"""
        ),
        ["contracts[3].drawdown_order: a commitment cannot draw down after itself (one of: c-commit)"],
    ),
    Case("a spot-only rate is a rate", scenario(rates="H100: {contract: null, spot: 0.90}"), []),
    Case(
        "an empty rate entry",
        scenario(rates="H100: {}"),
        ["providers.on-prem.rates.H100: contract, on_demand"],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_amended_timeline_is_checked(case: Case) -> None:
    got = problems(case.text)
    assert len(got) == len(case.want), got
    for line, fragment in zip(got, case.want, strict=True):
        assert fragment in line, got


def test_set_field_on_an_added_clause_reaches_the_timeline() -> None:
    sc = load_scenario_text(
        scenario(amendments=SET_CAP.replace("a-cap", "b-cap") + ADD_SHARE.replace("b-add", "a-add")), "t.yaml"
    )
    change = next(c for a in sc.amendments for c in a.changes if c.action is ChangeAction.SET_FIELD)
    assert isinstance(change.contract, RevenueShare) and change.contract.outbound_cap_usd == Decimal(1000000)
    versions = [c for c in clause_timeline(sc) if c.id == "c-share"]
    assert [
        (v.effective_from_month, v.outbound_cap_usd) for v in versions if isinstance(v, RevenueShare)
    ] == [(6, Decimal(1000000))]

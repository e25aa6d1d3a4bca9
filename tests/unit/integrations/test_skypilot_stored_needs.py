"""`decide` under stored needs and their ROFR states (pure: the states come from the contract engine's
own `step`, no database). Expectations from examples/frontier-lab.yaml's `c-primary-rofr` (holder
primary-cloud, new capacity, months 1-16): GB200:4 x 2 at AWS (rival-cloud-a us-east, new capacity)
needs the holder's answer; month 3 starts 2026-09-01.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from skypilot_cases import example

from tender.contracts import HolderResponse, Need, NewNeed, RofrState, initial_state, step
from tender.integrations.skypilot.decide import Ask, Request, StoredNeed, decide

AT = datetime(2026, 7, 1, tzinfo=UTC)
AWS_GB200 = Ask((("GB200", 4),), cloud="aws")


def _stored(need_id: str, workload: str, *, decline: bool) -> StoredNeed:
    need = Need(
        need_id,
        workload,
        "training",
        "GB200",
        2304,
        "us-east",
        datetime(2026, 9, 1, tzinfo=UTC),
        2,
        Decimal("6.5"),
    )
    state: RofrState = initial_state(example())
    state, _ = step(state, NewNeed(need), AT)
    if decline:
        state, _ = step(state, HolderResponse(need_id, "primary-cloud", None, True), AT)
    return StoredNeed(state.needs[need_id], state)


def _codes(label: str, *stored: StoredNeed) -> tuple[str, ...]:
    d = decide(example(), Request("pretrain-v6", label, (AWS_GB200,), 2, 3), stored)
    return ("allowed",) if d.allowed else d.codes


def test_a_class_label_is_covered_by_a_need_of_that_class() -> None:
    assert _codes("training", _stored("n1", "pretrain-v6", decline=True)) == ("allowed",)
    assert _codes("inference", _stored("n1", "pretrain-v6", decline=True)) == ("rofr_pending",)


def test_a_demand_label_is_covered_only_by_that_demand_s_need() -> None:
    assert _codes("pretrain-v6", _stored("n1", "pretrain-v7", decline=True)) == ("rofr_pending",)
    assert _codes("pretrain-v6", _stored("n1", "pretrain-v6", decline=True)) == ("allowed",)


def test_any_covering_need_that_was_declined_releases() -> None:
    pending, declined = (
        _stored("n1", "pretrain-v6", decline=False),
        _stored("n2", "pretrain-v6", decline=True),
    )
    assert _codes("pretrain-v6", pending) == ("rofr_pending",)
    assert _codes("pretrain-v6", pending, declined) == ("allowed",)
    assert _codes("pretrain-v6", declined, pending) == ("allowed",)

"""Invariants of the ROFR protocol over thousands of random command sequences (hypothesis).

1. Capacity in a ROFR's scope is never awarded to a third party before the holder declined, the
   notice expired, or the holder exercised less than all (and never more than was released).
2. The holder is never awarded more than was noticed.
3. Replaying the same commands gives the same audit head; extra ticks change no outcome.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tender.config import load_scenario
from tender.contracts import (
    ClauseTerminated,
    Command,
    HolderResponse,
    Need,
    NewNeed,
    NoticeStatus,
    QuoteReceived,
    RofrState,
    ThirdPartyFellThrough,
    ThirdPartySigned,
    Tick,
    carve_out_for,
    run_script,
)
from tender.ledger.audit import chain_of, head, verify

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios" / "rofr" / "scenarios"
VARIANTS = {name: load_scenario(str(SCENARIOS / f"{name}.yaml")) for name in ("lab", "deemed", "first-look")}
T0 = datetime(2026, 7, 1, tzinfo=UTC)
NEEDS = (
    Need("n1", "pretrain-x", "training", "GB200", 20000, "us-central", 4, 4, Decimal("6.5")),
    Need("n2", "chat", "inference", "GB200", 9216, "us-south", 5, 3, Decimal("6.0")),
    Need("n3", "pretrain-y", "training", "GB200", 4608, "us-south", 6, 2, Decimal("5.0")),
)
HOLDER = "primary-cloud"
THIRD = ("rival-cloud-a", "jv-datacenter", "on-prem")
GAPS = (
    timedelta(0),
    timedelta(seconds=1),
    timedelta(days=1),
    timedelta(days=9),
    timedelta(days=30),
    timedelta(days=60),
    timedelta(days=30, seconds=1),
)
PRICES = st.sampled_from([Decimal(p) for p in ("4.9", "5.2", "5.46", "5.47", "6.5", "7.0")])
GPUS = st.sampled_from([0, 1000, 2304, 4608, 9216, 10784, 20000, 25000])
NEED_IDS = st.sampled_from([n.id for n in NEEDS])

commands = st.one_of(
    st.builds(QuoteReceived, NEED_IDS, st.sampled_from(THIRD), PRICES, st.sampled_from([4608, 20000])),
    st.builds(
        HolderResponse,
        NEED_IDS,
        st.sampled_from([HOLDER, HOLDER, "rival-cloud-a"]),
        st.one_of(st.none(), GPUS),
        st.just(False),
    ),
    st.builds(HolderResponse, NEED_IDS, st.just(HOLDER), st.none(), st.just(True)),
    st.builds(Tick),
    st.builds(ThirdPartySigned, NEED_IDS, st.sampled_from(THIRD), GPUS, PRICES),
    st.builds(ThirdPartyFellThrough, NEED_IDS, st.sampled_from(THIRD)),
    st.builds(ClauseTerminated, st.just("c-rofr")),
)


@st.composite
def scripts(draw: st.DrawFn) -> tuple[str, list[tuple[datetime, Command]]]:
    variant = draw(st.sampled_from(sorted(VARIANTS)))
    needs = draw(st.lists(st.sampled_from(NEEDS), min_size=1, max_size=3, unique=True))
    script: list[tuple[datetime, Command]] = [(T0, NewNeed(n)) for n in needs]
    at = T0
    for command in draw(st.lists(commands, min_size=1, max_size=14)):
        at += draw(st.sampled_from(GAPS))
        script.append((at, command))
    return variant, script


def _check_invariants(state: RofrState) -> None:
    notices = {n.id: n for n in state.notices}
    holder_by_notice: dict[str, int] = {}
    third_by_notice: dict[str, int] = {}
    for award in state.awards:
        need = state.needs[award.need]
        if award.provider == HOLDER:
            assert award.notice is not None, award
            holder_by_notice[award.notice] = holder_by_notice.get(award.notice, 0) + award.gpus
            continue
        if award.notice is not None:
            notice = notices[award.notice]
            # (1) only after a decline, an expiry or a partial exercise, resolved before the award
            assert notice.status in (
                NoticeStatus.DECLINED,
                NoticeStatus.EXPIRED,
                NoticeStatus.PARTIALLY_EXERCISED,
            ), (award, notice)
            assert notice.resolved_at is not None and notice.resolved_at <= award.at
            third_by_notice[notice.id] = third_by_notice.get(notice.id, 0) + award.gpus
            continue
        # no notice governed it: carved out for this provider, or the right had ended
        for clause in {n.clause for n in state.notices_for(award.need)}:
            latest = state.latest_notice(award.need, clause)
            assert latest is not None
            carved = carve_out_for(latest.right, need, award.provider) is not None
            ended = state.right_at(clause, award.at) is None
            assert carved or ended, (award, latest)
    for notice_id, gpus in holder_by_notice.items():
        notice = notices[notice_id]
        assert gpus == notice.exercised_gpus <= notice.gpus  # (2)
    for notice_id, gpus in third_by_notice.items():
        assert gpus <= notices[notice_id].released_gpus  # (1) never more than released
    for need_id, need in state.needs.items():
        assert sum(a.gpus for a in state.awards if a.need == need_id) <= need.gpus


@settings(max_examples=2000, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(scripts())
def test_invariants_hold_for_random_sequences(case: tuple[str, list[tuple[datetime, Command]]]) -> None:
    variant, script = case
    state, events = run_script(VARIANTS[variant], script)
    _check_invariants(state)
    chain = chain_of(e.record() for e in events)
    assert verify(chain) is None
    assert all(e.clause for e in events if e.notice is not None)
    # (3) same commands, same audit head
    again_state, again_events = run_script(VARIANTS[variant], script)
    assert head(chain_of(e.record() for e in again_events)) == head(chain)
    assert again_state == state


@settings(max_examples=300, deadline=None, derandomize=True)
@given(scripts())
def test_extra_ticks_change_no_outcome(case: tuple[str, list[tuple[datetime, Command]]]) -> None:
    variant, script = case
    state, _ = run_script(VARIANTS[variant], script)
    ticked: list[tuple[datetime, Command]] = []
    for at, command in script:
        ticked.append((at, Tick()))
        ticked.append((at, command))
    ticked_state, _ = run_script(VARIANTS[variant], ticked)
    assert ticked_state.notices == state.notices
    assert ticked_state.awards == state.awards
    assert ticked_state.rejected == state.rejected

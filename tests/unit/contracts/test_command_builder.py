"""`tender.contracts.command_from`: the one builder of protocol commands from plain data (the service's
stored commands, `tender rofr replay` case events), checked against commands written out by hand."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from tender.cli.app import app
from tender.contracts import (
    ClauseTerminated,
    HolderResponse,
    Need,
    NewNeed,
    QuoteReceived,
    ThirdPartyFellThrough,
    ThirdPartySigned,
    Tick,
    command_from,
)

NEED = {
    "id": "n1",
    "workload": "pretrain",
    "workload_class": "training",
    "gpu": "GB200",
    "gpus": 512,
    "region": "us-east",
    "start": "2026-07-01",
    "months": 6,
    "price": "4.10",
}
HAND_NEED = Need(
    "n1",
    "pretrain",
    "training",
    "GB200",
    512,
    "us-east",
    datetime(2026, 7, 1, tzinfo=UTC),
    6,
    Decimal("4.10"),
)

CASES: list[tuple[str, dict[str, Any], object]] = [
    ("need", NEED, NewNeed(HAND_NEED)),
    (
        "need",
        {**NEED, "start": 3, "new_capacity": False},
        NewNeed(Need("n1", "pretrain", "training", "GB200", 512, "us-east", 3, 6, Decimal("4.10"), False)),
    ),
    ("need", {**NEED, "start": "2026-07-01T02:00:00+02:00"}, NewNeed(HAND_NEED)),
    (
        "quote",
        {"need": "n1", "provider": "rival", "price": "3.95", "gpus": 256},
        QuoteReceived("n1", "rival", Decimal("3.95"), 256),
    ),
    (
        "respond",
        {"need": "n1", "holder": "h", "exercise_gpus": 128, "decline": False},
        HolderResponse("n1", "h", 128, False),
    ),
    (
        "respond",
        {"need": "n1", "holder": "h", "exercise_gpus": None, "decline": True},
        HolderResponse("n1", "h", None, True),
    ),
    ("tick", {}, Tick()),
    (
        "signed",
        {"need": "n1", "provider": "rival", "gpus": 64, "price": "3.90"},
        ThirdPartySigned("n1", "rival", 64, Decimal("3.90")),
    ),
    ("fell_through", {"need": "n1", "provider": "rival"}, ThirdPartyFellThrough("n1", "rival")),
    ("terminate", {"clause": "c-rofr"}, ClauseTerminated("c-rofr", "")),
    ("terminate", {"clause": "c-rofr", "amendment": "a-1"}, ClauseTerminated("c-rofr", "a-1")),
]


@pytest.mark.parametrize(
    ("kind", "body", "expected"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_each_kind_builds_the_command_written_by_hand(
    kind: str, body: dict[str, Any], expected: object
) -> None:
    assert command_from(kind, body) == expected
    assert command_from(kind, json.loads(json.dumps(body))) == expected  # as the service stores it


def test_an_unknown_kind_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown command kind 'bid' \(known: need, quote, respond, tick"):
        command_from("bid", {})


@settings(max_examples=50, deadline=None)
@given(
    st.dates(date(2020, 1, 1), date(2040, 12, 31)),
    st.integers(1, 10**6),
    st.decimals("0", "1000", places=4),
)
def test_stored_need_bodies_rebuild_the_need(day: date, gpus: int, price: Decimal) -> None:
    body = {**NEED, "start": day.isoformat(), "gpus": gpus, "price": str(price)}
    need = command_from("need", json.loads(json.dumps(body)))
    assert isinstance(need, NewNeed)
    assert need.need.start == datetime(day.year, day.month, day.day, tzinfo=UTC)
    assert (need.need.gpus, need.need.price) == (gpus, price)


@pytest.mark.timeout(60)
def test_a_case_with_a_bad_need_start_exits_2_naming_the_field(tmp_path: Path) -> None:
    scenario = Path(__file__).parents[3] / "examples" / "minimal.yaml"
    case = tmp_path / "case.yaml"
    case.write_text(
        f"scenario: {scenario}\nevents:\n  - at: 2026-07-01T00:00:00Z\n    need: {{id: n1, workload: w, "
        "workload_class: training, gpu: H100, gpus: 8, region: us, start: not-a-date, months: 1, price: 1}\n"
    )
    result = CliRunner().invoke(app, ["rofr", "replay", str(case)])
    assert result.exit_code == 2, result.output
    assert (
        f"{case}:4:" in result.stderr and "events[0].need.start: not an ISO-8601 timestamp" in result.stderr
    )
    assert "Traceback" not in result.output

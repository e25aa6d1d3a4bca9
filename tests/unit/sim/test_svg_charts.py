"""The simulate report's SVG charts: round ticks, a log axis only where values span decades, readable cells."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta, timezone
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from tender.plan_output.chart_style import PALETTE, provider_colours
from tender.service.web.formats import cell as web_cell
from tender.service.web.formats import when
from tender.sim.report import cell
from tender.sim.svg import W, bar_chart, fmt, line_chart, log_ticks, nice_ticks, spans_decades

finite = st.floats(
    min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False
)  # hours, fractions, USD


def _mantissa(step: float) -> float:
    return step / 10.0 ** math.floor(math.log10(step) + 1e-9)


@given(finite, st.floats(min_value=1e-3, max_value=1e9))
def test_ticks_are_round_and_cover_the_range(lo: float, span: float) -> None:
    hi = lo + span
    ticks = nice_ticks(lo, hi)
    assert ticks[0] <= lo + abs(lo) * 1e-12 and ticks[-1] >= hi - abs(hi) * 1e-12
    assert 2 <= len(ticks) <= 11
    steps = {round(b - a, 9) for a, b in pairwise(ticks)}
    step = ticks[1] - ticks[0]
    assert min(abs(_mantissa(step) - m) for m in (1.0, 2.0, 5.0, 10.0)) < 1e-6, step
    assert max(steps) - min(steps) <= abs(step) * 1e-6  # evenly spaced


def test_ticks_by_hand() -> None:
    assert nice_ticks(0, 321.41) == [0, 100, 200, 300, 400]
    assert nice_ticks(0, 1) == [0, 0.5, 1]
    assert [fmt(t) for t in nice_ticks(0, 4494.96)] == ["0", "2,000", "4,000", "6,000"]
    assert log_ticks(0.05, 57) == [0.01, 0.1, 1, 10, 100]


def test_log_axis_only_when_values_span_two_decades() -> None:
    assert spans_decades([0.05, 1.0, 57.0])
    assert not spans_decades([1.0, 50.0])
    assert not spans_decades([0.0, 100.0, 1000.0])  # a zero cannot go on a log axis
    assert not spans_decades([])


def _texts(svg: str) -> list[tuple[float, str]]:
    return [
        (float(x), t)
        for x, t in re.findall(r'<text x="([\d.]+)" y="[\d.]+" font-size="11">([^<]*)</text>', svg)
    ]


def test_legend_entries_start_inside_and_wrap_before_the_edge() -> None:
    names = [f"series number {i} with a long name" for i in range(6)]
    svg = line_chart("t", [(n, [(0.0, 1.0), (1.0, 2.0)]) for n in names], "x", "y")
    legend = svg[svg.index('<g class="legend">') : svg.index("</g>")]
    entries = _texts(legend)
    assert [t for _, t in entries] == names
    for x, text in entries:  # each entry's text (6.2 px per char at 11 px) ends inside the SVG
        assert x + 6.2 * len(text) <= W, (x, text)
    assert 'class="ytitle"' in svg and 'class="xtitle"' in svg


def test_bars_take_their_provider_colour() -> None:
    svg = bar_chart("cost", [("b-cloud", 2.0), ("a-cloud", 1.0)], "USD", "provider")
    fills = re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="16" fill="(#[0-9a-f]{6})">', svg)
    assert fills == [PALETTE[1], PALETTE[0]]  # a-cloud ranks first whatever the bar order


@given(st.lists(st.text(min_size=1, max_size=8), min_size=1, max_size=20, unique=True), st.randoms())
def test_a_provider_keeps_its_colour_whatever_the_order(names: list[str], rnd: object) -> None:
    shuffled = list(names)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    colours = provider_colours(names)
    assert colours == provider_colours(shuffled)
    assert len(set(colours.values())) == len(names)  # up to 20 providers, all different


def test_cells_and_dates_read_as_text() -> None:
    assert [cell(v) for v in (None, True, False, 1234567, 0.511941, 2.0)] == [
        "-",
        "yes",
        "no",
        "1,234,567",
        "0.511941",
        "2",
    ]
    assert [web_cell(v) for v in (None, "", False, 3)] == ["-", "-", "no", "3"]
    deadline = datetime(2026, 12, 31, 15, 12, 7, 123456, tzinfo=UTC)
    assert when(deadline) == "2026-12-31 15:12 UTC"
    assert when(deadline.astimezone(timezone(timedelta(hours=2)))) == "2026-12-31 15:12 UTC"
    assert when(None) == "-"


def test_ticks_cover_a_tiny_negative_low_end() -> None:
    # -5e-324 / 5.0 underflows to -0.0: the first tick was 0.0, above the lowest value (found by hypothesis)
    assert nice_ticks(-5e-324, 10.0)[0] <= -5e-324

"""`yamlpos.load_yaml` reads through libyaml (`yamlfast.FastBoundedLoader`) when it can; the pure-Python
`BoundedLoader` is the reference. Checked against it, never against the fast path's own output:

- every shipped example and every YAML file under tests/ loads to the same data and positions;
- hypothesis builds documents two ways (random values dumped in random styles, and random strings of
  YAML's punctuation, keys, anchors and line breaks): `load_yaml`'s outcome, data and positions or
  the exact problems it raises, equals the reference loader's on every one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tender.config import yamlpos
from tender.config.errors import InputError
from tender.config.yamlfast import FastBoundedLoader
from tender.config.yamllimits import LimitExceeded

REPO = Path(__file__).resolve().parents[3]
FILES = sorted(
    [*REPO.glob("examples/**/*.yaml"), *REPO.glob("tests/**/*.yaml"), *REPO.glob("tests/**/*.yml")]
)


def reference(text: str) -> tuple[str, Any]:
    """The pure-Python loader alone (what `load_yaml` did before libyaml was used)."""
    try:
        yamlpos.check_text(text)
        try:
            loader = yamlpos._Loader(text)
        except yaml.reader.ReaderError:
            return ("reader-error", None)
        data, pos = yamlpos._load_with(loader, "f.yaml")
    except InputError as exc:
        return ("problems", [str(p) for p in exc.problems])
    except LimitExceeded as exc:
        return ("limit", (exc.line, exc.column, exc.path, str(exc)))
    except Exception as exc:  # e.g. PyYAML's own IndexError on `!!int ''`: the same on both paths
        return ("raised", repr(exc))
    return ("ok", repr((data, pos.marks, pos.key_marks)))  # repr: NaN equals itself, key order counts


def actual(text: str) -> tuple[str, Any]:
    """`load_yaml`, the fast path with its fallback."""
    try:
        data, pos = yamlpos._load(text, "f.yaml")
    except InputError as exc:
        if any("control character" in p.message for p in exc.problems):
            return ("reader-error", None)
        return ("problems", [str(p) for p in exc.problems])
    except LimitExceeded as exc:
        return ("limit", (exc.line, exc.column, exc.path, str(exc)))
    except Exception as exc:
        return ("raised", repr(exc))
    return ("ok", repr((data, pos.marks, pos.key_marks)))


def fast_alone(text: str) -> str:
    data, pos = yamlpos._load_with(FastBoundedLoader(text), "f.yaml")
    return repr((data, pos.marks, pos.key_marks))


def test_the_fast_loader_is_the_one_used() -> None:
    """libyaml is installed here (PyYAML's wheels): the speed-up is real, not the fallback."""
    assert yaml.__with_libyaml__ and yamlpos.FastBoundedLoader is FastBoundedLoader


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(REPO)) for p in FILES])
def test_every_yaml_file_in_the_repo_reads_the_same(path: Path) -> None:
    text = path.read_text(encoding="utf-8", errors="replace")
    assert actual(text) == reference(text)


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.decimals(allow_nan=False, allow_infinity=False, places=4).map(float),
    st.text(max_size=12),
    st.sampled_from(["yes", "no", "on", "~", "0x1F", "1_000", "2024-01-31", "1e3", ".inf", "-.nan", "0o17"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(min_size=1, max_size=8), inner, max_size=4)
    ),
    max_leaves=25,
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    VALUES,
    st.sampled_from([None, True, False]),
    st.booleans(),
    st.integers(2, 6),
    st.integers(20, 120),
)
def test_dumped_documents_read_the_same(
    value: Any, flow: bool | None, unicode: bool, indent: int, width: int
) -> None:
    text = yaml.safe_dump(value, default_flow_style=flow, allow_unicode=unicode, indent=indent, width=width)
    expected = reference(text)
    assert expected[0] == "ok" or value is None or isinstance(value, (str, bool)), expected
    assert actual(text) == expected
    if expected[0] == "ok":
        assert fast_alone(text) == expected[1]


PIECES = st.sampled_from(
    [
        "a", "b", "key", "1", "1.50", "-", "- ", ": ", ":", " ", "  ", "\n", "\r\n", "\t", "[", "]", "{", "}",
        ", ", "'", '"', "#", "# c\n", "&x ", "*x", "&y ", "*y", "<<: ", "!!str ", "!!int ", "? ", "|\n", ">\n",
        "---\n", "...\n", "%YAML 1.1\n", "\\", "é", "\u2028", "\x85", "\ufeff", "\x07", "~", "null", "2024-05-01",
        "\n  ", "\n    ", "a: ", "- a\n", "x: [1, 2]\n", "'it''s'", '"\\u00e9"', '"\\x41"', '"\\q"', "!!float ",
        "!!binary ", "!!set ", "!!omap ", "!!timestamp ", "!foo ", "0.", ".5", "1e5", "+1", "0b101", "%TAG ! x\n",
        "\r", "\u00a0", "\u3000", "\U0001f600", "\x0c",
    ]
)  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(PIECES, max_size=30).map("".join))
def test_random_punctuation_reads_the_same(text: str) -> None:
    assert actual(text) == reference(text)

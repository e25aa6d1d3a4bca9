"""The one YAML loader's limits (`tender.config.yamllimits`): checked against an independent count.

The expansion counter works on PyYAML's node graph; the checker here is PyYAML's own `safe_load` of the
same (small) document, whose fully expanded result is counted by walking Python values. Hypothesis builds
random anchor/alias documents: the loader must accept exactly those whose expansion fits the limit.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from tender.config import yamllimits
from tender.config.errors import InputError, InputLimitError
from tender.config.yamlpos import load_yaml, read_text
from tender.sim.pools import load_pools_yaml

BOMB = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
    f"{b}: &{b} [{','.join([f'*{a}'] * 9)}]\n" for a, b in zip("abcdef", "bcdefg", strict=True)
)


def expanded_values(value: Any) -> int:
    """Values in a loaded document, every alias expanded: each scalar, list and mapping, and each key."""
    if isinstance(value, dict):
        return 1 + sum(1 + expanded_values(v) for v in value.values())
    if isinstance(value, list):
        return 1 + sum(expanded_values(v) for v in value)
    return 1


def test_the_bomb_is_refused_quickly_with_its_position() -> None:
    with pytest.raises(InputLimitError) as info:
        load_yaml(BOMB, "bomb.yaml")
    (problem,) = info.value.problems
    # by hand: a..e expand to 11 + 92 + 821 + 7382 + 66431 values (+1 root); f's key and list make 74740;
    # f[0] (= e, 66430) makes 141170, f[1] makes 207600 > 200000: refused at f[1], the alias `*e`
    # written on line 6, column 11
    assert (problem.file, problem.path, problem.line, problem.column) == ("bomb.yaml", "f[1]", 6, 11)
    assert "expands to more than" in problem.message


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("a: &a [*a]\n", "recursive"),
        ("[" * 70 + "]" * 70, "nested deeper than 64"),
        (
            "x: &x [[[[[[[[[[1]]]]]]]]]]\n"
            + "".join(f"k{i}: &k{i} [*{'x' if i == 0 else f'k{i - 1}'}]\n" for i in range(60)),
            "nested deeper",
        ),
        ("x: &x 1\nl: [" + ",".join(["*x"] * (yamllimits.MAX_ALIASES + 1)) + "]\n", "aliases"),
    ],
)
def test_limits_name_what_is_wrong(text: str, says: str) -> None:
    with pytest.raises(InputLimitError) as info:
        load_yaml(text, "f.yaml")
    assert says in str(info.value)


def test_size_limit(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(yamllimits, "MAX_CHARS", 100)
    with pytest.raises(InputLimitError, match="too large"):
        load_yaml("a: " + "x" * 200, "f.yaml")
    big = tmp_path / "big.yaml"
    big.write_text("a: " + "x" * 10)
    monkeypatch.setattr("tender.config.yamlpos.MAX_CHARS", 5)
    with pytest.raises(InputError, match="file too large"):
        read_text(str(big))


def test_merge_keys_and_small_aliases_still_work() -> None:
    data, _ = load_yaml("base: &b {gpu: H100, count: 8}\npool: {<<: *b, region: us}\nsame: *b\n", "f.yaml")
    assert data == {
        "base": {"gpu": "H100", "count": 8},
        "pool": {"gpu": "H100", "count": 8, "region": "us"},
        "same": {"gpu": "H100", "count": 8},
    }


@st.composite
def alias_documents(draw: st.DrawFn) -> str:
    """Anchored lists, each holding scalars and aliases to earlier anchors (a random DAG of aliases)."""
    lines = []
    for i in range(draw(st.integers(1, 6))):
        items = draw(st.lists(st.sampled_from(["x", *(f"*a{j}" for j in range(i))]), min_size=1, max_size=6))
        lines.append(f"a{i}: &a{i} [{', '.join(items)}]")
    return "\n".join(lines) + "\n"


@settings(max_examples=200, deadline=None)
@given(alias_documents(), st.integers(20, 400))
def test_accepts_exactly_the_documents_whose_expansion_fits(text: str, limit: int) -> None:
    expected = expanded_values(yaml.safe_load(text))
    original = yamllimits.MAX_NODES
    yamllimits.MAX_NODES = limit
    try:
        data, _ = load_yaml(text, "f.yaml")
    except InputLimitError:
        assert expected > limit
    else:
        assert expected <= limit
        assert data == yaml.safe_load(text)
    finally:
        yamllimits.MAX_NODES = original


def test_pools_files_go_through_the_same_loader(tmp_path: Path) -> None:
    path = tmp_path / "pools.yaml"
    path.write_text(BOMB)
    with pytest.raises(InputError, match="expands to more than"):
        load_pools_yaml(path)

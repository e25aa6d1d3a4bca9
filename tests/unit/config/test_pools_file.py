"""One pools format, one loader (`tender.config.pools`): the simulator's and the runtime's old spellings
load to the same pools, both loaders read the same file, and every problem names file:line:column: field."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tender.config.errors import InputError
from tender.config.pools import load_pools_text
from tender.runtime.pools import load_pools_file as runtime_pools
from tender.sim.pools import load_pools_yaml as sim_pools

# The same two pools, written in the simulator's old spelling and in the runtime's.
SIM_STYLE = """\
pools:
  - {id: a, provider: p, region: us, gpu: H100, count: 4, price_per_gpu_hour: "2.10", backend: local}
  - {id: b, provider: q, region: eu, gpu: A100, count: 2, price_per_gpu_hour: 1.05, backend: slurm}
rules:
  exclusivity: {training: p}
  residency: {eu-data: [eu]}
"""
RUNTIME_STYLE = """\
pools:
  - {id: a, provider: p, region: us, gpu: H100, gpus: 4, price_per_gpu_hour: "2.10", backend: {kind: local}}
  - {id: b, provider: q, region: eu, gpu: A100, gpus: 2, price_per_gpu_hour: 1.05, backend: {kind: slurm}}
exclusivity: {training: p}
residency: {eu-data: [eu]}
"""
# what both spellings say, written out by hand
EXPECTED = [
    ("a", "p", "us", "H100", 4, Decimal("2.10"), "local"),
    ("b", "q", "eu", "A100", 2, Decimal("1.05"), "slurm"),
]


@pytest.mark.parametrize("text", [SIM_STYLE, RUNTIME_STYLE], ids=["sim-keys", "runtime-keys"])
def test_both_old_spellings_give_the_same_pools_to_both_loaders(tmp_path: Path, text: str) -> None:
    path = tmp_path / "pools.yaml"
    path.write_text(text)
    sim = sim_pools(path)
    assert [
        (p.id, p.provider, p.region, p.gpu, p.count, p.price_per_gpu_hour, p.backend) for p in sim.pools
    ] == EXPECTED
    assert sim.rules.exclusivity == {"training": "p"}
    assert sim.rules.residency == {"eu-data": frozenset({"eu"})}
    runtime = runtime_pools(str(path))
    assert [
        (p.id, p.provider, p.region, p.gpu, p.gpus, p.price_per_gpu_hour, p.backend.kind)
        for p in runtime.pools
    ] == EXPECTED
    assert runtime.exclusivity == {"training": "p"}
    assert runtime.residency == {"eu-data": frozenset({"eu"})}


def test_runtime_defaults_region_and_price_and_keeps_backend_options() -> None:
    text = "pools:\n  - {id: r, provider: p, gpu: H100, gpus: 2, backend: {kind: ray, address: 'http://h:8265'}}\n"
    parsed = load_pools_text(text, "p.yaml", need_backend=True)
    (pool,) = parsed.pools
    assert (pool.region, pool.price_per_gpu_hour, pool.size) == ("local", Decimal(0), 2)
    assert pool.backend is not None and pool.backend.options() == {"address": "http://h:8265"}


# (edit of SIM_STYLE, the line:column and field the first problem must name) — positions counted by hand
BAD: list[tuple[str, tuple[str, str], str]] = [
    ("negative-count", ("count: 4", "count: -4"), "p.yaml:2:56: pools[0].count"),
    (
        "both-sizes",
        ("count: 4", "count: 4, gpus: 4"),
        "p.yaml:2:5: pools[0]: give `gpus` or its old name `count`",
    ),
    ("no-size", ("count: 4, ", ""), "p.yaml:2:5: pools[0]: required field `gpus` is missing"),
    (
        "unknown-key",
        ("backend: slurm}", "backend: slurm, colour: red}"),
        "p.yaml:3:101: pools[1].colour: unknown field",
    ),
    ("unknown-kind", ("backend: slurm}", "backend: k8s}"), "p.yaml:3:94: pools[1].backend.kind"),
    ("repeated-id", ("id: b", "id: a"), "p.yaml:3:10: pools[1].id: repeated id 'a'"),
    ("quoted-count", ("count: 2", 'count: "2"'), "p.yaml:3:56: pools[1].count"),
    (
        "rules-twice",
        ("rules:\n", "exclusivity: {x: q}\nrules:\n"),
        "p.yaml:1:1: give `rules.exclusivity` or its old name",
    ),
]


@pytest.mark.parametrize(("edit", "where"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_problems_name_file_line_column_and_field(edit: tuple[str, str], where: str) -> None:
    text = SIM_STYLE.replace(*edit)
    assert text != SIM_STYLE
    with pytest.raises(InputError) as info:
        load_pools_text(text, "p.yaml")
    assert str(info.value.problems[0]).startswith(where), str(info.value)


def test_the_runtime_needs_a_backend_the_simulator_does_not() -> None:
    text = "pools:\n  - {id: a, provider: p, gpu: H100, gpus: 2}\n"
    assert load_pools_text(text, "p.yaml").pools[0].backend is None
    with pytest.raises(InputError) as info:
        load_pools_text(text, "p.yaml", need_backend=True)
    assert str(info.value).startswith("p.yaml:2:5: pools[0]: no `backend:`"), str(info.value)


def test_missing_and_empty_files_are_one_line_problems(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nope\.yaml: file not found"):
        runtime_pools(str(tmp_path / "nope.yaml"))
    (tmp_path / "empty.yaml").write_text("# nothing\n")
    with pytest.raises(InputError, match=r"empty\.yaml:1:1: empty file \(expected a pools file mapping"):
        sim_pools(tmp_path / "empty.yaml")


_NAME = st.text("abcdefghij", min_size=1, max_size=6)
_POOL = st.tuples(_NAME, _NAME, st.integers(1, 10**6), st.decimals("0", "99.99", places=2), st.booleans())


@settings(max_examples=40, deadline=None)
@given(st.lists(_POOL, min_size=1, max_size=5, unique_by=lambda p: p[0]), st.booleans())
def test_either_spelling_reads_back_what_was_written(
    pools: list[tuple[str, str, int, Decimal, bool]], old: bool
) -> None:
    size, backend = ("count", "{backend}") if old else ("gpus", "{{kind: {backend}}}")
    lines = ["pools:"]
    for pid, provider, n, price, slurm in pools:
        kind = backend.format(backend="slurm" if slurm else "local")
        lines.append(
            f'  - {{id: {pid}, provider: {provider}, gpu: H100, {size}: {n}, price_per_gpu_hour: "{price}", backend: {kind}}}'
        )
    parsed = load_pools_text("\n".join(lines) + "\n", "gen.yaml", need_backend=True)
    got = [
        (p.id, p.provider, p.size, p.price_per_gpu_hour, p.backend.kind if p.backend else None)
        for p in parsed.pools
    ]
    assert got == [
        (pid, prov, n, price, "slurm" if slurm else "local") for pid, prov, n, price, slurm in pools
    ]

"""Accelerator name normalisation: the explicit table, folding of user input, close matches."""

from __future__ import annotations

import pytest

from tender.catalog import (
    RAW_TO_CANONICAL,
    UnknownGpuError,
    canonical_gpu,
    known_gpus,
    load_offerings,
    resolve_gpu,
)
from tender.catalog.names import EXTRA_ALIASES, close_gpu_matches, fold

# Every spelling the shipped CSV uses (58), with the canonical name we expect.
RAW_CASES = [
    ("A10", "A10"),
    ("A100", "A100"),
    ("A100-80GB", "A100-80GB"),
    ("A100-80G-PCIe", "A100-80GB"),
    ("A100-80G-PCIe-NVLink", "A100-80GB"),
    ("A16", "A16"),
    ("A30", "A30"),
    ("A40", "A40"),
    ("A4000", "A4000"),
    ("RTX-A4000", "A4000"),
    ("A5000", "A5000"),
    ("A6000", "A6000"),
    ("RTX-A6000", "A6000"),
    ("RTXA6000", "A6000"),
    ("RTXA2000", "A2000"),
    ("B200", "B200"),
    ("B300", "B300"),
    ("GAUDI2", "Gaudi2"),
    ("GB200", "GB200"),
    ("GB300", "GB300"),
    ("GH200", "GH200"),
    ("H100", "H100"),
    ("H100-SXM", "H100"),
    ("H100-80G-SXM5", "H100"),
    ("H100-80G-PCIe", "H100"),
    ("H100-80G-PCIe-NVLink", "H100"),
    ("H200", "H200"),
    ("K80", "K80"),
    ("L4", "L4"),
    ("L40", "L40"),
    ("L40S", "L40S"),
    ("M60", "M60"),
    ("MI300X", "MI300X"),
    ("MI355X", "MI355X"),
    ("Radeon MI25", "MI25"),
    ("P100", "P100"),
    ("P4", "P4"),
    ("RTX3060", "RTX3060"),
    ("RTX3070", "RTX3070"),
    ("RTX3080", "RTX3080"),
    ("RTX3090", "RTX3090"),
    ("RTX4060", "RTX4060"),
    ("RTX4070", "RTX4070"),
    ("RTX4090", "RTX4090"),
    ("RTX5090", "RTX5090"),
    ("RTX6000", "RTX6000"),
    ("RTX6000-Ada", "RTX6000-Ada"),
    ("RTX6000Ada", "RTX6000-Ada"),
    ("RTX-6000-Ada", "RTX6000-Ada"),
    ("RTXPRO6000", "RTXPRO6000"),
    ("RTX-PRO-6000", "RTXPRO6000"),
    ("RTXPro6000", "RTXPRO6000"),
    ("RTX PRO 6000 96GB", "RTXPRO6000"),
    ("RTXPRO6000-WK", "RTXPRO6000"),
    ("RTXPRO6000S", "RTXPRO6000"),
    ("T4", "T4"),
    ("V100", "V100"),
    ("V100-32GB", "V100-32GB"),
]


@pytest.mark.parametrize(("raw", "canonical"), RAW_CASES)
def test_every_raw_spelling_maps_to_its_canonical_name(raw: str, canonical: str) -> None:
    assert RAW_TO_CANONICAL[raw] == canonical
    assert canonical_gpu(raw) == canonical


def test_the_table_covers_exactly_the_spellings_in_the_shipped_data() -> None:
    in_data = {row.accelerator_raw for row in load_offerings()}
    assert len(in_data) == 58
    assert set(RAW_TO_CANONICAL) == in_data == {raw for raw, _ in RAW_CASES}


@pytest.mark.parametrize(
    ("user_input", "canonical"),
    [
        ("h100", "H100"),
        ("  H100 ", "H100"),
        ("h100-sxm", "H100"),
        ("H100 80GB", "H100"),
        ("a100 80gb", "A100-80GB"),
        ("a100_80gb", "A100-80GB"),
        ("A100-40GB", "A100"),
        ("a100", "A100"),
        ("rtx pro 6000", "RTXPRO6000"),
        ("rtx-pro-6000-blackwell", "RTXPRO6000"),
        ("rtx 6000 ada", "RTX6000-Ada"),
        ("rtx a6000", "A6000"),
        ("radeon mi25", "MI25"),
        ("gaudi 2", "Gaudi2"),
        ("v100 32gb", "V100-32GB"),
        ("l40s", "L40S"),
    ],
)
def test_user_input_is_case_and_punctuation_insensitive(user_input: str, canonical: str) -> None:
    assert canonical_gpu(user_input) == canonical
    assert resolve_gpu(user_input) == canonical


@pytest.mark.parametrize(
    ("left", "right"),
    [("A100", "A100-80GB"), ("V100", "V100-32GB"), ("RTX6000", "RTX6000-Ada"), ("A10", "A100")],
)
def test_memory_variants_stay_distinct(left: str, right: str) -> None:
    assert canonical_gpu(left) != canonical_gpu(right)


@pytest.mark.parametrize("unknown", ["H1000", "TPUv5", "", "---", "A100-160GB"])
def test_unknown_names_are_none_and_resolve_raises(unknown: str) -> None:
    assert canonical_gpu(unknown) is None
    with pytest.raises(UnknownGpuError):
        resolve_gpu(unknown)


def test_unknown_name_error_lists_close_matches() -> None:
    with pytest.raises(UnknownGpuError) as caught:
        resolve_gpu("H1000")
    assert "H100" in caught.value.suggestions
    assert "did you mean" in str(caught.value)
    assert close_gpu_matches("rtx5900")[:1] == ("RTX5090",)


def test_no_two_spellings_fold_onto_different_canonical_names() -> None:
    seen: dict[str, str] = {}
    for spelling, canonical in [*RAW_TO_CANONICAL.items(), *EXTRA_ALIASES.items()]:
        assert seen.setdefault(fold(spelling), canonical) == canonical, spelling


def test_known_gpus_are_the_sorted_canonical_names() -> None:
    names = known_gpus()
    assert names == tuple(sorted(set(RAW_TO_CANONICAL.values())))
    assert len(names) == 42
    assert all(canonical_gpu(name) == name for name in names)
    assert all(EXTRA_ALIASES[alias] in names for alias in EXTRA_ALIASES)

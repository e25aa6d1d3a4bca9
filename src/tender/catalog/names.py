"""Accelerator names: one canonical spelling per card, and case-insensitive lookup of user input.

The shipped CSV spells the same card several ways (``RTXPRO6000``, ``RTX-PRO-6000``, ``RTXPro6000``,
``RTX PRO 6000 96GB``). ``RAW_TO_CANONICAL`` maps every spelling found in the data, explicitly, to
one canonical name. Rules behind the table:

1. Cards with a different memory size stay distinct: ``A100`` (40 GB) vs ``A100-80GB``, ``V100``
   (16 GB) vs ``V100-32GB``, ``RTX6000`` (Quadro RTX 6000, 24 GB) vs ``RTX6000-Ada`` (48 GB).
2. Form factor and interconnect are not distinguished: ``H100-SXM``, ``H100-80G-SXM5``,
   ``H100-80G-PCIe`` and ``H100-80G-PCIe-NVLink`` are all ``H100`` (80 GB); the source keeps the
   original spelling in ``Offering.accelerator_raw`` and the SKU in ``instance_type``.
3. Editions of the same 96 GB RTX PRO 6000 Blackwell (``-WK`` workstation, ``S`` server) are
   ``RTXPRO6000``; the RTX A-series drop the ``RTX`` prefix (``RTX-A6000`` -> ``A6000``).
4. Everything else keeps the SkyPilot name, except ``Radeon MI25`` -> ``MI25`` and
   ``GAUDI2`` -> ``Gaudi2``.

User input (``--gpu h100``, ``a100 80gb``) is folded (upper case, letters and digits only) and
looked up in the table, the canonical names and a few extra aliases.
"""

from __future__ import annotations

import difflib
import re
from types import MappingProxyType

# Every accelerator spelling in data/gpu_offerings.csv -> its canonical name.
RAW_TO_CANONICAL: MappingProxyType[str, str] = MappingProxyType(
    {
        "A10": "A10",
        "A100": "A100",
        "A100-80GB": "A100-80GB",
        "A100-80G-PCIe": "A100-80GB",
        "A100-80G-PCIe-NVLink": "A100-80GB",
        "A16": "A16",
        "A30": "A30",
        "A40": "A40",
        "A4000": "A4000",
        "RTX-A4000": "A4000",
        "A5000": "A5000",
        "A6000": "A6000",
        "RTX-A6000": "A6000",
        "RTXA6000": "A6000",
        "RTXA2000": "A2000",
        "B200": "B200",
        "B300": "B300",
        "GAUDI2": "Gaudi2",
        "GB200": "GB200",
        "GB300": "GB300",
        "GH200": "GH200",
        "H100": "H100",
        "H100-SXM": "H100",
        "H100-80G-SXM5": "H100",
        "H100-80G-PCIe": "H100",
        "H100-80G-PCIe-NVLink": "H100",
        "H200": "H200",
        "K80": "K80",
        "L4": "L4",
        "L40": "L40",
        "L40S": "L40S",
        "M60": "M60",
        "MI300X": "MI300X",
        "MI355X": "MI355X",
        "Radeon MI25": "MI25",
        "P100": "P100",
        "P4": "P4",
        "RTX3060": "RTX3060",
        "RTX3070": "RTX3070",
        "RTX3080": "RTX3080",
        "RTX3090": "RTX3090",
        "RTX4060": "RTX4060",
        "RTX4070": "RTX4070",
        "RTX4090": "RTX4090",
        "RTX5090": "RTX5090",
        "RTX6000": "RTX6000",
        "RTX6000-Ada": "RTX6000-Ada",
        "RTX6000Ada": "RTX6000-Ada",
        "RTX-6000-Ada": "RTX6000-Ada",
        "RTXPRO6000": "RTXPRO6000",
        "RTX-PRO-6000": "RTXPRO6000",
        "RTXPro6000": "RTXPRO6000",
        "RTX PRO 6000 96GB": "RTXPRO6000",
        "RTXPRO6000-WK": "RTXPRO6000",
        "RTXPRO6000S": "RTXPRO6000",
        "T4": "T4",
        "V100": "V100",
        "V100-32GB": "V100-32GB",
    }
)

# Spellings users type that the data does not use (folded like everything else).
EXTRA_ALIASES: MappingProxyType[str, str] = MappingProxyType(
    {
        "A100-40GB": "A100",
        "A100-SXM4-40GB": "A100",
        "A100-SXM4-80GB": "A100-80GB",
        "H100-80GB": "H100",
        "H100-SXM5": "H100",
        "H100-PCIe": "H100",
        "H200-141GB": "H200",
        "RTX-A2000": "A2000",
        "RTX-A5000": "A5000",
        "RTX-PRO-6000-Blackwell": "RTXPRO6000",
        "Quadro-RTX-6000": "RTX6000",
        "V100-16GB": "V100",
        "Gaudi-2": "Gaudi2",
        "MI25": "MI25",
    }
)


def fold(name: str) -> str:
    """The lookup key of a spelling: upper case, letters and digits only (``rtx pro 6000`` -> ``RTXPRO6000``)."""
    return re.sub(r"[^0-9A-Z]", "", name.upper())


def _build_index() -> MappingProxyType[str, str]:
    index: dict[str, str] = {}
    pairs = [*RAW_TO_CANONICAL.items(), *EXTRA_ALIASES.items()]
    pairs += [(canonical, canonical) for canonical in RAW_TO_CANONICAL.values()]
    for spelling, canonical in pairs:
        key = fold(spelling)
        if index.setdefault(key, canonical) != canonical:  # pragma: no cover - guarded by tests
            raise ValueError(f"spelling {spelling!r} folds onto two canonical names")
    return MappingProxyType(index)


_INDEX = _build_index()


def canonical_gpu(name: str) -> str | None:
    """The canonical name for any known spelling (case-insensitive), or None if unknown."""
    exact = RAW_TO_CANONICAL.get(name.strip())
    if exact is not None:
        return exact
    key = fold(name)
    return _INDEX.get(key) if key else None


def known_gpus() -> tuple[str, ...]:
    """Every canonical accelerator name, sorted."""
    return tuple(sorted(set(RAW_TO_CANONICAL.values())))


def close_gpu_matches(name: str, limit: int = 5) -> tuple[str, ...]:
    """Canonical names whose spellings look like ``name`` (for "did you mean" messages)."""
    matches = difflib.get_close_matches(fold(name), list(_INDEX), n=limit * 3, cutoff=0.6)
    found: list[str] = []
    for key in matches:
        canonical = _INDEX[key]
        if canonical not in found:
            found.append(canonical)
    return tuple(found[:limit])


class UnknownGpuError(ValueError):
    """An accelerator name no table knows; carries close matches for the message."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.suggestions = close_gpu_matches(name)
        hint = f"; did you mean {', '.join(self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"unknown accelerator {name!r}{hint} (known: {', '.join(known_gpus())})")


def resolve_gpu(name: str) -> str:
    """The canonical name for ``name``; raises UnknownGpuError (with close matches) if unknown."""
    canonical = canonical_gpu(name)
    if canonical is None:
        raise UnknownGpuError(name)
    return canonical

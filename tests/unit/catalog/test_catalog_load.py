"""Parsing the catalog CSV: exact per-accelerator-hour prices, flags, errors, the shipped file."""

from __future__ import annotations

import collections
from decimal import Decimal
from pathlib import Path

import pytest

from tender.catalog import CatalogError, Offering, load_offerings, parse_offerings, per_accelerator
from tender.catalog.load import HEADER, row_flags
from tender.catalog.offering import PRICE_FLAGS

DATA = Path(__file__).resolve().parents[3] / "src" / "tender" / "catalog" / "data"


def csv_text(*rows: str) -> str:
    return ",".join(HEADER) + "\n" + "".join(row + "\n" for row in rows)


def one(row: str) -> Offering:
    (offering,) = parse_offerings(csv_text(row), "t.csv")
    return offering


@pytest.mark.parametrize(
    ("price", "count", "expected"),
    [
        ("16.776", 4, "4.194"),
        ("98.32", 8, "12.29"),
        ("20.8", 8, "2.6"),
        ("0.0925", 1, "0.0925"),
        ("14.76958", 8, "1.8461975"),
        ("3.87", 3, "1.29"),
        ("42.783", 8, "5.347875"),
        ("11.2", 8, "1.4"),
    ],
)
def test_per_accelerator_price_is_exact(price: str, count: int, expected: str) -> None:
    value = per_accelerator(Decimal(price), count)
    assert value == Decimal(expected)
    assert value is not None and value * count == Decimal(price)


def test_per_accelerator_keeps_none() -> None:
    assert per_accelerator(None, 8) is None


def test_row_is_parsed_into_exact_decimals_and_a_canonical_name() -> None:
    row = one("Hyperstack,CANADA-1,,n3-H100-SXM5x8,H100-80G-SXM5,8,192,1800.0,19.2,")
    assert (row.provider, row.region, row.zone, row.instance_type) == (
        "Hyperstack",
        "CANADA-1",
        "",
        "n3-H100-SXM5x8",
    )
    assert (row.accelerator, row.accelerator_raw, row.accelerator_count) == ("H100", "H100-80G-SXM5", 8)
    assert (row.vcpus, row.memory_gb) == (Decimal("192"), Decimal("1800.0"))
    assert row.on_demand_per_gpu_hour == Decimal("2.4")
    assert row.on_demand_per_instance_hour == Decimal("19.2")
    assert row.spot_per_gpu_hour is None
    assert row.flags == ()
    assert row.line == 2
    assert row.is_clean() and not row.is_clean(spot=True)


FLAG_CASES = [
    # (row, flags, valid on-demand, valid spot)
    ("Lambda,us-east-1,,gpu_8x_h100_sxm5,H100,8,208.0,1800.0,23.92,", (), "2.99", None),
    ("Mithril,us-central2-a,,h100-80gb.sxm.8x,H100,8,168,1814,8.0,8.0", ("placeholder_price",), None, None),
    ("Mithril,us-central2-b,,ccs-h200.sxm.1x,H200,1,20,200,1.0,1.0", ("placeholder_price",), None, None),
    ("Hyperstack,CANADA-1,,n3-L40x8,L40,8,252,464.0,8.0,", (), "1", None),
    ("GCP,us-central1,us-central1-a,,A100-80GB,8,,,14.76958,15.712", ("gpu_only_price",), None, None),
    (
        "PrimeIntellect,FI,FIN-01,datacrunch__1xA100_80GB__22__120__SPOT,A100-80GB,1,22.0,120,,0.53",
        ("spot_only",),
        None,
        "0.53",
    ),
    ("AWS,eu-north-1,eun1-az1,p5e.48xlarge,H200,8,192.0,2048.0,,", ("missing_price",), None, None),
    ("Seeweb,,,ECS1GPU8,H100,1,16,256.0,1.89,", ("empty_region",), "1.89", None),
    (
        "Azure,eastus,,Standard_ND96isr_H100_v5,H100,12,96.0,1900,98.32,98.32",
        ("suspect_accelerator_count",),
        None,
        None,
    ),
    (
        "Azure,westus,,Standard_NV16as_v4,Radeon MI25,1,16.0,56,,",
        ("missing_price", "fractional_gpu"),
        None,
        None,
    ),
    ("Azure,eastus,,Standard_NV32as_v4,Radeon MI25,1,32.0,112,1.864,0.20504", (), "1.864", "0.20504"),
    ("Nebius,eu-north1,,gpu-h100-sxm_8gpu-128vcpu-1600gb,H100,8,128,1600,23.60,10.00", (), "2.95", "1.25"),
]


@pytest.mark.parametrize(("row", "flags", "on_demand", "spot"), FLAG_CASES)
def test_flags_and_valid_prices(
    row: str, flags: tuple[str, ...], on_demand: str | None, spot: str | None
) -> None:
    offering = one(row)
    assert offering.flags == flags
    assert offering.valid_price() == (None if on_demand is None else Decimal(on_demand))
    assert offering.valid_price(spot=True) == (None if spot is None else Decimal(spot))


def test_spot_only_rows_are_clean_for_spot_but_not_on_demand() -> None:
    row = one("PrimeIntellect,FI,FIN-01,datacrunch__1xA100_80GB__22__120__SPOT,A100-80GB,1,22.0,120,,0.53")
    assert row.is_clean(spot=True)
    assert not row.is_clean()


def test_placeholder_rule_needs_equal_spot() -> None:
    assert row_flags("X", "r", "t", Decimal(1), None) == ()
    assert row_flags("X", "r", "t", Decimal(1), Decimal("0.5")) == ()
    assert row_flags("X", "r", "t", Decimal("1.0"), Decimal("1")) == ("placeholder_price",)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("Lambda,us,,t,H100,8,1,1,abc,", "t.csv:2: price_per_hour: not a number"),
        ("Lambda,us,,t,H100,8,1,1,-1,", "t.csv:2: price_per_hour: expected a non-negative number"),
        ("Lambda,us,,t,H100,8,1,1,0,", "t.csv:2: price_per_hour: a price of zero"),
        ("Lambda,us,,t,H100,8,1,1,1,NaN", "t.csv:2: spot_price_per_hour: expected a non-negative number"),
        ("Lambda,us,,t,H100,0,1,1,1,", "t.csv:2: accelerator_count: expected a positive integer"),
        ("Lambda,us,,t,H100,x,1,1,1,", "t.csv:2: accelerator_count: not an integer"),
        ("Lambda,us,,t,TPUv9,1,1,1,1,", "t.csv:2: accelerator: 'TPUv9' is not in"),
        ("Lambda,us,,t,H100,1,1,1,1", "t.csv:2: expected 10 fields, got 9"),
        (",us,,t,H100,1,1,1,1,", "t.csv:2: provider: empty"),
    ],
)
def test_malformed_rows_name_file_line_and_field(row: str, message: str) -> None:
    with pytest.raises(CatalogError, match=message.replace("(", r"\(")):
        parse_offerings(csv_text(row), "t.csv")


def test_wrong_header_is_refused() -> None:
    with pytest.raises(CatalogError, match=r"t.csv:1: expected header"):
        parse_offerings("a,b\n1,2\n", "t.csv")


def test_shipped_catalog_figures() -> None:
    rows = load_offerings()
    assert load_offerings() is rows  # parsed once
    assert len(rows) == 1734
    assert len({row.provider for row in rows}) == 19
    flags = collections.Counter(flag for row in rows for flag in row.flags)
    assert flags == {
        "gpu_only_price": 316,
        "spot_only": 24,
        "fractional_gpu": 21,
        "empty_region": 15,
        "missing_price": 9,
        "placeholder_price": 4,
        "suspect_accelerator_count": 3,
    }
    assert sum(1 for row in rows if row.flags) == 389
    assert {row.provider for row in rows if "placeholder_price" in row.flags} == {"Mithril"}


def test_every_present_price_is_positive_and_times_count_gives_the_instance_price() -> None:
    for row in load_offerings():
        for per_gpu, per_instance in (
            (row.on_demand_per_gpu_hour, row.on_demand_per_instance_hour),
            (row.spot_per_gpu_hour, row.spot_per_instance_hour),
        ):
            assert (per_gpu is None) == (per_instance is None)
            if per_gpu is not None and per_instance is not None and not PRICE_FLAGS.intersection(row.flags):
                assert per_gpu > 0
                assert per_gpu * row.accelerator_count == per_instance, row.line


def test_shipped_csv_sits_next_to_its_provenance_note() -> None:
    provenance = (DATA / "PROVENANCE.md").read_text(encoding="utf-8")
    assert "skypilot-org/skypilot-catalog" in provenance
    assert "Apache" in provenance
    assert (DATA / "gpu_offerings.csv").read_text(encoding="utf-8").startswith(",".join(HEADER))

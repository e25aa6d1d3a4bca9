"""Filtering, sorting and list prices, on a small hand-made catalog and on the shipped one."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tender.catalog import (
    Offering,
    Query,
    UnknownGpuError,
    UnknownProviderError,
    list_price,
    load_offerings,
    parse_offerings,
    providers,
    resolve_provider,
    search,
)
from tender.catalog.load import HEADER
from tender.catalog.query import sort_key

SMALL = parse_offerings(
    ",".join(HEADER)
    + "\n"
    + "\n".join(
        [
            "Lambda,us-east-1,,gpu_8x_h100_sxm5,H100,8,208.0,1800.0,23.92,",  # 2 -> 2.99
            "Lambda,us-west-1,,gpu_1x_h100_pcie,H100,1,26.0,200.0,2.49,",  # 3 -> 2.49
            "Nebius,eu-north1,,gpu-h100-sxm_8gpu,H100,8,128,1600,23.60,10.00",  # 4 -> 2.95 / 1.25
            'Vast,"France, FR, EU",,1x-H100-32-65536,H100,1,32,64.0,2.49,',  # 5 -> 2.49
            "Mithril,us-central2-a,,h100-80gb.sxm.8x,H100,8,168,1814,8.0,8.0",  # 6 placeholder
            "GCP,us-central1,us-central1-a,,H100,1,,,4.2,2.1",  # 7 gpu-only
            "PrimeIntellect,IS,ICE-01,x__SPOT,H100,8,176.0,1480,,6.84",  # 8 spot only -> 0.855
            "Seeweb,,,ECS1GPU8,H100,1,16,256.0,1.89,",  # 9 empty region
            "Lambda,us-east-1,,gpu_1x_a100_sxm4,A100,1,30.0,200.0,1.29,",  # 10
            "Lambda,us-east-1,,gpu_8x_a100_80gb_sxm4,A100-80GB,8,240.0,1800.0,14.32,",  # 11 -> 1.79
        ]
    )
    + "\n",
    "small.csv",
)


def lines(rows: tuple[Offering, ...]) -> list[int]:
    return [row.line for row in rows]


@pytest.mark.parametrize(
    ("query", "expected_lines"),
    [
        (Query(), [10, 11, 3, 5, 4, 2]),
        (Query(gpu="h100"), [3, 5, 4, 2]),
        (Query(gpu="a100-80gb"), [11]),
        (Query(provider="lambda"), [10, 11, 3, 2]),
        (Query(gpu="H100", region="US-WEST-1"), [3]),
        (Query(region="france, fr, eu"), [5]),
        (Query(gpu="H100", max_price=Decimal("2.49")), [3, 5]),
        (Query(gpu="H100", max_price=Decimal("0")), []),
        (Query(gpu="H100", spot=True), [8, 4]),
        (Query(gpu="H100", spot=True, max_price=Decimal("1")), [8]),
        (Query(gpu="H100", include_flagged=True), [6, 9, 3, 5, 4, 2, 7, 8]),
        (Query(gpu="H100", spot=True, include_flagged=True), [8, 6, 4, 7, 2, 3, 9, 5]),
        (Query(gpu="H100", include_flagged=True, max_price=Decimal("1.9")), [6, 9]),
    ],
)
def test_search_filters_and_sorts(query: Query, expected_lines: list[int]) -> None:
    assert lines(search(query, SMALL)) == expected_lines


def test_ties_break_on_provider_then_region_zone_and_instance_type() -> None:
    tied = search(Query(gpu="H100", max_price=Decimal("2.49")), SMALL)
    assert [row.provider for row in tied] == ["Lambda", "Vast"]
    assert list(search(Query(), reversed(SMALL))) == list(search(Query(), SMALL))


def test_default_results_have_positive_unflagged_prices() -> None:
    for spot in (False, True):
        for row in search(Query(spot=spot)):
            price = row.price(spot)
            assert price is not None and price > 0
            assert row.flags in ((), ("spot_only",)) if spot else row.flags == ()


def test_shipped_catalog_has_many_h100_offerings_in_price_order() -> None:
    rows = search(Query(gpu="H100"))
    assert len(rows) >= 100
    keys = [sort_key(row) for row in rows]
    assert keys == sorted(keys)


def test_unknown_names_raise_with_suggestions() -> None:
    with pytest.raises(UnknownGpuError):
        search(Query(gpu="H1000"), SMALL)
    with pytest.raises(UnknownProviderError) as caught:
        search(Query(provider="lamda"), SMALL)
    assert caught.value.suggestions == ("Lambda",)


def test_providers_and_resolve_provider() -> None:
    assert providers(SMALL) == ("GCP", "Lambda", "Mithril", "Nebius", "PrimeIntellect", "Seeweb", "Vast")
    assert resolve_provider(" primeintellect ", SMALL) == "PrimeIntellect"
    assert len(providers()) == 19


@pytest.mark.parametrize(
    ("provider", "gpu", "region", "expected"),
    [
        ("Lambda", "H100", None, "2.49"),
        ("LAMBDA", "h100", "us-east-1", "2.99"),
        ("lambda", "H100", "eu-central-1", None),
        ("Nebius", "H100", None, "2.95"),
        ("Mithril", "H100", None, None),  # placeholder
        ("GCP", "H100", None, None),  # GPU-only price
        ("PrimeIntellect", "H100", None, None),  # spot only
        ("Seeweb", "H100", None, "1.89"),  # empty region still has a valid price
        ("Lambda", "A100-80GB", None, "1.79"),
        ("Lambda", "B200", None, None),
    ],
)
def test_list_price(provider: str, gpu: str, region: str | None, expected: str | None) -> None:
    assert list_price(provider, gpu, region, offerings=SMALL) == (
        None if expected is None else Decimal(expected)
    )


@pytest.mark.parametrize(
    ("provider", "gpu", "expected"),
    [
        ("Lambda", "H100", "3.29"),
        ("aws", "H100", "6.88"),
        ("Nebius", "H200", "3.50"),
        ("Mithril", "H100", None),
    ],
)
def test_list_price_on_the_shipped_catalog(provider: str, gpu: str, expected: str | None) -> None:
    assert list_price(provider, gpu) == (None if expected is None else Decimal(expected))


def test_list_price_refuses_unknown_names() -> None:
    with pytest.raises(UnknownProviderError):
        list_price("Lambda Labs", "H100", offerings=SMALL)
    with pytest.raises(UnknownGpuError):
        list_price("Lambda", "H1000", offerings=SMALL)
    assert load_offerings()  # the shipped catalog is untouched by the small one


def test_provider_names_from_the_first_column_are_the_parsed_catalogs_providers() -> None:
    """The SkyPilot check's light read (`load.provider_names`) against the full parse of every row."""
    from tender.catalog.load import provider_names

    assert provider_names() == providers() == providers(load_offerings())
    assert len(provider_names()) > 5

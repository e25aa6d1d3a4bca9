"""`tender compare --break-even`: the reported value is checked by re-planning both variants
independently (sourcing.plan + accounts, not the command's numbers), and the bad inputs are one line.

Hand case (test_hand_scenario), on the scenario of test_hand_rofr (720 GPUs x 730 h x 3 months =
1,576,800 GPU-hours): A = the base, where the holder matches the third party's $5.00, so the lab pays
$7,884,000. B = `open` (no ROFR) with the third party's rate r as the field: the lab pays
1,576,800 x min(r, 6) (the holder's own rate, $6.00, is then an ordinary offer). The gap B - A is
-1,576,800 at r = 4, +1,576,800 at r = 6, and 0 at the first midpoint, r = 5.00: the break-even,
after 4 plans (A, both ends, the midpoint). For the no-sign-change row, B = the base with r in [1, 2]:
the holder matches r, the lab pays 1,576,800 x r, against `open`'s 7,884,000: gaps -6,307,200 and
-4,730,400.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from test_hand_rofr import SCENARIO
from typer.testing import CliRunner

from tender.cli.app import app
from tender.config.overlay import build, load_base, load_variant, with_value
from tender.sourcing import PlanOptions, plan
from tender.sourcing.compare.accounts import accounts
from tender.sourcing.compare.deltas import primary_of

REPO = Path(__file__).resolve().parents[3]
BASE = str(REPO / "examples" / "frontier-lab.yaml")
REGIMES = REPO / "examples" / "regimes"
FIELD = "contracts.c-primary-commit-2.milestones.0.cumulative_usd"
OPEN = "variant: {name: open}\ncontracts:\n  remove: [c-rofr]\n"


def _run(argv: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(app, argv)
    return result.exit_code, result.stderr


def _lab_cost(
    base_path: str, variant_path: str, field: str | None = None, value: Decimal | None = None
) -> Decimal:
    base = load_base(base_path)
    v = load_variant(base, variant_path)
    if field is not None:
        v = with_value(v, field, int(value) if value == value.to_integral_value() else value)  # type: ignore[union-attr]
    sc = build(v)
    return accounts(sc, plan(sc, PlanOptions(seed=0)), primary_of(build(base))).lab.total_usd


@pytest.fixture()
def hand(tmp_path: Path) -> Path:
    (tmp_path / "base.yaml").write_text(SCENARIO)
    (tmp_path / "open.yaml").write_text(OPEN)
    return tmp_path


def test_hand_scenario(hand: Path) -> None:
    out = hand / "be.json"
    argv = ["compare", str(hand / "base.yaml"), str(hand / "open.yaml"), "--break-even",
            "providers.third.rates.GB200.contract", "--between", "base", "open", "--range", "4", "6",
            "--tolerance", "0", "--json", str(out)]  # fmt: skip
    code, err = _run(argv)
    assert code == 0, err
    be = json.loads(out.read_text())["break_even"]
    assert Decimal(be["value"]) == Decimal("5.00")
    assert be["lab_cost_usd"] == ["7884000.00", "7884000.00"] and be["tolerance"] == "0.00"
    assert be["plans_evaluated"] == 4  # base, then 4, 6 and the midpoint 5


@pytest.mark.timeout(600)
def test_commitment_size_between_rofr_and_commitment_converges(tmp_path: Path) -> None:
    """The example: how much due on the second commitment makes giving up the ROFR neutral."""
    out = tmp_path / "be.json"
    rofr, commitment = str(REGIMES / "rofr.yaml"), str(REGIMES / "commitment.yaml")
    argv = ["compare", BASE, rofr, commitment, "--break-even", FIELD, "--between", "rofr", "commitment",
            "--range", "0", "1000000000", "--tolerance", "20000000", "--json", str(out)]  # fmt: skip
    code, err = _run(argv)
    assert code == 0, err
    be = json.loads(out.read_text())["break_even"]
    assert be["converged"] is True
    tolerance = Decimal(be["tolerance"])
    assert tolerance <= Decimal(20_000_000)
    value = Decimal(be["value"])
    assert 0 < value < 10**9
    a = _lab_cost(BASE, rofr)
    b = _lab_cost(BASE, commitment, FIELD, value)
    assert abs(b - a) <= tolerance + Decimal("0.01")  # the JSON rounds the tolerance to cents


@pytest.mark.parametrize(
    ("label", "extra", "want"),
    [
        ("unknown-field", ["--break-even", "contracts.c-nope.total_usd", "--between", "open", "base"],
         "--break-even: 'contracts.c-nope.total_usd': contracts has no 'c-nope'"),
        ("not-numeric", ["--break-even", "contracts.c-rofr.match_mode", "--between", "open", "base"],
         "--break-even: 'contracts.c-rofr.match_mode' is not a number"),
        ("no-sign-change", ["--break-even", "providers.third.rates.GB200.contract", "--between", "open", "base",
                            "--range", "1", "2"],
         "does not change sign over providers.third.rates.GB200.contract in [1, 2]: $-6,307,200.00 at 1, "
         "$-4,730,400.00 at 2"),
        ("unknown-variant", ["--break-even", "contracts.c-rofr.min_exercise_block_gpus", "--between", "open", "x"],
         "--between: no variant named 'x'"),
        ("alone", ["--break-even", "contracts.c-rofr.min_exercise_block_gpus"], "--break-even and --between"),
    ],
)  # fmt: skip
def test_bad_break_even_is_one_line(hand: Path, label: str, extra: list[str], want: str) -> None:
    code, err = _run(["compare", str(hand / "base.yaml"), str(hand / "open.yaml"), *extra])
    assert code == 2
    assert len(err.strip().splitlines()) == 1, err
    assert want in err, err

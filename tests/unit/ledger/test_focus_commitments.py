"""FOCUS 1.3's Contract Commitment dataset of the frontier-lab example, against figures worked out by hand
from examples/frontier-lab.yaml, and against the dataset's requirements as the specification states them
(FOCUS_Spec, specification/datasets/contract_commitment/: the 13 columns, their nullability, the
allowed ContractCommitmentCategory values, the inclusive start and exclusive end of each period)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

from typer.testing import CliRunner

from tender.cli.app import app
from tender.config import load_scenario
from tender.ledger.focus.commitments import commitment_rows, render_commitments_csv

EXAMPLE = Path(__file__).parents[3] / "examples" / "frontier-lab.yaml"
# The dataset's columns as the specification's table lists them (dataset.md, 1.3).
SPEC_COLUMNS = [
    "BillingCurrency", "ContractCommitmentCategory", "ContractCommitmentCost", "ContractCommitmentDescription",
    "ContractCommitmentId", "ContractCommitmentPeriodEnd", "ContractCommitmentPeriodStart",
    "ContractCommitmentQuantity", "ContractCommitmentType", "ContractCommitmentUnit", "ContractId",
    "ContractPeriodEnd", "ContractPeriodStart",
]  # fmt: skip
NOT_NULL = ["ContractCommitmentCategory", "ContractCommitmentId", "ContractCommitmentPeriodEnd",
            "ContractCommitmentPeriodStart", "ContractCommitmentType", "ContractId", "ContractPeriodEnd",
            "ContractPeriodStart"]  # fmt: skip


def _read(text: str) -> tuple[list[str], dict[str, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text))
    rows = {r["ContractCommitmentId"]: r for r in reader}
    return list(reader.fieldnames or []), rows


def test_the_example_commitments_by_hand() -> None:
    header, rows = _read(render_commitments_csv(commitment_rows(load_scenario(str(EXAMPLE)))))
    assert header == SPEC_COLUMNS
    B = Decimal(1_000_000_000)
    spend = {k: (r["ContractCommitmentCost"], r["ContractCommitmentPeriodStart"], r["ContractCommitmentPeriodEnd"])
             for k, r in rows.items() if r["ContractCommitmentCategory"] == "Spend"}  # fmt: skip
    # c-primary-commit: $1.4B by month 12 (2027-06), $3.6B by month 24 (2028-06), both from 2026-07
    assert Decimal(spend["c-primary-commit/milestone-12"][0]) == Decimal("1.4") * B
    assert spend["c-primary-commit/milestone-12"][1:] == ("2026-07-01T00:00:00Z", "2027-07-01T00:00:00Z")
    assert Decimal(spend["c-primary-commit/milestone-24"][0]) == Decimal("3.6") * B
    assert Decimal(spend["c-primary-commit/total"][0]) == Decimal("3.6") * B
    # c-primary-commit-2 comes with the month-17 amendment (2027-11): $1B by 2028-06
    assert spend["c-primary-commit-2/milestone-24"][1:] == ("2027-11-01T00:00:00Z", "2028-07-01T00:00:00Z")
    assert rows["c-primary-commit-2/total"]["ContractPeriodStart"] == "2027-11-01T00:00:00Z"
    assert Decimal(spend["c-rival-a-commit/total"][0]) == Decimal("0.8") * B
    assert len(spend) == 8  # 3 commitments: 5 milestones + 3 totals
    # c-jv-take-or-pay: 90% of the campus's GB200 (0 in months 1-2, 30,000 in 3-8, 80,000 in 9-14,
    # 130,000 in 15-24) x 730 h: (6 x 30,000 + 6 x 80,000 + 10 x 130,000) x 730 x 0.9 GPU-hours, at $3.40
    top = rows["c-jv-take-or-pay/minimum"]
    hours = Decimal(6 * 30_000 + 6 * 80_000 + 10 * 130_000) * 730 * Decimal("0.9")
    assert (top["ContractCommitmentCategory"], top["ContractCommitmentUnit"]) == ("Usage", "GPU-Hours")
    assert Decimal(top["ContractCommitmentQuantity"]) == hours == 1_287_720_000
    assert Decimal(top["ContractCommitmentCost"]) == hours * Decimal("3.40")


def test_every_row_meets_the_datasets_requirements() -> None:
    _header, rows = _read(render_commitments_csv(commitment_rows(load_scenario(str(EXAMPLE)))))
    for r in rows.values():
        assert all(r[c] for c in NOT_NULL), r
        assert r["ContractCommitmentCategory"] in ("Spend", "Usage")
        assert r["ContractCommitmentCategory"] != "Spend" or r["ContractCommitmentCost"]
        assert bool(r["ContractCommitmentQuantity"]) == bool(r["ContractCommitmentUnit"])
        assert r["ContractCommitmentCost"] or r["ContractCommitmentQuantity"]
        assert r["BillingCurrency"] == "USD"
        assert r["ContractPeriodStart"] <= r["ContractCommitmentPeriodStart"]
        assert r["ContractCommitmentPeriodStart"] < r["ContractCommitmentPeriodEnd"] <= r["ContractPeriodEnd"]


def test_the_cli_writes_both_files_or_refuses(tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    runner = CliRunner()
    assert runner.invoke(app, ["plan", str(EXAMPLE), "--json", str(plan), "-q"]).exit_code == 0
    focus, commitments = tmp_path / "focus.csv", tmp_path / "commitments.csv"
    args = ["ledger", "export", str(EXAMPLE), "--plan", str(plan), "--focus", str(focus)]
    done = runner.invoke(app, [*args, "--focus-commitments", str(commitments)])
    assert done.exit_code == 0, done.output
    assert commitments.read_text() == render_commitments_csv(commitment_rows(load_scenario(str(EXAMPLE))))
    alone = tmp_path / "alone.csv"
    assert runner.invoke(app, ["ledger", "export", str(EXAMPLE), "--plan", str(plan), "--focus", str(alone)]).exit_code == 0  # fmt: skip
    assert alone.read_bytes() == focus.read_bytes()  # the FOCUS 1.0 file is the same with or without it
    refused = runner.invoke(app, ["ledger", "export", "--database-url", "sqlite://", "--focus", str(tmp_path / "x.csv"),
                                  "--focus-commitments", str(tmp_path / "y.csv")])  # fmt: skip
    assert refused.exit_code == 2
    assert refused.stderr.splitlines() == [
        "--focus-commitments: needs the SCENARIO whose commitments it lists"
    ]
    assert not (tmp_path / "x.csv").exists() and not (tmp_path / "y.csv").exists()

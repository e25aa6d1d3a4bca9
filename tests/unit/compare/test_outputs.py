"""`tender compare` outputs: the JSON and the HTML report are byte-identical on a re-run, the report is
offline (inline SVG, no script, no link out), `--json -` writes the document alone to stdout, and the
JSON carries the fields the issue lists (docs/compare-json.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tender.cli.app import app

REPO = Path(__file__).resolve().parents[3]
MINIMAL = str(REPO / "examples" / "minimal.yaml")
OPEN = "variant: {name: open, description: no rights}\ncontracts:\n  remove: [c-rofr, c-api-exclusive]\n"
BIG = "variant: {name: big-commit}\ncontracts:\n  change:\n    c-commit: {total_usd: 90000000, milestones: [{by_month: 12, cumulative_usd: 90000000}]}\n"


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[bytes, bytes]]:
    d = tmp_path_factory.mktemp("outputs")
    (d / "open.yaml").write_text(OPEN)
    (d / "big.yaml").write_text(BIG)
    out = []
    for i in range(2):
        j, h = d / f"c{i}.json", d / f"c{i}.html"
        argv = [
            "compare",
            MINIMAL,
            str(d / "open.yaml"),
            str(d / "big.yaml"),
            "--json",
            str(j),
            "--report",
            str(h),
        ]
        result = CliRunner().invoke(app, argv)
        assert result.exit_code == 0, result.output
        out.append((j.read_bytes(), h.read_bytes()))
    return out


def test_rerun_is_byte_identical(runs: list[tuple[bytes, bytes]]) -> None:
    assert runs[0] == runs[1]


def test_report_is_offline(runs: list[tuple[bytes, bytes]]) -> None:
    html = runs[0][1].decode()
    assert "<svg" in html and "<script" not in html and "http" not in html
    assert "minimal: revenue" not in html  # charts are per party, not per scenario
    assert "primary-cloud: revenue from the lab" in html
    assert "open minus minimal" in html and "big-commit minus minimal" in html


def test_json_has_the_issue_fields(runs: list[tuple[bytes, bytes]]) -> None:
    doc = json.loads(runs[0][0])
    assert doc["base"]["name"] == "minimal"
    assert [v["name"] for v in doc["variants"]] == ["minimal", "open", "big-commit"]
    for v in doc["variants"]:
        for key in ("name", "file", "lab_cost_usd", "lab_cost_breakdown_usd", "parties", "unmet_h100_eq_months",
                    "runs_missed", "delta_vs_base"):  # fmt: skip
            assert key in v
        assert {"lab_cost_usd", "parties"} <= set(v["delta_vs_base"])
        assert all({"party", "revenue_usd"} <= set(p) for p in v["parties"])


def test_json_to_stdout_is_the_document_alone(tmp_path: Path) -> None:
    (tmp_path / "open.yaml").write_text(OPEN)
    result = CliRunner().invoke(app, ["compare", MINIMAL, str(tmp_path / "open.yaml"), "--json", "-"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["schema"] == "tender.compare/1"

"""The CLI test table: every command x its bad inputs -> exit 2, exactly one line on stderr naming the
argument or file, no traceback, and nothing left in the output folder (no output, no temporary file).

The commands are listed from the Typer app itself: a command without a row fails
`test_every_command_has_rows`. Ctrl-C (a real SIGINT to a real process) is in
tests/unit/cli/test_cli_sigint.py.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from tender.cli.app import app

REPO = Path(__file__).resolve().parents[3]
MINIMAL = str(REPO / "examples" / "minimal.yaml")  # 12 months
FRONTIER = str(REPO / "examples" / "frontier-lab.yaml")  # 24 months
CASE = str(REPO / "tests" / "scenarios" / "rofr" / "decline-then-third-party.yaml")
ROBUST_CASE = str(REPO / "tests" / "scenarios" / "risk" / "book_or_buy.yaml")
POOLS = "pools:\n  - {id: local-h100, provider: p, gpu: H100, gpus: 2, backend: {kind: local}}\n"
TRACE = "job_id,submit_time_s,duration_s,num_gpus,gpu_type,user_or_vc,status\n" + "".join(
    f"j{i},{i * 50},{300 + i},1,,vc,\n" for i in range(5)
)
REFUSED_PG = "postgresql://tender@127.0.0.1:1/tender"  # nothing listens on port 1: refused at once


@dataclass(frozen=True)
class Place:
    """The files a row may use: `out` must stay empty; `tmp` holds inputs; `no` must never appear."""

    tmp: Path
    out: Path
    no: Path  # a folder that does not exist (and must still not exist afterwards)

    @property
    def missing(self) -> str:
        return str(self.tmp / "missing.yaml")


@dataclass(frozen=True)
class Row:
    command: str  # as `tender --help` spells it: "plan", "simulate gavel"
    label: str
    argv: Callable[[Place], list[str]]
    names: Callable[[Place], str]  # what the one stderr line must contain (an option or a path)


def _rows() -> list[Row]:
    def r(command: str, label: str, argv: Callable[[Place], list[str]], names: Callable[[Place], str]) -> Row:
        return Row(command, label, argv, names)

    def bad_urls(command: list[str], extra: Callable[[Place], list[str]] = lambda p: []) -> list[Row]:
        name = " ".join(w for w in command if not w.startswith("-") and w not in ("j-1", "admin"))
        return [
            r(
                name,
                "url-not-a-url",
                lambda p: [*command, *extra(p), "--database-url", "foo"],
                lambda p: "'foo'",
            ),
            r(
                name,
                "url-other-db",
                lambda p: [*command, *extra(p), "--database-url", "mysql://h/db"],
                lambda p: "mysql",
            ),
            r(
                name,
                "url-missing-folder",
                lambda p: [*command, *extra(p), "--database-url", f"sqlite:///{p.no / 'x.db'}"],
                lambda p: str(p.no),
            ),
            r(
                name,
                "url-unreachable",
                lambda p: [*command, *extra(p), "--database-url", REFUSED_PG],
                lambda p: "database",
            ),
        ]

    job = lambda p: [str(p.tmp / "job.yaml"), "--pools", str(p.tmp / "pools.yaml")]  # noqa: E731
    return [
        r("validate", "missing-file", lambda p: ["validate", p.missing], lambda p: p.missing),
        r("validate", "directory", lambda p: ["validate", str(p.tmp)], lambda p: str(p.tmp)),
        r(
            "validate",
            "json-is-dir",
            lambda p: ["validate", MINIMAL, "--json", str(p.out)],
            lambda p: "--json",
        ),
        r("catalog", "json-is-dir", lambda p: ["catalog", "--json", str(p.out)], lambda p: "--json"),
        r("catalog", "limit-zero", lambda p: ["catalog", "--limit", "0"], lambda p: "--limit"),
        r(
            "catalog",
            "max-price-negative",
            lambda p: ["catalog", "--max-price", "-1"],
            lambda p: "--max-price",
        ),
        r("catalog", "unknown-option", lambda p: ["catalog", "--bogus"], lambda p: "--bogus"),
        r("plan", "missing-file", lambda p: ["plan", p.missing], lambda p: p.missing),
        r("plan", "directory", lambda p: ["plan", str(p.tmp)], lambda p: str(p.tmp)),
        r("plan", "json-is-dir", lambda p: ["plan", MINIMAL, "-q", "--json", str(p.out)], lambda p: "--json"),
        r(
            "plan",
            "json-dev-full",
            lambda p: ["plan", MINIMAL, "-q", "--json", "/dev/full"],
            lambda p: "/dev/full",
        ),
        r(
            "plan",
            "out-under-device",
            lambda p: ["plan", MINIMAL, "-q", "--out", "/dev/full/"],
            lambda p: "/dev/full",
        ),
        r(
            "plan",
            "report-proc",
            lambda p: ["plan", MINIMAL, "-q", "--report", "/proc/version"],
            lambda p: "/proc/version",
        ),
        r(
            "plan",
            "json-missing-folder",
            lambda p: ["plan", MINIMAL, "-q", "--json", str(p.no / "dir" / "p.json")],
            lambda p: str(p.no / "dir"),
        ),
        r(
            "plan",
            "out-missing-parent",
            lambda p: ["plan", MINIMAL, "-q", "--out", str(p.no / "dir")],
            lambda p: str(p.no),
        ),
        r(
            "plan",
            "ledger-under-file",
            lambda p: ["plan", MINIMAL, "-q", "--ledger", str(p.tmp / "pools.yaml" / "l.csv")],
            lambda p: "--ledger",
        ),
        r(
            "plan",
            "unwritable-after-good",  # the first output is fine, the second cannot be written: neither is
            lambda p: ["plan", MINIMAL, "-q", "--json", str(p.out / "p.json"), "--report", "/dev/full"],
            lambda p: "--report",
        ),
        r(
            "plan",
            "time-limit-zero",
            lambda p: ["plan", MINIMAL, "--time-limit", "0"],
            lambda p: "--time-limit",
        ),
        r("plan", "gap-above-one", lambda p: ["plan", MINIMAL, "--gap", "2"], lambda p: "--gap"),
        r("plan", "seed-negative", lambda p: ["plan", MINIMAL, "--seed", "-1"], lambda p: "--seed"),
        r("plan", "seed-not-a-number", lambda p: ["plan", MINIMAL, "--seed", "abc"], lambda p: "--seed"),
        r(
            "check",
            "missing-scenario",
            lambda p: ["check", p.missing, str(p.tmp / "plan.json")],
            lambda p: p.missing,
        ),
        r("check", "plan-is-dir", lambda p: ["check", MINIMAL, str(p.tmp)], lambda p: str(p.tmp)),
        r(
            "check",
            "json-is-dir",
            lambda p: ["check", MINIMAL, str(p.tmp / "plan.json"), "--json", str(p.out)],
            lambda p: "--json",
        ),
        r(
            "simulate",
            "round-zero",
            lambda p: ["simulate", "--policy", "las_het", "--round", "0"],
            lambda p: "--round",
        ),
        r("simulate", "round-negative", lambda p: ["simulate", "--round", "-5"], lambda p: "--round"),
        r("simulate", "restore-negative", lambda p: ["simulate", "--restore", "-1"], lambda p: "--restore"),
        r(
            "simulate",
            "outages-negative",
            lambda p: ["simulate", "--outages-per-day", "-1"],
            lambda p: "--outages-per-day",
        ),
        r(
            "simulate",
            "spot-negative",
            lambda p: ["simulate", "--spot-reclaims-per-day", "-2"],
            lambda p: "--spot-reclaims-per-day",
        ),
        r(
            "simulate",
            "month-zero",
            lambda p: ["simulate", "--scenario", MINIMAL, "--month", "0"],
            lambda p: "--month",
        ),
        r(
            "simulate",
            "month-past-12",
            lambda p: ["simulate", "--scenario", MINIMAL, "--month", "13"],
            lambda p: "--month",
        ),
        r(
            "simulate",
            "month-past-24",
            lambda p: ["simulate", "--scenario", FRONTIER, "--month", "99"],
            lambda p: "--month",
        ),
        r("simulate", "missing-trace", lambda p: ["simulate", "--trace", p.missing], lambda p: p.missing),
        r(
            "simulate",
            "scenario-is-dir",
            lambda p: ["simulate", "--scenario", str(p.tmp)],
            lambda p: str(p.tmp),
        ),
        r(
            "simulate",
            "json-is-dir",
            lambda p: ["simulate", "--trace", str(p.tmp / "t.csv"), "--json", str(p.out)],
            lambda p: "--json",
        ),
        r(
            "simulate",
            "json-dev-full",
            lambda p: ["simulate", "--trace", str(p.tmp / "t.csv"), "--json", "/dev/full"],
            lambda p: "/dev/full",
        ),
        r(
            "simulate",
            "report-missing-folder",
            lambda p: ["simulate", "--trace", str(p.tmp / "t.csv"), "--report", str(p.no / "r.html")],
            lambda p: str(p.no),
        ),
        r(
            "simulate gavel",
            "max-hours-negative",
            lambda p: ["simulate", "gavel", "--max-hours", "-1"],
            lambda p: "--max-hours",
        ),
        r(
            "simulate gavel",
            "max-hours-zero",
            lambda p: ["simulate", "gavel", "--max-hours", "0"],
            lambda p: "--max-hours",
        ),
        r("simulate gavel", "rate-zero", lambda p: ["simulate", "gavel", "--rate", "0"], lambda p: "--rate"),
        r(
            "simulate gavel",
            "json-is-dir",
            lambda p: ["simulate", "gavel", "--json", str(p.out)],
            lambda p: "--json",
        ),
        r(
            "simulate compare",
            "policies-empty",
            lambda p: ["simulate", "compare", "--policies", ""],
            lambda p: "--policies",
        ),
        r(
            "simulate compare",
            "policies-commas",
            lambda p: ["simulate", "compare", "--policies", " , "],
            lambda p: "--policies",
        ),
        r(
            "simulate compare",
            "restore-negative",
            lambda p: ["simulate", "compare", "--restore", "-1"],
            lambda p: "--restore",
        ),
        r(
            "simulate compare",
            "month-past-horizon",
            lambda p: [
                "simulate",
                "compare",
                "--trace",
                str(p.tmp / "t.csv"),
                "--scenario",
                MINIMAL,
                "--month",
                "40",
            ],
            lambda p: "--month",
        ),
        r(
            "simulate compare",
            "month-zero",
            lambda p: ["simulate", "compare", "--scenario", MINIMAL, "--month", "0"],
            lambda p: "--month",
        ),
        r("rofr replay", "missing-case", lambda p: ["rofr", "replay", p.missing], lambda p: p.missing),
        r("rofr replay", "case-is-dir", lambda p: ["rofr", "replay", str(p.tmp)], lambda p: str(p.tmp)),
        r(
            "rofr replay",
            "json-is-dir",
            lambda p: ["rofr", "replay", CASE, "--json", str(p.out)],
            lambda p: "--json",
        ),
        r(
            "rofr replay",
            "json-dev-full",
            lambda p: ["rofr", "replay", CASE, "--json", "/dev/full"],
            lambda p: "/dev/full",
        ),
        r(
            "rofr replay",
            "audit-missing-folder",
            lambda p: ["rofr", "replay", CASE, "--audit", str(p.no / "a.jsonl")],
            lambda p: str(p.no),
        ),
        r(
            "rofr replay",
            "audit-after-good-json",
            lambda p: ["rofr", "replay", CASE, "--json", str(p.out / "o.json"), "--audit", "/dev/full"],
            lambda p: "--audit",
        ),
        r("audit verify", "missing-file", lambda p: ["audit", "verify", p.missing], lambda p: p.missing),
        r("audit verify", "directory", lambda p: ["audit", "verify", str(p.tmp)], lambda p: str(p.tmp)),
        r(
            "audit verify",
            "json-missing-folder",
            lambda p: ["audit", "verify", p.missing, "--json", str(p.no / "v.json")],
            lambda p: str(p.no),
        ),
        r("run", "missing-job", lambda p: ["run", p.missing], lambda p: p.missing),
        r("run", "job-is-dir", lambda p: ["run", str(p.tmp)], lambda p: str(p.tmp)),
        r(
            "run",
            "state-missing-parent",
            lambda p: ["run", *job(p), "--state", str(p.no / "st")],
            lambda p: str(p.no),
        ),
        r(
            "run",
            "pools-missing",
            lambda p: ["run", str(p.tmp / "job.yaml"), "--pools", p.missing],
            lambda p: p.missing,
        ),
        *bad_urls(["run"], job),
        *bad_urls(["jobs"]),
        *bad_urls(["logs", "j-1"]),
        *bad_urls(["cancel", "j-1"]),
        *bad_urls(["pools"], lambda p: ["--pools", str(p.tmp / "pools.yaml")]),
        r("pools", "pools-is-dir", lambda p: ["pools", "--pools", str(p.tmp)], lambda p: str(p.tmp)),
        *bad_urls(["agent", "--once"], lambda p: ["--pools", str(p.tmp / "pools.yaml")]),
        r(
            "agent",
            "interval-negative",
            lambda p: ["agent", "--once", "--interval", "-1"],
            lambda p: "--interval",
        ),
        r("agent", "interval-zero", lambda p: ["agent", "--once", "--interval", "0"], lambda p: "--interval"),
        r(
            "agent",
            "lost-after-negative",
            lambda p: ["agent", "--once", "--lost-after", "-5"],
            lambda p: "--lost-after",
        ),
        r(
            "agent",
            "scenario-without-pools",
            lambda p: ["agent", "--once", "--scenario", MINIMAL],
            lambda p: MINIMAL,
        ),
        r("serve", "log-level", lambda p: ["serve", "--log-level", "loud"], lambda p: "--log-level"),
        r("serve", "port-zero", lambda p: ["serve", "--port", "0"], lambda p: "--port"),
        r(
            "serve",
            "plan-workers-zero",
            lambda p: ["serve", "--plan-workers", "0"],
            lambda p: "--plan-workers",
        ),
        *bad_urls(["serve"]),
        r("token create", "bad-role", lambda p: ["token", "create", "--role", "emperor"], lambda p: "--role"),
        *bad_urls(["token", "create", "--role", "admin"]),
        *bad_urls(["db", "upgrade"]),
        r(
            "ledger export",
            "plan-missing",
            lambda p: ["ledger", "export", MINIMAL, "--plan", p.missing, "--focus", str(p.out / "f.csv")],
            lambda p: p.missing,
        ),
        r(
            "ledger export",
            "plan-of-nothing",
            lambda p: [
                "ledger",
                "export",
                MINIMAL,
                "--plan",
                str(p.tmp / "plan.json"),
                "--focus",
                str(p.out / "f.csv"),
            ],
            lambda p: "plan.json",
        ),
        r(
            "ledger export",
            "no-source",
            lambda p: ["ledger", "export", "--focus", str(p.out / "f.csv")],
            lambda p: "--plan",
        ),
        r(
            "ledger export",
            "commitments-without-scenario",
            lambda p: [
                "ledger",
                "export",
                "--database-url",
                "sqlite://",
                "--focus",
                str(p.out / "f.csv"),
                "--focus-commitments",
                str(p.out / "c.csv"),
            ],
            lambda p: "--focus-commitments",
        ),
        *bad_urls(["ledger", "export"], lambda p: ["--focus", str(p.out / "f.csv")]),
        r("actuals import", "missing-file", lambda p: ["actuals", "import", p.missing], lambda p: p.missing),
        r("actuals import", "directory", lambda p: ["actuals", "import", str(p.tmp)], lambda p: str(p.tmp)),
        r(
            "actuals import",
            "not-focus",
            lambda p: ["actuals", "import", str(p.tmp / "t.csv")],
            lambda p: "t.csv",
        ),
        r("actuals report", "missing-file", lambda p: ["actuals", "report", p.missing], lambda p: p.missing),
        r(
            "actuals report",
            "plan-missing",
            lambda p: ["actuals", "report", MINIMAL, "--plan", p.missing],
            lambda p: p.missing,
        ),
        r(
            "actuals report",
            "as-of-zero",
            lambda p: ["actuals", "report", MINIMAL, "--as-of", "0"],
            lambda p: "--as-of",
        ),
        *bad_urls(["actuals", "report"], lambda p: [MINIMAL]),
        r(
            "plan",
            "robust-samples-zero",
            lambda p: ["plan", ROBUST_CASE, "--robust", "--samples", "0"],
            lambda p: "--samples",
        ),
        r(
            "plan",
            "robust-eval-samples-zero",
            lambda p: ["plan", ROBUST_CASE, "--robust", "--eval-samples", "0"],
            lambda p: "--eval-samples",
        ),
        r(
            "plan",
            "robust-workers-zero",
            lambda p: ["plan", ROBUST_CASE, "--robust", "--workers", "0"],
            lambda p: "--workers",
        ),
        r(
            "plan",
            "robust-method-unknown",
            lambda p: ["plan", ROBUST_CASE, "--robust", "--method", "simplex"],
            lambda p: "--method",
        ),
        r(
            "plan",
            "method-without-robust",
            lambda p: ["plan", ROBUST_CASE, "--method", "benders"],
            lambda p: "--method",
        ),
        r(
            "plan",
            "samples-without-robust",
            lambda p: ["plan", ROBUST_CASE, "--samples", "3"],
            lambda p: "--samples",
        ),
        r("plan", "robust-nothing-uncertain", lambda p: ["plan", MINIMAL, "--robust"], lambda p: MINIMAL),
        r(
            "plan",
            "ray-without-robust",
            lambda p: ["plan", ROBUST_CASE, "--ray", "127.0.0.1:1"],
            lambda p: "--ray",
        ),
        r(
            "plan",
            "robust-ray-unreachable",
            lambda p: ["plan", ROBUST_CASE, "--robust", "--ray", "127.0.0.1:1"],
            lambda p: "127.0.0.1:1",
        ),
        r(
            "plan",
            "robust-ray-not-an-address",
            lambda p: ["plan", ROBUST_CASE, "--robust", "--ray", "nowhere"],
            lambda p: "--ray",
        ),
        r(
            "plan",
            "robust-with-actuals",
            lambda p: ["plan", ROBUST_CASE, "--robust", "--actuals"],
            lambda p: "--actuals",
        ),
        r(
            "plan",
            "robust-json-is-dir",
            lambda p: ["plan", ROBUST_CASE, "--robust", "--json", str(p.out)],
            lambda p: "--json",
        ),
        r("risk", "missing-file", lambda p: ["risk", p.missing, "--samples", "2"], lambda p: p.missing),
        r("risk", "samples-zero", lambda p: ["risk", MINIMAL, "--samples", "0"], lambda p: "--samples"),
        r(
            "risk",
            "workers-zero",
            lambda p: ["risk", MINIMAL, "--samples", "2", "--workers", "0"],
            lambda p: "--workers",
        ),
        r(
            "risk",
            "json-is-dir",
            lambda p: ["risk", MINIMAL, "--samples", "2", "--json", str(p.out)],
            lambda p: "--json",
        ),
        r(
            "risk",
            "plan-of-nothing",
            lambda p: ["risk", MINIMAL, "--samples", "2", "--plan", str(p.tmp / "plan.json")],
            lambda p: "plan.json",
        ),
        r("compare", "missing-base", lambda p: ["compare", p.missing], lambda p: p.missing),
        r("compare", "missing-variant", lambda p: ["compare", MINIMAL, p.missing], lambda p: p.missing),
        r(
            "compare",
            "unknown-contract",
            lambda p: ["compare", MINIMAL, str(p.tmp / "variant.yaml")],
            lambda p: f"{p.tmp / 'variant.yaml'}:1:22: contracts.remove[0]: unknown contract 'c-nope'",
        ),
        r("compare", "json-is-dir", lambda p: ["compare", MINIMAL, "--json", str(p.out)], lambda p: "--json"),
        r(
            "compare",
            "tolerance-not-money",
            lambda p: ["compare", MINIMAL, "--tolerance", "lots"],
            lambda p: "--tolerance",
        ),
        r(
            "compare",
            "break-even-unknown-field",
            lambda p: [
                "compare",
                MINIMAL,
                "--break-even",
                "contracts.c-nope.total_usd",
                "--between",
                "minimal",
                "minimal",
            ],
            lambda p: "--break-even",
        ),
        r(
            "compare",
            "break-even-not-numeric",
            lambda p: [
                "compare",
                MINIMAL,
                "--break-even",
                "contracts.c-rofr.match_mode",
                "--between",
                "minimal",
                "minimal",
            ],
            lambda p: "--break-even",
        ),
        r(
            "compare",
            "samples-negative",
            lambda p: ["compare", MINIMAL, "--samples", "-1"],
            lambda p: "--samples",
        ),
        r(
            "compare",
            "workers-zero",
            lambda p: ["compare", MINIMAL, "--samples", "2", "--workers", "0"],
            lambda p: "--workers",
        ),
        r(
            "compare",
            "ray-unreachable",
            lambda p: ["compare", MINIMAL, "--samples", "2", "--ray", "127.0.0.1:1"],
            lambda p: "--ray",
        ),
        r(
            "audit export",
            "url-not-a-url",
            lambda p: ["audit", "export", str(p.out / "a.jsonl"), "--database", "foo"],
            lambda p: "'foo'",
        ),
        r(
            "audit export",
            "out-missing-folder",
            lambda p: ["audit", "export", str(p.no / "a.jsonl"), "--database", f"sqlite:///{p.tmp / 'x.db'}"],
            lambda p: str(p.no),
        ),
    ]


ROWS = _rows()


def _commands(group: object, prefix: tuple[str, ...] = ()) -> set[str]:
    """Every runnable command path of the app (a group that runs on its own counts as one)."""
    found: set[str] = set()
    for name, sub in getattr(group, "commands", {}).items():
        path = (*prefix, name)
        if getattr(sub, "commands", None):
            if getattr(sub, "invoke_without_command", False):
                found.add(" ".join(path))
            found |= _commands(sub, path)
        else:
            found.add(" ".join(path))
    return found


def test_every_command_has_rows() -> None:
    commands = _commands(typer.main.get_command(app))
    covered = {row.command for row in ROWS}
    assert commands - covered == set(), "commands without a row in the CLI test table"
    assert covered - commands == set(), "rows for commands the app does not have"


@pytest.fixture
def place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Place:
    monkeypatch.setenv("TENDER_HOME", str(tmp_path / "home"))
    for name in ("TENDER_DATABASE_URL", "TENDER_RUNTIME_DATABASE_URL", "TENDER_RUNTIME_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "pools.yaml").write_text(POOLS)
    (inputs / "job.yaml").write_text("name: a\ncommand: 'true'\ngpus: 1\n")
    (inputs / "t.csv").write_text(TRACE)
    (inputs / "plan.json").write_text('{"awards": []}\n')
    (inputs / "variant.yaml").write_text("contracts: {remove: [c-nope]}\n")
    out = tmp_path / "out"
    out.mkdir()
    return Place(inputs, out, tmp_path / "no")


def _is_device(path: str) -> bool:
    return os.path.exists(path) and stat.S_ISCHR(os.stat(path).st_mode)


@pytest.mark.parametrize("row", ROWS, ids=[f"{row.command}:{row.label}" for row in ROWS])
def test_bad_input_is_one_line_and_exit_2(row: Row, place: Place) -> None:
    if "/dev/full" in row.argv(place) and not _is_device("/dev/full"):
        pytest.fail("/dev/full is not the full device any more (an earlier run renamed a file over it)")
    inputs_before = sorted(os.listdir(place.tmp))
    result = CliRunner().invoke(app, row.argv(place), env={"COLUMNS": "300"})
    lines = result.stderr.splitlines()
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert len(lines) == 1, lines
    assert row.names(place) in lines[0], lines[0]
    assert "Traceback" not in result.output and "Traceback" not in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert os.listdir(place.out) == [], "an output or a temporary file was left behind"
    assert not place.no.exists(), "a missing folder was created"
    assert sorted(os.listdir(place.tmp)) == inputs_before
    assert _is_device("/dev/full") and _is_device("/dev/null"), "a device was replaced by a file"

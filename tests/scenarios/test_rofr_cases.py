"""Every ROFR case table under tests/scenarios/rofr/ is replayed and checked against its `expect:`.

Case format: docs/rofr.md. `expect` keys (each optional):
- `notices`, `awards`, `rejected`: the whole list, in order; each entry lists the fields to check;
- `eligibility`: verdicts at the end of the case: {need, provider, allowed, reason?, clause?, at?};
- `no_notices: true` is shorthand for `notices: []`.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tender.cli.rofr import Case, load_case, parse_instant, run_case
from tender.contracts import eligibility, run_script

CASES = sorted((Path(__file__).parent / "rofr").glob("*.yaml"))


def _same(expected: Any, actual: Any) -> bool:
    if isinstance(expected, dict) and isinstance(actual, dict):
        return all(k in actual and _same(v, actual[k]) for k, v in expected.items())
    if isinstance(expected, (Decimal, int)) and not isinstance(expected, bool) and isinstance(actual, str):
        return Decimal(actual) == Decimal(expected)
    if isinstance(expected, str) and isinstance(actual, str) and expected.endswith("Z"):
        return parse_instant(expected) == parse_instant(actual)
    return bool(expected == actual)


def _check_list(name: str, expected: list[Any], actual: list[dict[str, Any]]) -> None:
    assert len(actual) == len(expected), f"{name}: expected {len(expected)}, got {len(actual)}:\n{actual}"
    for i, (want, got) in enumerate(zip(expected, actual, strict=True)):
        assert _same(want, got), f"{name}[{i}]: expected {want}\n got {got}"


def _check_eligibility(case: Case, checks: list[dict[str, Any]]) -> None:
    state, _ = run_script(case.scenario, case.script)
    last = case.script[-1][0]
    for check in checks:
        at = parse_instant(check["at"]) if "at" in check else last
        verdict = eligibility(case.scenario, state.needs[check["need"]], check["provider"], at, state)
        got = {"allowed": verdict.allowed, "reason": verdict.reason, "clause": verdict.clause}
        want = {k: check[k] for k in ("allowed", "reason", "clause") if k in check}
        assert _same(want, got), f"eligibility {check}: got {got} ({verdict.message})"


def test_at_least_forty_cases() -> None:
    assert len(CASES) >= 40


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_rofr_case(path: Path) -> None:
    case = load_case(path)
    assert case.expect, f"{path.name} has no `expect:` section"
    document = run_case(case)
    expect = case.expect
    if expect.get("no_notices"):
        _check_list("notices", [], document["notices"])
    for key in ("notices", "awards", "rejected"):
        if key in expect:
            _check_list(key, expect[key], document[key])
    if "eligibility" in expect:
        _check_eligibility(case, expect["eligibility"])
    # every event names its clause whenever a notice is involved
    assert all(e["clause"] for e in document["events"] if e["notice"]), document["events"]
    # replaying the same case gives the same audit head
    assert run_case(case)["audit_head"] == document["audit_head"]

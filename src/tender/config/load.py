"""Read, validate and convert a scenario file: `load_scenario(path) -> Scenario` or `InputError`.

Flow:
1. read the file (missing, empty, binary and non-UTF-8 files are problems, not tracebacks);
2. parse YAML keeping every value's line and column, refusing duplicate keys;
3. validate the structure with pydantic (`schema.py`), each contract by its `type`;
4. check cross-references and months (`crossrefs.py`);
5. resolve catalog list prices (`on_demand: {catalog: ...}`);
6. convert to frozen domain objects (`convert.py`).
Every problem found in steps 3-5 is reported together, sorted by line.
"""

from __future__ import annotations

import difflib
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from tender.config.convert import to_scenario
from tender.config.crossrefs import check_scenario
from tender.config.errors import FieldPath, InputError, Problem, format_path, from_validation_error
from tender.config.schema import CatalogRefIn, ScenarioIn
from tender.config.schema_contracts import CONTRACT_MODELS, ClauseIn
from tender.config.yamlpos import Positions, load_yaml, read_text
from tender.domain import Scenario


def load_scenario(path: str) -> Scenario:
    """Load and validate a scenario file. Raises `InputError` listing every problem."""
    return load_scenario_text(read_text(path), path)


def load_scenario_text(text: str, file: str) -> Scenario:
    data, positions = load_yaml(text, file)
    return load_scenario_data(data, positions, file)


def load_scenario_data(data: Any, positions: Positions, file: str) -> Scenario:
    """Steps 3-6 on already parsed data (a variant's overlay merged onto its base: `overlay.py`)."""
    if not isinstance(data, dict):
        line, col = positions.locate(())
        raise InputError(
            [
                Problem(
                    file,
                    line,
                    col,
                    "",
                    "a scenario must be a mapping with `scenario:`, `gpu_catalog:`, "
                    "`providers:` ... (see examples/minimal.yaml)",
                )
            ]
        )
    problems: list[Problem] = []
    try:
        model = ScenarioIn.model_validate(data)
    except ValidationError as exc:
        problems.extend(from_validation_error(exc, data, positions, file, model=ScenarioIn))
        model = None
    contracts = _contracts(data.get("contracts"), positions, file, problems)
    added = _added_contracts(data.get("amendments"), positions, file, problems)
    if model is not None and not problems:
        for path, message in check_scenario(model, contracts, added):
            problems.append(_at(positions, file, path, message))
    catalog_rates: dict[tuple[str, str], Decimal] = {}
    if model is not None and not problems:
        catalog_rates = _catalog_rates(model, positions, file, problems)
    if problems or model is None:
        raise InputError(sorted(problems, key=lambda p: (p.line, p.column, p.path)))
    return to_scenario(model, [c for _, c in contracts], added, catalog_rates)


def _at(positions: Positions, file: str, path: FieldPath, message: str) -> Problem:
    line, col = positions.locate(path)
    return Problem(file, line, col, format_path(path), message)


def _clause(
    raw: Any, base: FieldPath, positions: Positions, file: str, problems: list[Problem]
) -> ClauseIn | None:
    if not isinstance(raw, dict):
        return None  # reported by the outer schema
    kind = raw.get("type")
    model = CONTRACT_MODELS.get(kind) if isinstance(kind, str) else None
    if model is None:
        valid = ", ".join(CONTRACT_MODELS)
        if kind is None:
            problems.append(_at(positions, file, base, f"contract has no `type` (one of: {valid})"))
        else:
            close = difflib.get_close_matches(str(kind), list(CONTRACT_MODELS), n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"one of: {valid}"
            problems.append(_at(positions, file, (*base, "type"), f"unknown contract type '{kind}' ({hint})"))
        return None
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems.extend(from_validation_error(exc, raw, positions, file, prefix=base, model=model))
        return None


def _contracts(
    raw: Any, positions: Positions, file: str, problems: list[Problem]
) -> list[tuple[int, ClauseIn]]:
    out: list[tuple[int, ClauseIn]] = []
    for i, item in enumerate(raw if isinstance(raw, list) else []):
        clause = _clause(item, ("contracts", i), positions, file, problems)
        if clause is not None:
            out.append((i, clause))
    return out


def _added_contracts(
    raw: Any, positions: Positions, file: str, problems: list[Problem]
) -> dict[int, dict[int, ClauseIn]]:
    out: dict[int, dict[int, ClauseIn]] = {}
    for i, amendment in enumerate(raw if isinstance(raw, list) else []):
        changes = amendment.get("changes") if isinstance(amendment, dict) else None
        for j, change in enumerate(changes if isinstance(changes, list) else []):
            if (
                isinstance(change, dict)
                and change.get("action") == "add_contract"
                and isinstance(change.get("contract"), dict)
            ):
                path: FieldPath = ("amendments", i, "changes", j, "contract")
                clause = _clause(change["contract"], path, positions, file, problems)
                if clause is not None:
                    out.setdefault(i, {})[j] = clause
    return out


def _catalog_rates(
    model: ScenarioIn, positions: Positions, file: str, problems: list[Problem]
) -> dict[tuple[str, str], Decimal]:
    refs = [
        (pid, gpu, r.on_demand)
        for pid, p in model.providers.items()
        for gpu, r in p.rates.items()
        if isinstance(r.on_demand, CatalogRefIn)
    ]
    if not refs:
        return {}
    from tender.catalog import list_price  # the shipped price catalog (loaded only when referenced)

    out: dict[tuple[str, str], Decimal] = {}
    for pid, gpu, ref in refs:
        assert isinstance(ref, CatalogRefIn)
        try:
            price = list_price(ref.catalog, ref.gpu or gpu, ref.region)
        except ValueError as exc:  # unknown provider or accelerator name in the catalog
            problems.append(
                _at(positions, file, ("providers", pid, "rates", gpu, "on_demand", "catalog"), f"{exc}")
            )
            continue
        if price is None:
            where = f" in region {ref.region}" if ref.region else ""
            problems.append(
                _at(
                    positions,
                    file,
                    ("providers", pid, "rates", gpu, "on_demand", "catalog"),
                    f"the catalog has no valid on-demand price for {ref.gpu or gpu} at '{ref.catalog}'{where} "
                    "(see `tender catalog --gpu ...` for what it lists)",
                )
            )
        else:
            out[(pid, gpu)] = price
    return out

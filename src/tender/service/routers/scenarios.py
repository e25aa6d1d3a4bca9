"""/api/v1/scenarios: upload (admin), validate and list (lab roles). Bad YAML is a 422 naming line and field."""

from __future__ import annotations

import yaml
from fastapi import APIRouter, Request, Response

from tender.config import InputError, load_scenario_text
from tender.config.errors import InputLimitError, Problem
from tender.domain import Scenario
from tender.ledger.sql import plan_store
from tender.ledger.sql.models import ScenarioRow
from tender.service.auth import Admin, LabUser, Principal
from tender.service.context import ctx_of
from tender.service.errors import ApiError
from tender.service.paging import TOTAL_HEADERS, PageParams, PageQ, set_total
from tender.service.payloads import ErrorOut, ProblemOut, ScenarioIn, ScenarioOut, ValidationOut

router = APIRouter(prefix="/api/v1/scenarios", tags=["scenarios"])


def parse(name: str, text: str) -> tuple[Scenario | None, list[ProblemOut]]:
    """The scenario, or every problem; a document refused by a limit (size, depth, aliases) is a 422."""
    try:
        return load_scenario_text(text, name), []
    except InputLimitError as exc:
        raise invalid([_problem(p) for p in exc.problems], "input_too_large") from None
    except InputError as exc:
        return None, [_problem(p) for p in exc.problems]
    except RecursionError:
        return None, [ProblemOut(file=name, line=1, column=1, field="", message="document nested too deeply")]
    except yaml.YAMLError as exc:  # e.g. a control character the YAML reader refuses before parsing
        mark = getattr(exc, "problem_mark", None)
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        message = str(getattr(exc, "problem", None) or exc).splitlines()[0]
        return None, [
            ProblemOut(file=name, line=line, column=column, field="", message=f"not valid YAML: {message}")
        ]


def _problem(p: Problem) -> ProblemOut:
    return ProblemOut(file=p.file, line=p.line, column=p.column, field=p.path, message=p.message)


def invalid(problems: list[ProblemOut], code: str = "invalid_scenario") -> ApiError:
    first = problems[0]
    return ApiError(
        422,
        code,
        f"{first.file}:{first.line}:{first.column}: {first.field + ': ' if first.field else ''}{first.message}"
        + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""),
        f"yaml.{first.field}" if first.field else "yaml",
        problems,
    )


def out(row: ScenarioRow) -> ScenarioOut:
    return ScenarioOut(
        id=row.id,
        name=row.name,
        scenario_id=row.scenario_id,
        sha256=row.sha256,
        created_at=row.created_at,
        created_by=row.created_by,
    )


@router.post("", status_code=201, response_model=ScenarioOut, responses={422: {"model": ErrorOut}})
def upload_scenario(body: ScenarioIn, request: Request, who: Principal = Admin) -> ScenarioOut:
    scenario, problems = parse(body.name, body.yaml)
    if scenario is None:
        raise invalid(problems)
    ctx = ctx_of(request)
    with ctx.db.write() as session:
        row = plan_store.add_scenario(
            session, name=body.name, scenario_id=scenario.id, text=body.yaml, actor=who.actor, now=ctx.now()
        )
        return out(row)


@router.post("/validate", response_model=ValidationOut, responses={422: {"model": ErrorOut}})
def validate_scenario(body: ScenarioIn, _who: Principal = LabUser) -> ValidationOut:
    scenario, problems = parse(body.name, body.yaml)
    return ValidationOut(
        valid=scenario is not None, scenario_id=scenario.id if scenario else None, problems=problems
    )


@router.get("", response_model=list[ScenarioOut], responses={200: {"headers": TOTAL_HEADERS}})
def list_scenarios(
    request: Request, response: Response, params: PageParams = PageQ, _who: Principal = LabUser
) -> list[ScenarioOut]:
    with ctx_of(request).db.read() as session:
        found = plan_store.list_scenarios(session, params.offset, params.limit)
    set_total(request, response, params, found.total)
    return [out(row) for row in found.items]


@router.get("/{scenario_id:int}", response_model=ScenarioOut)
def get_scenario(scenario_id: int, request: Request, _who: Principal = LabUser) -> ScenarioOut:
    """`scenario_id` is digits only: `/scenarios/validate` is never read as an id."""
    with ctx_of(request).db.read() as session:
        row = plan_store.get_scenario(session, scenario_id)
        if row is None:
            raise ApiError(404, "not_found", f"no scenario {scenario_id}", "scenario_id")
        return out(row)

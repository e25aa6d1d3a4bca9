"""/api/v1/jobs: submit, list, get and cancel jobs of the live runtime; `tender agent` runs them.

Who: a `team:NAME` token submits jobs and sees / cancels only its team's (another team's job answers 404,
as if it did not exist); admin and planner see every job (also those queued with `tender run`); admin may
cancel any. Providers get 403.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Body, Depends, Request, Response

from tender.service import job_queue
from tender.service.auth import Principal, deny, require
from tender.service.context import ctx_of
from tender.service.errors import ApiError
from tender.service.paging import TOTAL_HEADERS, PageParams, PageQ, set_total
from tender.service.payloads import ErrorOut, JobCancelOut, JobOut, ProblemOut

router = APIRouter(prefix="/api/v1/jobs", tags=["jobs"])

Team = Depends(require("team"))
Reader = Depends(require("admin", "planner", "team"))
Canceller = Depends(require("admin", "team"))
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorOut}}

SPEC_EXAMPLES = {
    "tender": {
        "summary": "Tender job spec",
        "value": {"name": "train-7b", "command": "python train.py", "gpus": 8, "accelerators": ["H100"]},
    },
    "skypilot": {
        "summary": "SkyPilot task",
        "value": {"name": "train-7b", "run": "python train.py", "resources": {"accelerators": "H100:8"}},
    },
}


def _epoch(value: float) -> datetime:
    return datetime.fromtimestamp(value, tz=UTC)


def _out(job: job_queue.Job) -> JobOut:
    r = job.row
    return JobOut(
        id=r["id"],
        name=r["name"],
        state=r["state"],
        reason=r["reason"],
        reason_code=r["reason_code"],
        clause=r["reason_clause"],
        gpus=r["gpus"],
        accelerators=[a for a in str(r["gpu_types"]).split(",") if a],
        workload_class=r["workload_class"],
        workload=r["workload"],
        max_retries=r["max_retries"],
        retries=r["retries"],
        attempts=r["attempts"],
        pool=r["pool_id"],
        cancel_requested=bool(r["cancel_requested"]),
        gpu_hours=job.gpu_hours,
        team=job.team,
        submitted_by=job.submitted_by,
        submitted_at=_epoch(r["submitted_at"]),
        updated_at=_epoch(r["updated_at"]),
    )


def _invalid(exc: job_queue.InputError) -> ApiError:
    problems = [
        ProblemOut(file=p.file, line=p.line, column=p.column, field=p.path, message=p.message)
        for p in exc.problems
    ]
    first = exc.problems[0] if exc.problems else None
    message = f"{first.path}: {first.message}" if first and first.path else (first.message if first else "")
    return ApiError(
        422, "invalid_job", message or "invalid job spec", first.path if first else None, problems
    )


@router.post("", status_code=201, response_model=JobOut, responses={422: {"model": ErrorOut}})
def submit_job(
    request: Request,
    spec: dict[str, Any] = Body(
        ...,
        description="A Tender job spec (name, command, gpus, accelerators, workload_class, workload, "
        "max_retries, env) or a SkyPilot task (name, run, setup, envs, resources.accelerators), as JSON.",
        openapi_examples=SPEC_EXAMPLES,  # type: ignore[arg-type]
    ),
    who: Principal = Team,
) -> JobOut:
    ctx = ctx_of(request)
    with ctx.db.write() as session:
        try:
            parsed = job_queue.parse_spec(spec, job_queue.runtime_config(session), ctx.now().timestamp())
        except job_queue.InputError as exc:
            raise _invalid(exc) from None
        job_id = job_queue.submit(session, parsed, team=who.subject, submitted_by=who.actor, now=ctx.now())
        job = job_queue.job(session, job_id)
    assert job is not None
    return _out(job)


@router.get("", response_model=list[JobOut], responses={200: {"headers": TOTAL_HEADERS}})
def list_jobs(
    request: Request, response: Response, params: PageParams = PageQ, who: Principal = Reader
) -> list[JobOut]:
    """Newest first; a team sees only its own team's jobs."""
    team = who.subject if who.role == "team" else None
    with ctx_of(request).db.read() as session:
        found = job_queue.jobs(session, team=team, offset=params.offset, limit=params.limit)
        total = job_queue.job_count(session, team=team)
    set_total(request, response, params, total)
    return [_out(j) for j in found]


def _visible(request: Request, who: Principal, job_id: str) -> job_queue.Job:
    with ctx_of(request).db.read() as session:
        job = job_queue.job(session, job_id)
    if job is None or (who.role == "team" and job.team != who.subject):
        if job is not None:  # another team's job: answered as if it did not exist, and audited
            raise deny(request, who, 404, "not_found", f"no job {job_id}", "job_id")
        raise ApiError(404, "not_found", f"no job {job_id}", "job_id")
    return job


@router.get("/{job_id}", response_model=JobOut, responses=NOT_FOUND)
def get_job(job_id: str, request: Request, who: Principal = Reader) -> JobOut:
    return _out(_visible(request, who, job_id))


@router.post("/{job_id}/cancel", response_model=JobCancelOut, responses=NOT_FOUND)
def cancel_job(job_id: str, request: Request, who: Principal = Canceller) -> JobCancelOut:
    _visible(request, who, job_id)
    ctx = ctx_of(request)
    with ctx.db.write() as session:
        done = job_queue.request_cancel(session, job_id, actor=who.actor, now=ctx.now())
        job = job_queue.job(session, job_id)
    assert job is not None
    return JobCancelOut(id=job_id, cancelled=done, job=_out(job))

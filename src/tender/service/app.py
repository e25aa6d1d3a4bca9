"""`create_app(settings)`: the FastAPI application — API, dashboard, provider portal and ops endpoints.

Start-up (lifespan), in order:
1. connect (`Database`), migrate to head (advisory-locked on PostgreSQL, so several processes can start);
2. expire every notice whose deadline passed while no server was running;
3. start the deadline task: every `expiry_interval_seconds` it asks the injected `Clock` for now and
   resolves notices past their deadline (all processes may run it; the store makes it exactly-once);
4. serve. Shut-down cancels the task, waits for running plans, and closes the pools.

Every request passes `observe` (timing, access log), then `edge.Edge` (500s without a connection reset,
security headers, the cookie's Origin check, body limits), then the routers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor

from fastapi import FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool

from tender.ledger.sql import Database, notice_store, upgrade
from tender.ledger.sql.audit_key import resolve_key
from tender.service import docs, errors, rofr
from tender.service.context import Context, TokenCache
from tender.service.edge import Edge
from tender.service.metrics import Metrics
from tender.service.routers import (
    audit,
    comparisons,
    jobs,
    ledger,
    needs,
    notices,
    ops,
    plans,
    scenarios,
    skypilot,
    studies,
    tokens,
)
from tender.service.settings import Settings
from tender.service.web import actuals_page, comparisons_page, pages

log = logging.getLogger("tender.service")
access = logging.getLogger("tender.service.access")


async def _deadline_loop(ctx: Context) -> None:
    while True:
        await asyncio.sleep(ctx.settings.expiry_interval_seconds)
        try:
            await run_in_threadpool(rofr.expire_due, ctx)
        except Exception:  # keep ticking; the next round retries
            log.exception("deadline task failed")


def _db_numbers(db: Database) -> Callable[[], tuple[dict[str, int], int]]:
    def read() -> tuple[dict[str, int], int]:
        with db.read() as session:
            return notice_store.count_by_status(session), notice_store.missed_deadlines(session)

    return read


def create_app(settings: Settings | None = None) -> FastAPI:
    """1. the context (database, metrics, plan pool, token cache); 2. the app with its lifespan;
    3. error handlers, offline docs, the edge policy and the request log; 4. every router."""
    settings = settings or Settings()
    ctx = _context(settings)
    app = FastAPI(
        title="Tender",
        version="1",
        description=(
            "Contract-aware compute broker: scenarios, plans, ROFR needs and notices, jobs (run by "
            "`tender agent`), ledger, audit."
        ),
        lifespan=_lifespan(ctx),
        docs_url=None,  # /docs is served offline by `docs.install` (no CDN)
        redoc_url=None,
    )
    app.state.ctx = ctx
    errors.install(app)
    docs.install(app)
    app.add_middleware(Edge)  # inside `observe` (added next), so refusals and 500s are timed and logged

    _observe(app, ctx.metrics)

    for module in (
        ops,
        tokens,
        scenarios,
        plans,
        studies,
        comparisons,
        needs,
        notices,
        jobs,
        ledger,
        audit,
        skypilot,
        pages,
        actuals_page,
        comparisons_page,
    ):
        app.include_router(module.router)
    return app


def _context(settings: Settings) -> Context:
    db = Database(settings.database_url, audit_key=resolve_key(settings.audit_key))
    metrics = Metrics()
    metrics.watch_db(_db_numbers(db))
    return Context(
        settings=settings,
        db=db,
        clock=settings.clock,
        metrics=metrics,
        plans=ThreadPoolExecutor(max_workers=max(1, settings.plan_workers), thread_name_prefix="tender-plan"),
        tokens=TokenCache(settings.token_cache_seconds),
    )


def _lifespan(ctx: Context) -> Callable[[FastAPI], contextlib.AbstractAsyncContextManager[None]]:
    settings, db = ctx.settings, ctx.db

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if settings.migrate_on_start:
            revision = await run_in_threadpool(upgrade, db)
            log.info("database ready", extra={"dialect": db.dialect, "revision": revision})
        await run_in_threadpool(rofr.expire_due, ctx)
        task = asyncio.create_task(_deadline_loop(ctx)) if settings.background_tasks else None
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            ctx.plans.shutdown(wait=True, cancel_futures=True)
            db.dispose()

    return lifespan


def _observe(app: FastAPI, metrics: Metrics) -> None:
    """Time and log every request (its route, status and actor)."""

    @app.middleware("http")
    async def observe(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        started = time.perf_counter()
        status = 500
        try:
            response = await call_next(request)
            status = response.status_code
            return response
        finally:
            elapsed = time.perf_counter() - started
            route = getattr(request.scope.get("route"), "path", "unmatched")
            metrics.request_seconds.labels(request.method, route, str(status)).observe(elapsed)
            access.info(
                "request",
                extra={
                    "method": request.method,
                    "path": request.url.path,
                    "route": route,
                    "status": status,
                    "ms": round(elapsed * 1000, 2),
                    "actor": getattr(request.state, "actor", None),
                },
            )

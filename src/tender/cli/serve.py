"""`tender serve`: the REST API, dashboard and provider portal in one process (uvicorn)."""

from __future__ import annotations

from typing import Literal

import typer

from tender.cli.output import console, fail_bad_input

DB_HELP = "Database URL (sqlite:///PATH or postgresql://...). Default: $TENDER_DATABASE_URL, then $TENDER_HOME/tender.db."


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        host: str = typer.Option("127.0.0.1", help="Address to bind."),
        port: int = typer.Option(8000, min=1, max=65535, help="TCP port."),
        database_url: str | None = typer.Option(
            None, "--database-url", envvar="TENDER_DATABASE_URL", help=DB_HELP
        ),
        log_level: Literal["debug", "info", "warning", "error"] = typer.Option("info", help="Log level."),
        expiry_interval: float = typer.Option(1.0, min=0.05, help="Seconds between deadline checks."),
        plan_workers: int = typer.Option(1, min=1, max=16, help="Plans solved at once (each uses a core)."),
        secure_cookies: bool = typer.Option(
            False, "--secure-cookies", help="Set the session cookie's Secure flag (serve behind HTTPS)."
        ),
        public: list[str] = typer.Option(
            [], "--public", help="Answer this ops endpoint without a token: readyz | metrics (repeatable)."
        ),
    ) -> None:
        """Serve the API (/api/v1, OpenAPI at /docs), the dashboard (/) and the provider portal (/portal)."""
        import uvicorn

        from tender.ledger.sql import check_reachable
        from tender.service import Settings, create_app
        from tender.service.logs import configure
        from tender.service.settings import OPS_ENDPOINTS

        unknown = sorted(set(public) - set(OPS_ENDPOINTS))
        if unknown:
            fail_bad_input(f"--public: unknown endpoint {unknown[0]!r} (choose from readyz, metrics)")
        configure(log_level)
        settings = Settings(
            database_url=database_url,
            expiry_interval_seconds=expiry_interval,
            plan_workers=plan_workers,
            secure_cookies=secure_cookies,
            public_endpoints=frozenset({"healthz", *public}),
        )
        url = check_reachable(database_url)  # a bad or unreachable URL: one line, exit 2
        shown = url.split("@")[-1] if "@" in url else url
        console.print(f"tender serve: http://{host}:{port}/ (database {shown})", markup=False)
        uvicorn.run(create_app(settings), host=host, port=port, log_config=None, access_log=False)

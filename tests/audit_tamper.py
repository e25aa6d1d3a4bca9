"""What an intruder with database access does to the audit chain (imported by name, like serve_process)."""

from __future__ import annotations

import sqlite3


def cut_audit_tail(db_url: str, count: int) -> None:
    """What an intruder with database access does: drop the append-only guard, delete the last records."""
    if db_url.startswith("sqlite:///"):
        con = sqlite3.connect(db_url.removeprefix("sqlite:///"))
        con.execute("DROP TRIGGER audit_records_no_delete")
        con.execute(
            "DELETE FROM audit_records WHERE seq > (SELECT MAX(seq) FROM audit_records) - ?", (count,)
        )
        con.commit()
        con.close()
        return
    import psycopg

    with psycopg.connect(db_url.replace("postgresql+psycopg://", "postgresql://")) as con:
        con.execute("ALTER TABLE audit_records DISABLE TRIGGER audit_records_append_only")
        con.execute(
            "DELETE FROM audit_records WHERE seq > (SELECT MAX(seq) FROM audit_records) - %s", (count,)
        )
        con.execute("ALTER TABLE audit_records ENABLE TRIGGER audit_records_append_only")

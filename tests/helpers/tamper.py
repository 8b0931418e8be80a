"""What someone with a database shell could do: switch the record protections off first."""

from __future__ import annotations

from typing import Any

AUDIT_TRIGGERS_SQLITE = ("trg_audit_events_update", "trg_audit_events_delete")


def disable_audit_protection(connection: Any, dialect: str = "sqlite") -> None:
    """Drop (SQLite) or disable (PostgreSQL) the triggers that keep the audit log append-only.

    ``connection`` is a DB-API or SQLAlchemy connection (anything with ``exec_driver_sql`` or
    ``execute`` taking a plain SQL string).
    """
    statements = (
        ["ALTER TABLE audit_events DISABLE TRIGGER USER"]
        if dialect == "postgresql"
        else [f"DROP TRIGGER IF EXISTS {name}" for name in AUDIT_TRIGGERS_SQLITE]
    )
    run = getattr(connection, "exec_driver_sql", None) or connection.execute
    for statement in statements:
        run(statement)

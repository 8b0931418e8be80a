"""What a client reported is kept as given: answer sheets and pain maps are never changed or
removed, by any program.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04

The app already files a correction as a new record naming the one it replaces, and refuses to
take a client away (undo, a chart file's replace) while their own reports are on file. These
triggers hold every other road to the same rule: an UPDATE of what was answered, or a DELETE, is
refused on SQLite and PostgreSQL. The one change allowed is the database's own: a link set to
nothing when the draft visit or the provider it names is removed (``ON DELETE SET NULL``).
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEPT = "What a client reported (an answer sheet, a pain map) is never changed or removed."

# The columns that hold what was reported, and the links that may only be set to nothing.
TABLES = {
    "outcome_records": (
        "id", "client_id", "measure", "measure_version", "answers", "activities", "source",
        "taken_on", "recorded_at", "replaces_id", "reason",
    ),
    "pain_maps": (
        "id", "client_id", "instrument", "instrument_version", "map_version", "regions",
        "symptoms", "three_months", "source", "taken_on", "recorded_at", "replaces_id", "reason",
    ),
}  # fmt: skip
LINKS = ("visit_id", "recorded_by_id")


def _changed(dialect: str, table: str) -> str:
    if dialect == "postgresql":
        content = [f"NEW.{c}::text IS DISTINCT FROM OLD.{c}::text" for c in TABLES[table]]
        links = [f"(NEW.{c} IS DISTINCT FROM OLD.{c} AND NEW.{c} IS NOT NULL)" for c in LINKS]
    else:
        content = [f"NEW.{c} IS NOT OLD.{c}" for c in TABLES[table]]
        links = [f"(NEW.{c} IS NOT OLD.{c} AND NEW.{c} IS NOT NULL)" for c in LINKS]
    return " OR ".join(content + links)


def _sqlite(table: str) -> tuple[str, ...]:
    return (
        f"""CREATE TRIGGER trg_{table}_update BEFORE UPDATE ON {table}
        WHEN {_changed("sqlite", table)}
        BEGIN SELECT RAISE(ABORT, '{KEPT}'); END""",
        f"""CREATE TRIGGER trg_{table}_delete BEFORE DELETE ON {table}
        BEGIN SELECT RAISE(ABORT, '{KEPT}'); END""",
    )


def _postgres(table: str) -> tuple[str, ...]:
    return (
        f"""CREATE FUNCTION mc_keep_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP IN ('DELETE', 'TRUNCATE') THEN
                RAISE EXCEPTION '{KEPT}' USING ERRCODE = 'integrity_constraint_violation';
            ELSIF {_changed("postgresql", table)} THEN
                RAISE EXCEPTION '{KEPT}' USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            RETURN NEW;
        END $$""",
        f"""CREATE TRIGGER trg_{table}_kept BEFORE UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION mc_keep_{table}()""",
        f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER trg_{table}_kept",
        f"""CREATE TRIGGER trg_{table}_truncate BEFORE TRUNCATE ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION mc_keep_{table}()""",
        f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER trg_{table}_truncate",
    )


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table in TABLES:
        for statement in _postgres(table) if dialect == "postgresql" else _sqlite(table):
            op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError(
        "Schema 0018 has no downgrade; restore the backup taken before the upgrade instead."
    )

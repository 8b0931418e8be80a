"""Close two holes in the record protections: REPLACE over a signed visit, and an editable audit log.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23

SQLite's ``INSERT OR REPLACE`` deletes the conflicting row without firing DELETE triggers (unless
``recursive_triggers`` is on), so a signed visit or an addendum could be replaced wholesale from
a SQLite shell; BEFORE INSERT triggers now refuse an insert whose id belongs to a signed visit or
an existing addendum. The audit log refuses UPDATE and DELETE on both databases: the chain shows
an altered or removed row, and now the database refuses to let one go quietly at the end.
(PostgreSQL has no REPLACE; ``ON CONFLICT DO UPDATE`` fires the UPDATE triggers of 0002.)
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SIGNED_VISIT = "This visit is signed and cannot be changed; add an addendum instead."
ADDENDUM = "An addendum cannot be changed or removed once written."
AUDIT = "The audit log cannot be changed or shortened."

SQLITE_TRIGGERS = (
    f"""CREATE TRIGGER trg_visits_signed_replace BEFORE INSERT ON visits
    WHEN EXISTS (SELECT 1 FROM visits WHERE id = NEW.id AND status = 'signed')
    BEGIN SELECT RAISE(ABORT, '{SIGNED_VISIT}'); END""",
    f"""CREATE TRIGGER trg_addenda_replace BEFORE INSERT ON addenda
    WHEN EXISTS (SELECT 1 FROM addenda WHERE id = NEW.id)
    BEGIN SELECT RAISE(ABORT, '{ADDENDUM}'); END""",
    f"""CREATE TRIGGER trg_audit_events_update BEFORE UPDATE ON audit_events
    BEGIN SELECT RAISE(ABORT, '{AUDIT}'); END""",
    f"""CREATE TRIGGER trg_audit_events_delete BEFORE DELETE ON audit_events
    BEGIN SELECT RAISE(ABORT, '{AUDIT}'); END""",
    f"""CREATE TRIGGER trg_audit_events_replace BEFORE INSERT ON audit_events
    WHEN EXISTS (SELECT 1 FROM audit_events WHERE seq = NEW.seq)
    BEGIN SELECT RAISE(ABORT, '{AUDIT}'); END""",
)
SQLITE_NAMES = (
    "trg_visits_signed_replace",
    "trg_addenda_replace",
    "trg_audit_events_update",
    "trg_audit_events_delete",
    "trg_audit_events_replace",
)

POSTGRES_STATEMENTS = (
    f"""CREATE FUNCTION mc_guard_audit() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{AUDIT}' USING ERRCODE = 'integrity_constraint_violation';
    END $$""",
    """CREATE TRIGGER trg_audit_events_immutable BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION mc_guard_audit()""",
    """CREATE TRIGGER trg_audit_events_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION mc_guard_audit()""",
)


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRES_STATEMENTS if postgres else SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS trg_audit_events_truncate ON audit_events")
        op.execute("DROP TRIGGER IF EXISTS trg_audit_events_immutable ON audit_events")
        op.execute("DROP FUNCTION IF EXISTS mc_guard_audit()")
        return
    for name in SQLITE_NAMES:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")

"""Database triggers: a signed visit, its marks and billing lines, and addenda never change.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SIGNED_VISIT = "This visit is signed and cannot be changed; add an addendum instead."
SIGNED_CHILD = "This visit is signed: its chart and billing cannot be changed."
ADDENDUM = "An addendum cannot be changed or removed once written."

SQLITE_TRIGGERS = (
    f"""CREATE TRIGGER trg_visits_signed_update BEFORE UPDATE ON visits
    WHEN OLD.status = 'signed'
    BEGIN SELECT RAISE(ABORT, '{SIGNED_VISIT}'); END""",
    f"""CREATE TRIGGER trg_visits_signed_delete BEFORE DELETE ON visits
    WHEN OLD.status = 'signed'
    BEGIN SELECT RAISE(ABORT, '{SIGNED_VISIT}'); END""",
    *(
        f"""CREATE TRIGGER trg_{table}_signed_{event.lower()} BEFORE {event} ON {table}
    WHEN (SELECT status FROM visits WHERE id = {row}.visit_id) = 'signed'
    BEGIN SELECT RAISE(ABORT, '{SIGNED_CHILD}'); END"""
        for table in ("marks", "billing_lines")
        for event, row in (("INSERT", "NEW"), ("UPDATE", "OLD"), ("DELETE", "OLD"))
    ),
    *(
        f"""CREATE TRIGGER trg_addenda_{event.lower()} BEFORE {event} ON addenda
    BEGIN SELECT RAISE(ABORT, '{ADDENDUM}'); END"""
        for event in ("UPDATE", "DELETE")
    ),
)

POSTGRES_STATEMENTS = (
    f"""CREATE FUNCTION mc_guard_signed_visit() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF OLD.status = 'signed' THEN
            RAISE EXCEPTION '{SIGNED_VISIT}' USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END $$""",
    """CREATE TRIGGER trg_visits_signed BEFORE UPDATE OR DELETE ON visits
    FOR EACH ROW EXECUTE FUNCTION mc_guard_signed_visit()""",
    f"""CREATE FUNCTION mc_guard_signed_child() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE parent_status text;
    BEGIN
        IF TG_OP = 'INSERT' THEN
            SELECT status INTO parent_status FROM visits WHERE id = NEW.visit_id;
        ELSE
            SELECT status INTO parent_status FROM visits WHERE id = OLD.visit_id;
        END IF;
        IF parent_status = 'signed' THEN
            RAISE EXCEPTION '{SIGNED_CHILD}' USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END $$""",
    """CREATE TRIGGER trg_marks_signed BEFORE INSERT OR UPDATE OR DELETE ON marks
    FOR EACH ROW EXECUTE FUNCTION mc_guard_signed_child()""",
    """CREATE TRIGGER trg_billing_lines_signed BEFORE INSERT OR UPDATE OR DELETE ON billing_lines
    FOR EACH ROW EXECUTE FUNCTION mc_guard_signed_child()""",
    f"""CREATE FUNCTION mc_guard_addendum() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{ADDENDUM}' USING ERRCODE = 'integrity_constraint_violation';
    END $$""",
    """CREATE TRIGGER trg_addenda_immutable BEFORE UPDATE OR DELETE ON addenda
    FOR EACH ROW EXECUTE FUNCTION mc_guard_addendum()""",
)


def upgrade() -> None:
    statements = (
        POSTGRES_STATEMENTS if op.get_bind().dialect.name == "postgresql" else SQLITE_TRIGGERS
    )
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS trg_addenda_immutable ON addenda")
        op.execute("DROP TRIGGER IF EXISTS trg_billing_lines_signed ON billing_lines")
        op.execute("DROP TRIGGER IF EXISTS trg_marks_signed ON marks")
        op.execute("DROP TRIGGER IF EXISTS trg_visits_signed ON visits")
        for function in ("mc_guard_addendum", "mc_guard_signed_child", "mc_guard_signed_visit"):
            op.execute(f"DROP FUNCTION IF EXISTS {function}()")
        return
    names = [
        "trg_visits_signed_update",
        "trg_visits_signed_delete",
        "trg_addenda_update",
        "trg_addenda_delete",
    ]
    names += [
        f"trg_{table}_signed_{event}"
        for table in ("marks", "billing_lines")
        for event in ("insert", "update", "delete")
    ]
    for name in names:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")

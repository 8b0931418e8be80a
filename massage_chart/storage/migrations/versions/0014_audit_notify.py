"""On PostgreSQL, every audit event that changes a record is announced (NOTIFY), so the other
laptops' windows refresh at once instead of at their next look at the audit log.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04

Every change writes an audit event in its own transaction, so one trigger on ``audit_events``
announces them all; the notice goes out when the transaction commits (never for one rolled
back). Events of looking (views, exports, prints, backups) are not announced. SQLite has no
NOTIFY: windows on one file keep reading the log's head every two seconds, as laptops on the
server still do when their listening connection drops.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHANNEL = "mc_audit"

POSTGRES_STATEMENTS = (
    f"""CREATE FUNCTION mc_announce_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_notify('{CHANNEL}', NEW.seq::text);
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER trg_audit_events_announce AFTER INSERT ON audit_events
    FOR EACH ROW
    WHEN (NEW.action NOT IN ('view', 'export', 'print', 'backup', 'failed_unlock'))
    EXECUTE FUNCTION mc_announce_change()""",
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in POSTGRES_STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError(
        "Schema 0014 has no downgrade; restore the backup taken before the upgrade instead."
    )

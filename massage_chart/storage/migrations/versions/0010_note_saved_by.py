"""Who saved a note last, so a conflict can say "saved by NAME at TIME".

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04

``visits.note_saved_by`` names the person whose save last changed the note's text (with
``updated_at``, when). Existing rows have none (NULL). It is outside the content hash: it says
who was typing, not what the note says. On PostgreSQL, once the database is a clinic's, the
server writes it itself, at every change to a visit, from the person the connection signed in as
(``session_user``), so no program can put a change in someone else's name; SQLite (one laptop)
takes the app's.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FUNCTION = """CREATE FUNCTION mc_clinic_note_saved_by() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        person clinic_people%ROWTYPE;
    BEGIN
        SELECT * INTO person FROM clinic_people WHERE role_name = session_user;
        IF person.role_name IS NOT NULL THEN
            NEW.note_saved_by := person.username;
        END IF;
        RETURN NEW;
    END $$"""
TRIGGER = """CREATE TRIGGER trg_visits_clinic_note_saved_by BEFORE UPDATE ON visits
    FOR EACH ROW EXECUTE FUNCTION mc_clinic_note_saved_by()"""


def upgrade() -> None:
    op.add_column("visits", sa.Column("note_saved_by", sa.String(length=100), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(FUNCTION)
        op.execute(TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS trg_visits_clinic_note_saved_by ON visits")
        op.execute("DROP FUNCTION IF EXISTS mc_clinic_note_saved_by()")
    with op.batch_alter_table("visits") as batch:
        batch.drop_column("note_saved_by")

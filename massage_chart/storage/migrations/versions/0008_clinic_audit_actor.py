"""Clinic mode: the audit log names the person signed in, as the server knows them.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03

On PostgreSQL, once the database is a clinic's (``clinic_people`` has rows), a trigger refuses an
audit event whose ``actor`` is not the user name of the person the connection signed in as
(``session_user``): no program can write an event in someone else's name. The app names the
person itself (the event's hash covers the actor, so the server checks rather than rewrites it).
The database's administrator, who is not one of the clinic's people, is not held to it (setting
the clinic up, moving a practice in). SQLite (one laptop) has no trigger.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOT_THE_ACTOR = "An audit event names the person signed in."

FUNCTION = f"""CREATE FUNCTION mc_clinic_audit_actor() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        person clinic_people%ROWTYPE;
    BEGIN
        SELECT * INTO person FROM clinic_people WHERE role_name = session_user;
        IF person.role_name IS NOT NULL AND NEW.actor IS DISTINCT FROM person.username THEN
            RAISE EXCEPTION '{NOT_THE_ACTOR}' USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
    END $$"""
TRIGGER = """CREATE TRIGGER trg_audit_events_clinic_actor BEFORE INSERT ON audit_events
    FOR EACH ROW EXECUTE FUNCTION mc_clinic_audit_actor()"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(FUNCTION)
        op.execute(TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS trg_audit_events_clinic_actor ON audit_events")
        op.execute("DROP FUNCTION IF EXISTS mc_clinic_audit_actor()")

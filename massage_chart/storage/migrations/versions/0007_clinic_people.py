"""Clinic mode: who each signed-in person is, and the server's own checks of who may sign.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03

``clinic_people`` maps each PostgreSQL login role of a clinic to its group (owner, therapist,
front_desk, student) and, for those who chart, to their provider. On PostgreSQL, triggers read it
to refuse, whichever program sends the SQL:

- a signature by anyone but the therapist (or owner) named on the note, signed in as themselves;
- an addendum whose author is not the person signed in;
- clinical text, pain scores, codes or a status change written to a visit by the front desk.

The table stays empty, and the triggers do nothing, until ``massage-chart clinic init`` makes the
database a clinic's. SQLite (one laptop, one person) has the table and no triggers.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOT_THE_SIGNER = "Only the therapist named on the note, signed in as themselves, can sign it."
NOT_THE_AUTHOR = "An addendum is written in the name of the person signed in."
FRONT_DESK = (
    "The front desk books visits but cannot write the clinical note, pain scores, codes or "
    "sign."
)
# What the front desk may not write to a visit: everything a therapist charts or signs.
CLINICAL_COLUMNS = (
    "status", "health_update", "subjective", "objective", "assessment", "plan", "pain_best",
    "pain_worst", "functional_limits", "response", "progress_toward_goals", "frequency",
    "home_care", "referrals_out", "next_visit", "pain_before", "pain_after", "techniques",
    "pressure", "positioning", "icd10_codes", "signed_at", "signed_by_id", "content_hash",
)  # fmt: skip

_CHANGED = " OR ".join(f"NEW.{c}::text IS DISTINCT FROM OLD.{c}::text" for c in CLINICAL_COLUMNS)
_FILLED = " OR ".join(
    f"NEW.{c} IS NOT NULL AND NEW.{c}::text NOT IN ('', '[]', 'draft')" for c in CLINICAL_COLUMNS
)

POSTGRES_STATEMENTS = (
    f"""CREATE FUNCTION mc_clinic_visit_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        person clinic_people%ROWTYPE;
    BEGIN
        IF NOT EXISTS (SELECT 1 FROM clinic_people) THEN
            RETURN NEW;  -- not a clinic database
        END IF;
        SELECT * INTO person FROM clinic_people WHERE role_name = session_user AND active;
        IF person.grp = 'front_desk' THEN
            IF (TG_OP = 'INSERT' AND ({_FILLED})) OR (TG_OP = 'UPDATE' AND ({_CHANGED})) THEN
                RAISE EXCEPTION '{FRONT_DESK}' USING ERRCODE = 'insufficient_privilege';
            END IF;
        END IF;
        IF NEW.status = 'signed' AND (TG_OP = 'INSERT' OR OLD.status IS DISTINCT FROM 'signed')
        THEN
            IF person.role_name IS NULL OR person.grp NOT IN ('owner', 'therapist')
                OR person.provider_id IS NULL
                OR NEW.signed_by_id IS DISTINCT FROM person.provider_id
                OR NEW.provider_id IS DISTINCT FROM person.provider_id THEN
                RAISE EXCEPTION '{NOT_THE_SIGNER}' USING ERRCODE = 'insufficient_privilege';
            END IF;
        END IF;
        RETURN NEW;
    END $$""",
    """CREATE TRIGGER trg_visits_clinic BEFORE INSERT OR UPDATE ON visits
    FOR EACH ROW EXECUTE FUNCTION mc_clinic_visit_guard()""",
    f"""CREATE FUNCTION mc_clinic_addendum_author() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM clinic_people) AND NEW.author_id IS DISTINCT FROM (
            SELECT provider_id FROM clinic_people WHERE role_name = session_user AND active
        ) THEN
            RAISE EXCEPTION '{NOT_THE_AUTHOR}' USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
    END $$""",
    """CREATE TRIGGER trg_addenda_clinic_author BEFORE INSERT ON addenda
    FOR EACH ROW EXECUTE FUNCTION mc_clinic_addendum_author()""",
)


def upgrade() -> None:
    op.create_table(
        "clinic_people",
        sa.Column("role_name", sa.String(length=63), nullable=False),
        sa.Column("username", sa.String(length=40), nullable=False),
        sa.Column("grp", sa.String(length=16), nullable=False),
        sa.Column("provider_id", sa.String(length=64), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "grp IN ('owner', 'therapist', 'front_desk', 'student')",
            name=op.f("ck_clinic_people_grp"),
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["providers.id"],
            name=op.f("fk_clinic_people_provider_id_providers"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("role_name", name=op.f("pk_clinic_people")),
    )
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRES_STATEMENTS:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS trg_addenda_clinic_author ON addenda")
        op.execute("DROP FUNCTION IF EXISTS mc_clinic_addendum_author()")
        op.execute("DROP TRIGGER IF EXISTS trg_visits_clinic ON visits")
        op.execute("DROP FUNCTION IF EXISTS mc_clinic_visit_guard()")
    op.drop_table("clinic_people")

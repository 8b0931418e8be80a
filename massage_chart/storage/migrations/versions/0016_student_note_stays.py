"""A student's note stays the student's: on a clinic's server nobody moves it to another provider.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04

Without this, a therapist could make a student's draft their own (change its provider) and sign
it as if they had written it, and the student's authorship would be gone. The visit guard of
migration 0015 is rebuilt with one more check: the provider of a visit whose provider is one of
the clinic's students cannot change. The supervisor named on it co-signs it as it is.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOT_THE_SIGNER = (
    "Only the therapist named on the note, or the supervising therapist named on the note of a "
    "student, signed in as themselves, can sign it."
)
STUDENTS_NOTE = (
    "A note written by a student stays with the student: its provider cannot be changed (the "
    "supervising therapist co-signs it as it is)."
)
NOT_A_SUPERVISOR = "A supervising therapist is one of the therapists of the clinic who can sign in."
FRONT_DESK = (
    "The front desk books visits but cannot write the clinical note, pain scores, codes or "
    "sign."
)
CLINICAL_COLUMNS = (
    "status", "health_update", "subjective", "objective", "assessment", "plan", "pain_best",
    "pain_worst", "functional_limits", "response", "progress_toward_goals", "frequency",
    "home_care", "referrals_out", "next_visit", "pain_before", "pain_after", "techniques",
    "pressure", "positioning", "icd10_codes", "signed_at", "signed_by_id", "content_hash",
    "range_of_motion", "tolerances", "goals", "supervisor_id",
)  # fmt: skip

_CHANGED = " OR ".join(f"NEW.{c}::text IS DISTINCT FROM OLD.{c}::text" for c in CLINICAL_COLUMNS)
_FILLED = " OR ".join(
    f"NEW.{c} IS NOT NULL AND NEW.{c}::text NOT IN ('', '[]', 'draft')" for c in CLINICAL_COLUMNS
)

VISIT_GUARD = f"""CREATE OR REPLACE FUNCTION mc_clinic_visit_guard() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
        person clinic_people%ROWTYPE;
        by_student boolean;
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
        IF TG_OP = 'UPDATE' AND NEW.provider_id IS DISTINCT FROM OLD.provider_id
            AND EXISTS (
                SELECT 1 FROM clinic_people WHERE provider_id = OLD.provider_id AND grp = 'student'
            ) THEN
            RAISE EXCEPTION '{STUDENTS_NOTE}' USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF NEW.supervisor_id IS NOT NULL
            AND (TG_OP = 'INSERT' OR NEW.supervisor_id IS DISTINCT FROM OLD.supervisor_id)
            AND NOT EXISTS (
                SELECT 1 FROM clinic_people
                WHERE provider_id = NEW.supervisor_id AND grp IN ('owner', 'therapist') AND active
            ) THEN
            RAISE EXCEPTION '{NOT_A_SUPERVISOR}' USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF NEW.status = 'signed' AND (TG_OP = 'INSERT' OR OLD.status IS DISTINCT FROM 'signed')
        THEN
            by_student := EXISTS (
                SELECT 1 FROM clinic_people WHERE provider_id = NEW.provider_id AND grp = 'student'
            );
            IF person.role_name IS NULL OR person.grp NOT IN ('owner', 'therapist')
                OR person.provider_id IS NULL
                OR NEW.signed_by_id IS DISTINCT FROM person.provider_id
                OR (NOT by_student AND NEW.provider_id IS DISTINCT FROM person.provider_id)
                OR (by_student AND NEW.supervisor_id IS DISTINCT FROM person.provider_id) THEN
                RAISE EXCEPTION '{NOT_THE_SIGNER}' USING ERRCODE = 'insufficient_privilege';
            END IF;
        END IF;
        RETURN NEW;
    END $$"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(VISIT_GUARD)


def downgrade() -> None:
    raise NotImplementedError(
        "Schema 0016 has no downgrade; restore the backup taken before the upgrade instead."
    )

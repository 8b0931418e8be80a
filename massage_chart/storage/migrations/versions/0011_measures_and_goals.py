"""Range of motion, tolerance and goals as part of the visit note, sealed by its signature.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04

Three JSON lists on ``visits`` (each entry checked by ``domain/measures.py`` before it is
written): ``range_of_motion`` (motion, side, degrees or within normal limits, active or passive,
pain at end range, method, before or after treatment), ``tolerances`` (activity and minutes) and
``goals`` (short- or long-term, text, target date, status at this visit). Existing visits get
empty lists, and their signatures still verify: the content hash covers these lists only when
they hold entries (``SEALED_WHEN_FILLED`` in ``domain/visit_record.py``). On PostgreSQL the clinic's front-desk guard is rebuilt to include them among
the clinical columns the front desk may not write.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW_COLUMNS = ("range_of_motion", "tolerances", "goals")

NOT_THE_SIGNER = "Only the therapist named on the note, signed in as themselves, can sign it."
FRONT_DESK = (
    "The front desk books visits but cannot write the clinical note, pain scores, codes or "
    "sign."
)
CLINICAL_COLUMNS = (
    "status", "health_update", "subjective", "objective", "assessment", "plan", "pain_best",
    "pain_worst", "functional_limits", "response", "progress_toward_goals", "frequency",
    "home_care", "referrals_out", "next_visit", "pain_before", "pain_after", "techniques",
    "pressure", "positioning", "icd10_codes", "signed_at", "signed_by_id", "content_hash",
    *NEW_COLUMNS,
)  # fmt: skip

_CHANGED = " OR ".join(f"NEW.{c}::text IS DISTINCT FROM OLD.{c}::text" for c in CLINICAL_COLUMNS)
_FILLED = " OR ".join(
    f"NEW.{c} IS NOT NULL AND NEW.{c}::text NOT IN ('', '[]', 'draft')" for c in CLINICAL_COLUMNS
)

VISIT_GUARD = f"""CREATE OR REPLACE FUNCTION mc_clinic_visit_guard() RETURNS trigger
    LANGUAGE plpgsql AS $$
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
    END $$"""


def upgrade() -> None:
    for column in NEW_COLUMNS:
        op.execute(f"ALTER TABLE visits ADD COLUMN {column} JSON DEFAULT '[]' NOT NULL")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(VISIT_GUARD)


def downgrade() -> None:
    raise NotImplementedError(
        "Schema 0011 has no downgrade; restore the backup taken before the upgrade instead."
    )

"""Index the visits of a claim and of a referral.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04

Every signing check counts the visits used on the note's claim and referral. Without these
indexes each count read every visit of the practice: at ten thousand visits signing one note
spent most of its time there, and the cost grew with every visit ever charted.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_visits_claim_id", "visits", ["claim_id"])
    op.create_index("ix_visits_referral_id", "visits", ["referral_id"])


def downgrade() -> None:
    raise NotImplementedError(
        "Schema 0020 has no downgrade; restore the backup taken before the upgrade instead."
    )

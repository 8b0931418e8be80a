"""Every mark records the atlas version it was charted on.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04

A signed chart is drawn and printed on the geometry it was signed with, whichever atlas the app
ships later; an unsigned chart is moved to the current atlas when it is next opened, each mark on
the same named region and side. Every mark charted before this revision was charted on version 1.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "marks",
        sa.Column("atlas_version", sa.Integer(), nullable=False, server_default="1"),
    )


def downgrade() -> None:
    raise NotImplementedError(
        "Schema 0019 has no downgrade; restore the backup taken before the upgrade instead."
    )

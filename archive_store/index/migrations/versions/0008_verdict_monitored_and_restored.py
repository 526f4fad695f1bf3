"""Sources monitored because the user asked (`import --monitor`), and how long a `restored`
source was gone (re-check events' `gone_since`).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "monitored_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("via", sa.String(length=16), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_monitored_sources_url"), "monitored_sources", ["url"], unique=False)
    op.add_column("recheck_events", sa.Column("gone_since", sa.DateTime(), nullable=True))


def downgrade() -> None:
    op.drop_column("recheck_events", "gone_since")
    op.drop_index(op.f("ix_monitored_sources_url"), table_name="monitored_sources")
    op.drop_table("monitored_sources")

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
    # an index made before migrations ran on SQLite (create_all, stamped 0001) may have them already
    inspector = sa.inspect(op.get_bind())
    if "monitored_sources" not in inspector.get_table_names():
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
    if "gone_since" not in {column["name"] for column in inspector.get_columns("recheck_events")}:
        op.add_column("recheck_events", sa.Column("gone_since", sa.DateTime(), nullable=True))


def downgrade() -> None:
    op.drop_column("recheck_events", "gone_since")
    op.drop_index(op.f("ix_monitored_sources_url"), table_name="monitored_sources")
    op.drop_table("monitored_sources")

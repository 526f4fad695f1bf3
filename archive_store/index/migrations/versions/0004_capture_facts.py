"""How each capture was fetched: vantage point and TLS facts (issue 16).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # an index made before migrations ran on SQLite (create_all, stamped 0001) has its tables already
    have = set(sa.inspect(op.get_bind()).get_table_names())
    if "capture_facts" not in have:
        op.create_table(
            "capture_facts",
            sa.Column("record_id", sa.String(length=64), nullable=False),
            sa.Column("metadata_record_id", sa.String(length=64), nullable=True),
            sa.Column("vantage", sa.Text(), nullable=False),
            sa.Column("tls_protocol", sa.String(length=16), nullable=True),
            sa.Column("tls_cipher", sa.Text(), nullable=True),
            sa.Column("tls_mode", sa.String(length=16), nullable=True),
            sa.Column("tls_verified", sa.Boolean(), nullable=True),
            sa.Column("tls_json", sa.Text(), nullable=True),
            sa.PrimaryKeyConstraint("record_id"),
        )


def downgrade() -> None:
    op.drop_table("capture_facts")

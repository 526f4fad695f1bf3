"""pages.document_date: the 成文日期 / 签发日期 of an official document (issue 15).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # an index made by create_all (stamped 0001, then upgraded) may have the column already
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("pages")}
    if "document_date" not in columns:
        op.add_column("pages", sa.Column("document_date", sa.String(length=32), nullable=True))


def downgrade() -> None:
    op.drop_column("pages", "document_date")

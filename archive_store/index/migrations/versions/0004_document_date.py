"""pages.document_date: the 成文日期 / 签发日期 of an official document (issue 15).

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
    op.add_column("pages", sa.Column("document_date", sa.String(length=32), nullable=True))


def downgrade() -> None:
    op.drop_column("pages", "document_date")

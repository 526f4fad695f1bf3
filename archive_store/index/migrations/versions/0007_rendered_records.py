"""The records a render leaves beside its exchanges: screenshot, PDF, DOM, provenance (issue 14).

Until now the crawl's render middleware created this table itself when it started; an index that
has it already (made that way) is left as it is.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if sa.inspect(op.get_bind()).has_table("rendered_records"):
        return
    op.create_table(
        "rendered_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("capture_id", sa.Integer(), nullable=True),
        sa.Column("page_url", sa.Text(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=True),
        sa.Column("record_id", sa.String(length=64), nullable=True),
        sa.Column("warc_file", sa.String(length=255), nullable=True),
        sa.Column("warc_offset", sa.Integer(), nullable=True),
        sa.Column("warc_length", sa.Integer(), nullable=True),
        sa.Column("content_type", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_rendered_records_capture_id"), "rendered_records", ["capture_id"], unique=False)
    op.create_index(op.f("ix_rendered_records_page_url"), "rendered_records", ["page_url"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_rendered_records_page_url"), table_name="rendered_records")
    op.drop_index(op.f("ix_rendered_records_capture_id"), table_name="rendered_records")
    op.drop_table("rendered_records")

"""Quoted passages looked for in captures (`quotes`), and the link as written at each place a
report cites a URL (`citation_places.url_as_written`: `…html#para2` is a place of its own).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # an index made by create_all (SQLite, stamped) may have them already
    inspector = sa.inspect(op.get_bind())
    if "quotes" not in inspector.get_table_names():
        op.create_table(
            "quotes",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("url", sa.Text(), nullable=False),
            sa.Column("quote", sa.Text(), nullable=False),
            sa.Column("quote_sha256", sa.String(length=64), nullable=False),
            sa.Column("given_in", sa.Text(), nullable=True),
            sa.Column("run_id", sa.Integer(), nullable=True),
            sa.Column("capture_id", sa.Integer(), nullable=True),
            sa.Column("checked_at", sa.DateTime(), nullable=False),
            sa.Column("status", sa.String(length=16), nullable=False),
            sa.Column("previous_status", sa.String(length=16), nullable=True),
            sa.Column("found_url", sa.Text(), nullable=True),
            sa.Column("found_capture_id", sa.Integer(), nullable=True),
            sa.Column("start", sa.Integer(), nullable=True),
            sa.Column("end", sa.Integer(), nullable=True),
            sa.Column("sentence", sa.Text(), nullable=True),
            sa.Column("sentence_sha256", sa.String(length=64), nullable=True),
            sa.Column("score", sa.Float(), nullable=True),
            sa.Column("diff_json", sa.Text(), nullable=True),
            sa.Column("record_id", sa.String(length=64), nullable=True),
            sa.ForeignKeyConstraint(["run_id"], ["runs.id"]),
            sa.ForeignKeyConstraint(["capture_id"], ["captures.id"]),
            sa.ForeignKeyConstraint(["found_capture_id"], ["captures.id"]),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_quotes_url"), "quotes", ["url"], unique=False)
        op.create_index(op.f("ix_quotes_run_id"), "quotes", ["run_id"], unique=False)
    if "url_as_written" not in {column["name"] for column in inspector.get_columns("citation_places")}:
        op.add_column("citation_places", sa.Column("url_as_written", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("citation_places", "url_as_written")
    op.drop_index(op.f("ix_quotes_run_id"), table_name="quotes")
    op.drop_index(op.f("ix_quotes_url"), table_name="quotes")
    op.drop_table("quotes")

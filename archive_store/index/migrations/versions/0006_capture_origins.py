"""Captures that are not our own (imported files, recovered mementos), and every place a report
cites a URL or a link it holds that is no citation (issue 17).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # an index made before migrations ran on SQLite (create_all, stamped 0001) has its tables already
    have = set(sa.inspect(op.get_bind()).get_table_names())
    if "imported_files" not in have:
        op.create_table(
            "imported_files",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("sha256", sa.String(length=64), nullable=False),
            sa.Column("source", sa.Text(), nullable=False),
            sa.Column("kind", sa.String(length=16), nullable=False),
            sa.Column("size", sa.Integer(), nullable=False),
            sa.Column("imported_at", sa.DateTime(), nullable=False),
            sa.Column("stored_as", sa.Text(), nullable=False),
            sa.Column("summary", sa.Text(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("sha256"),
        )
    if "capture_origins" not in have:
        op.create_table(
            "capture_origins",
            sa.Column("capture_id", sa.Integer(), nullable=False),
            sa.Column("origin", sa.String(length=16), nullable=False),
            sa.Column("via", sa.String(length=16), nullable=False),
            sa.Column("source", sa.Text(), nullable=True),
            sa.Column("source_sha256", sa.String(length=64), nullable=True),
            sa.Column("original_url", sa.Text(), nullable=True),
            sa.Column("memento_url", sa.Text(), nullable=True),
            sa.Column("memento_datetime", sa.String(length=40), nullable=True),
            sa.Column("timemap_url", sa.Text(), nullable=True),
            sa.Column("notes", sa.Text(), nullable=True),
            sa.ForeignKeyConstraint(["capture_id"], ["captures.id"]),
            sa.PrimaryKeyConstraint("capture_id"),
        )
    if "citation_places" not in have:
        op.create_table(
            "citation_places",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("report_id", sa.Integer(), nullable=False),
            sa.Column("kind", sa.String(length=16), nullable=False),
            sa.Column("url", sa.Text(), nullable=False),
            sa.Column("occurrence", sa.Integer(), nullable=True),
            sa.Column("footnote", sa.String(length=32), nullable=True),
            sa.Column("anchor", sa.Text(), nullable=True),
            sa.Column("reason", sa.Text(), nullable=True),
            sa.ForeignKeyConstraint(["report_id"], ["reports.id"]),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_citation_places_report_id"), "citation_places", ["report_id"], unique=False)
    if "push_results" not in have:
        op.create_table(
            "push_results",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("url", sa.Text(), nullable=False),
            sa.Column("endpoint", sa.Text(), nullable=False),
            sa.Column("pushed_at", sa.DateTime(), nullable=False),
            sa.Column("http_status", sa.Integer(), nullable=True),
            sa.Column("memento_url", sa.Text(), nullable=True),
            sa.Column("error", sa.Text(), nullable=True),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_push_results_url"), "push_results", ["url"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_push_results_url"), table_name="push_results")
    op.drop_table("push_results")
    op.drop_index(op.f("ix_citation_places_report_id"), table_name="citation_places")
    op.drop_table("citation_places")
    op.drop_table("capture_origins")
    op.drop_table("imported_files")

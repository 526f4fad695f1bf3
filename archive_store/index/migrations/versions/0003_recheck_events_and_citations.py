"""Re-check events, reports and their citations (recheck, archive --from-report).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # an index made before migrations ran on SQLite (create_all, stamped 0001) has its tables already
    have = set(sa.inspect(op.get_bind()).get_table_names())
    if "recheck_events" not in have:
        op.create_table(
            "recheck_events",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("url", sa.Text(), nullable=False),
            sa.Column("run_id", sa.Integer(), nullable=True),
            sa.Column("checked_at", sa.DateTime(), nullable=False),
            sa.Column("state", sa.String(length=16), nullable=False),
            sa.Column("detail", sa.String(length=64), nullable=True),
            sa.Column("reason", sa.Text(), nullable=False),
            sa.Column("http_status", sa.Integer(), nullable=True),
            sa.Column("previous_capture_id", sa.Integer(), nullable=True),
            sa.Column("new_capture_id", sa.Integer(), nullable=True),
            sa.Column("confirm_capture_id", sa.Integer(), nullable=True),
            sa.Column("flapped", sa.Boolean(), nullable=False),
            sa.Column("new_removal", sa.Boolean(), nullable=False),
            sa.Column("diff_json", sa.Text(), nullable=True),
            sa.ForeignKeyConstraint(
                ["confirm_capture_id"],
                ["captures.id"],
            ),
            sa.ForeignKeyConstraint(
                ["new_capture_id"],
                ["captures.id"],
            ),
            sa.ForeignKeyConstraint(
                ["previous_capture_id"],
                ["captures.id"],
            ),
            sa.ForeignKeyConstraint(
                ["run_id"],
                ["runs.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_recheck_events_run_id"), "recheck_events", ["run_id"], unique=False)
        op.create_index("ix_recheck_events_url_time", "recheck_events", ["url", "checked_at"], unique=False)
    if "reports" not in have:
        op.create_table(
            "reports",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("run_id", sa.Integer(), nullable=True),
            sa.Column("source", sa.Text(), nullable=False),
            sa.Column("format", sa.String(length=16), nullable=False),
            sa.Column("title", sa.Text(), nullable=True),
            sa.Column("sha256", sa.String(length=64), nullable=False),
            sa.Column("added_at", sa.DateTime(), nullable=False),
            sa.Column("capture_id", sa.Integer(), nullable=True),
            sa.ForeignKeyConstraint(
                ["capture_id"],
                ["captures.id"],
            ),
            sa.ForeignKeyConstraint(
                ["run_id"],
                ["runs.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_reports_run_id"), "reports", ["run_id"], unique=False)
    if "citations" not in have:
        op.create_table(
            "citations",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("report_id", sa.Integer(), nullable=False),
            sa.Column("position", sa.Integer(), nullable=False),
            sa.Column("url", sa.Text(), nullable=False),
            sa.Column("url_as_written", sa.Text(), nullable=False),
            sa.Column("anchor", sa.Text(), nullable=True),
            sa.Column("footnote", sa.String(length=32), nullable=True),
            sa.Column("kind", sa.String(length=16), nullable=False),
            sa.Column("occurrences", sa.Integer(), nullable=False),
            sa.Column("context", sa.Text(), nullable=True),
            sa.Column("capture_id", sa.Integer(), nullable=True),
            sa.ForeignKeyConstraint(
                ["capture_id"],
                ["captures.id"],
            ),
            sa.ForeignKeyConstraint(
                ["report_id"],
                ["reports.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_citations_report_id"), "citations", ["report_id"], unique=False)
        op.create_index(op.f("ix_citations_url"), "citations", ["url"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_citations_url"), table_name="citations")
    op.drop_index(op.f("ix_citations_report_id"), table_name="citations")
    op.drop_table("citations")
    op.drop_index(op.f("ix_reports_run_id"), table_name="reports")
    op.drop_table("reports")
    op.drop_index("ix_recheck_events_url_time", table_name="recheck_events")
    op.drop_index(op.f("ix_recheck_events_run_id"), table_name="recheck_events")
    op.drop_table("recheck_events")

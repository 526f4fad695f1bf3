"""The index schema as first released: runs, warc_files, captures, failures, pages.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("command", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("resumed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_runs_key"), "runs", ["key"], unique=False)
    op.create_table(
        "captures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("captured_at", sa.DateTime(), nullable=False),
        sa.Column("warc_date", sa.String(length=40), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=False),
        sa.Column("record_type", sa.String(length=16), nullable=False),
        sa.Column("record_id", sa.String(length=64), nullable=False),
        sa.Column("request_record_id", sa.String(length=64), nullable=True),
        sa.Column("warc_file", sa.String(length=255), nullable=False),
        sa.Column("warc_offset", sa.Integer(), nullable=False),
        sa.Column("warc_length", sa.Integer(), nullable=False),
        sa.Column("payload_digest", sa.String(length=80), nullable=False),
        sa.Column("block_digest", sa.String(length=80), nullable=False),
        sa.Column("payload_length", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.Text(), nullable=True),
        sa.Column("truncated", sa.String(length=16), nullable=True),
        sa.Column("chunked", sa.Boolean(), nullable=False),
        sa.Column("ip_address", sa.String(length=64), nullable=True),
        sa.Column("refers_to", sa.String(length=64), nullable=True),
        sa.Column("state", sa.String(length=64), nullable=False),
        sa.Column("state_reason", sa.Text(), nullable=True),
        sa.Column("hop", sa.Integer(), nullable=False),
        sa.Column("parent_url", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["runs.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("record_id"),
    )
    op.create_index(op.f("ix_captures_payload_digest"), "captures", ["payload_digest"], unique=False)
    op.create_index(op.f("ix_captures_run_id"), "captures", ["run_id"], unique=False)
    op.create_index("ix_captures_url_time", "captures", ["url", "captured_at"], unique=False)
    op.create_table(
        "failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("failed_at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["runs.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_failures_run_id"), "failures", ["run_id"], unique=False)
    op.create_index("ix_failures_url", "failures", ["url"], unique=False)
    op.create_table(
        "warc_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("location", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["runs.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("filename"),
    )
    op.create_table(
        "pages",
        sa.Column("capture_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("date", sa.String(length=32), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("author", sa.Text(), nullable=True),
        sa.Column("site", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("charset", sa.String(length=40), nullable=True),
        sa.Column("declared_charset", sa.String(length=40), nullable=True),
        sa.Column("platform", sa.String(length=32), nullable=True),
        sa.Column("metadata_json", sa.Text(), nullable=True),
        sa.Column("metadata_record_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["capture_id"],
            ["captures.id"],
        ),
        sa.PrimaryKeyConstraint("capture_id"),
    )
    op.create_index(op.f("ix_pages_url"), "pages", ["url"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_pages_url"), table_name="pages")
    op.drop_table("pages")
    op.drop_table("warc_files")
    op.drop_index("ix_failures_url", table_name="failures")
    op.drop_index(op.f("ix_failures_run_id"), table_name="failures")
    op.drop_table("failures")
    op.drop_index("ix_captures_url_time", table_name="captures")
    op.drop_index(op.f("ix_captures_run_id"), table_name="captures")
    op.drop_index(op.f("ix_captures_payload_digest"), table_name="captures")
    op.drop_table("captures")
    op.drop_index(op.f("ix_runs_key"), table_name="runs")
    op.drop_table("runs")

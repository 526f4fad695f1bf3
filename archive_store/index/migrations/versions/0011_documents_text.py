"""pages: the text of documents (PDF, DOCX, OFD, scans …) beside that of pages, and how it was read.

A document's text is a `pages` row for the document's own capture, `kind` = 'document'; the
columns say where the text came from (`text_source` layer | ocr | mixed, `page_count`,
`ocr_confidence`), why there is none (`text_skipped`), which `conversion` record holds it, and an
official document's identity (文号 `doc_number`, `issuer`, 索引号 `index_number`,
`published_date`, 主题分类 `topic`). Rows already there are pages (`kind` 'page').

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

COLUMNS = (
    ("kind", lambda: sa.Column("kind", sa.String(length=16), server_default="page", nullable=False)),
    ("text_source", lambda: sa.Column("text_source", sa.String(length=16), nullable=True)),
    ("page_count", lambda: sa.Column("page_count", sa.Integer(), nullable=True)),
    ("ocr_confidence", lambda: sa.Column("ocr_confidence", sa.Float(), nullable=True)),
    ("text_skipped", lambda: sa.Column("text_skipped", sa.String(length=32), nullable=True)),
    ("conversion_record_id", lambda: sa.Column("conversion_record_id", sa.String(length=64), nullable=True)),
    ("doc_number", lambda: sa.Column("doc_number", sa.Text(), nullable=True)),
    ("issuer", lambda: sa.Column("issuer", sa.Text(), nullable=True)),
    ("index_number", lambda: sa.Column("index_number", sa.Text(), nullable=True)),
    ("published_date", lambda: sa.Column("published_date", sa.Text(), nullable=True)),
    ("topic", lambda: sa.Column("topic", sa.Text(), nullable=True)),
)


def upgrade() -> None:
    # an index made by create_all (stamped 0001, then upgraded) may have the columns already
    present = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("pages")}
    for name, column in COLUMNS:
        if name not in present:
            op.add_column("pages", column())


def downgrade() -> None:
    with op.batch_alter_table("pages") as batch:
        for name, _column in reversed(COLUMNS):
            batch.drop_column(name)

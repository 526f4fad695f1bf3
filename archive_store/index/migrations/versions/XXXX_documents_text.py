# ruff: noqa: N999  (named XXXX_ until the lead numbers it at merge)
"""pages: the text of documents (kind, where the text came from, pages, OCR confidence, why it was
skipped, its conversion record) and the identity of government documents (文号, issuer, 索引号,
publication date, topic).

Revision ID: XXXX_documents
Revises: 0009
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "XXXX_documents"
down_revision = "0009"
branch_labels = None
depends_on = None

_COLUMNS = (
    ("kind", lambda: sa.Column("kind", sa.String(length=16), server_default="page", nullable=False)),
    ("text_source", lambda: sa.Column("text_source", sa.String(length=16), nullable=True)),
    ("page_count", lambda: sa.Column("page_count", sa.Integer(), nullable=True)),
    ("ocr_confidence", lambda: sa.Column("ocr_confidence", sa.Float(), nullable=True)),
    ("text_skipped", lambda: sa.Column("text_skipped", sa.Text(), nullable=True)),
    ("conversion_record_id", lambda: sa.Column("conversion_record_id", sa.String(length=64), nullable=True)),
    ("doc_number", lambda: sa.Column("doc_number", sa.Text(), nullable=True)),
    ("issuer", lambda: sa.Column("issuer", sa.Text(), nullable=True)),
    ("index_number", lambda: sa.Column("index_number", sa.Text(), nullable=True)),
    ("published_date", lambda: sa.Column("published_date", sa.Text(), nullable=True)),
    ("topic", lambda: sa.Column("topic", sa.Text(), nullable=True)),
)


def upgrade() -> None:
    # an index made from the models may have them already
    existing = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("pages")}
    for name, column in _COLUMNS:
        if name not in existing:
            op.add_column("pages", column())


def downgrade() -> None:
    with op.batch_alter_table("pages") as batch:
        for name, _column in reversed(_COLUMNS):
            batch.drop_column(name)

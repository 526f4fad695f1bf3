"""Search by character bigrams: the bigram index and the record of its backfill.

PostgreSQL: `page_bigrams` (capture id, distinct bigrams as text[]) with a GIN index; SQLite: a
contentless FTS5 table `pages_bigrams`. Both: an index on `captures.captured_at` (newest first
knows when it can stop) and `search_backfill`, how far the backfill of the pages already indexed
got. The structure is made here, in one short transaction; the pages
already in the index are added by `backfill_search_index` (archive_store/index/search_setup.py),
in batches that record their progress, and `search` reads the old way (pg_trgm, the SQLite
trigram table) until it is done. An index without pages is done at once.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

from archive_store.index.search_setup import create_search_structure
from archive_store.index.search_tables import BACKFILL_TABLE, BIGRAM_TABLE, CAPTURED_AT_INDEX, PG_BIGRAM_TABLE

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_search_structure(op.get_bind())


def downgrade() -> None:
    bind = op.get_bind()
    op.execute(f"DROP TABLE IF EXISTS {BACKFILL_TABLE}")
    op.execute(f"DROP INDEX IF EXISTS {CAPTURED_AT_INDEX}")
    op.execute(f"DROP TABLE IF EXISTS {BIGRAM_TABLE if bind.dialect.name == 'sqlite' else PG_BIGRAM_TABLE}")

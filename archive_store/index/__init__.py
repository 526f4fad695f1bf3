"""The metadata index and the CDXJ indexes: the schema (SQLAlchemy 2, one for SQLite and
PostgreSQL) and its Alembic migrations, the database handle (database), Chinese full-text search,
capture lookup, re-check events and baselines (and the monitored sources), each seed's verdict after
a run (verdicts), turning stored records back into rows (stored), and the CDXJ written beside each
closed WARC (cdxj).

May import: `archive_store.hooks`, `archive_store.warc`, `archive_store.layout`, `archive_store.lock`.
"""

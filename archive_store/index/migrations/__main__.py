"""`python -m archive_store.index.migrations DB_URL`: bring a PostgreSQL index to the latest schema."""

from __future__ import annotations

import sys

from sqlalchemy import create_engine

from archive_store.index.migrations import current_revision, upgrade


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m archive_store.index.migrations DB_URL", file=sys.stderr)
        return 2
    engine = create_engine(argv[0])
    try:
        upgrade(engine)
        print(f"index schema at revision {current_revision(engine)}")
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

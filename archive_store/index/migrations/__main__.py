"""`python -m archive_store.index.migrations DB_URL`: bring an index to the newest schema.

`python -m archive_store.index.migrations new REVISION MESSAGE`: write the draft of a migration
for what `schema.py` now has and the migrations do not (Alembic's autogenerate, against a
scratch SQLite index built by the migrations), as versions/<REVISION>_<message>.py.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from sqlalchemy import create_engine

from archive_store.index.migrations import HERE, current_revision, upgrade

USAGE = (
    "usage: python -m archive_store.index.migrations DB_URL\n"
    "       python -m archive_store.index.migrations new REVISION MESSAGE\n"
    "       (e.g. new XXXX_mybranch 'pages summary': versions/XXXX_mybranch_pages_summary.py)"
)


def new_revision(revision: str, message: str) -> Path:
    """The draft script's path; review it before committing (see README.md in this folder)."""
    from alembic import command  # noqa: PLC0415
    from alembic.config import Config  # noqa: PLC0415

    with tempfile.TemporaryDirectory(prefix="sourcekeeper-migration-") as scratch:
        url = f"sqlite:///{Path(scratch) / 'index.sqlite3'}"
        engine = create_engine(url)
        try:
            upgrade(engine)  # the schema as the migrations build it
        finally:
            engine.dispose()
        config = Config()
        config.set_main_option("script_location", str(HERE))
        config.set_main_option("sqlalchemy.url", url)
        script = command.revision(config, message=message, rev_id=revision, autogenerate=True)
    if script is None or isinstance(script, list):
        raise SystemExit("no migration written")
    return Path(script.path)


def main(argv: list[str]) -> int:
    if len(argv) == 3 and argv[0] == "new":
        print(new_revision(argv[1], argv[2]))
        return 0
    if len(argv) != 1:
        print(USAGE, file=sys.stderr)
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

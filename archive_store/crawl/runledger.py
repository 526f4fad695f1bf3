"""The run's ledger: the key that finds an unfinished run again, the summary a run ends with (what it
committed to the index, its failures, files and media), and the index's refusal in plain words."""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from archive_store.layout import ArchivePaths
from archive_store.warc.writer import OPEN_SUFFIX, ArchiveWriteError

logger = logging.getLogger(__name__)


def run_key(identity: dict[str, Any]) -> str:
    """The same command (kind and arguments) gives the same key: its unfinished run is resumed."""
    return hashlib.sha256(json.dumps(identity, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def run_summary(
    index: Any,
    run_id: int | None,
    reason: str,
    stats: Any,
    paths: ArchivePaths,
    files_written: list[str],
    write_error: ArchiveWriteError | None,
    media: Any,
) -> dict[str, Any]:
    """What the run committed to the index (also after the index refused a write: what was
    committed before it counts; a batch that was not is in a WARC left `.open`)."""
    counts = {"captured": 0, "revisits": 0, "truncated": 0}
    failures = []
    if run_id is not None:
        try:
            counts = index.run_counts(run_id)
            failures = index.failures_for_run(run_id)
        except SQLAlchemyError as exc:
            logger.error("could not count the run's captures in the index: %s", plain_db_error(exc))
            counts = counted_captures(stats)
    return {
        "run": run_id,
        "reason": reason,
        **counts,
        "failed": len(failures),
        "failures": [{"url": f.url, "reason": f.reason} for f in failures],
        # a file left `.open` (the index refused a write) is named so: the next run recovers it
        "files": [
            name + OPEN_SUFFIX if (paths.warcs / (name + OPEN_SUFFIX)).exists() else name
            for name in files_written
        ],
        "archive": str(paths.root),
        # never the password of a database URL (credentials stay out of logs)
        "index": make_url(index.db_url).render_as_string(hide_password=True),
        "write_error": (write_error.strerror or str(write_error)) if write_error else None,
        "media": media,
    }


def counted_captures(stats: Any) -> dict[str, int]:
    """The run's captures as the crawl counted them, when the index cannot be read."""
    if stats is None:
        return {"captured": 0, "revisits": 0, "truncated": 0}
    responses = int(stats.get_value("archive/responses", 0))
    revisits = int(stats.get_value("archive/revisits", 0))
    cut = sum(int(stats.get_value(f"archive/truncated/{why}", 0)) for why in ("length", "time", "disconnect"))
    return {"captured": responses + revisits, "revisits": revisits, "truncated": cut}


def plain_db_error(exc: BaseException) -> str:
    """The database driver's own words ("database or disk is full"), without SQLAlchemy's
    statement and parameters (page text) or its background link."""
    cause = getattr(exc, "orig", None) or exc
    return str(cause).strip().splitlines()[0] if str(cause).strip() else "the database refused the write"

"""The evidence of the run and its files: custody entries (a log that cannot take one stops the
crawl, as a WARC error does), and each WARC's row, manifest line and custody entries when the writer
opens and closes it, then the file-closed hooks (`archive_store.hooks`). The session owns it and is
seen only through `EvidenceArchive`, so this module does not import it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Protocol

from archive_store.evidence.custodychain import ChainLink
from archive_store.evidence.fixity import Manifest
from archive_store.hooks import FileClosedContext, FileClosedHook
from archive_store.layout import WARCS_DIR
from archive_store.warc.writer import ArchiveWriteError, ClosedFile

logger = logging.getLogger(__name__)


class EvidenceArchive(FileClosedContext, Protocol):
    """What the evidence uses of the session that owns it (`ArchiveSession`); the session is also
    what the file-closed hooks are given."""

    run_id: int | None
    write_error: ArchiveWriteError | None
    manifest: Manifest
    file_closed_hooks: list[FileClosedHook]

    def index_call(self, method: Callable[..., Any], *args: Any) -> bool: ...

    def inc(self, key: str, count: int = 1) -> None: ...


class FileEvidence:
    """Custody entries, and what is written when a WARC is opened and closed."""

    def __init__(self, archive: EvidenceArchive) -> None:
        self.archive = archive

    def log_custody(self, event: str, **details: Any) -> ChainLink | None:
        """A custody entry; a log that cannot take it (its disk is full) stops the crawl as a
        WARC error does (nothing is archived that the log does not account for), in one line."""
        try:
            link: ChainLink | None = self.archive.custody.record(event, **details)  # a CustodyLog
            return link
        except OSError as exc:
            why = exc.strerror or str(exc)
            if self.archive.write_error is None:
                self.archive.write_error = ArchiveWriteError(
                    exc.errno or 0, f"cannot write to the custody log: {why}"
                )
                logger.error("%s; stopping the crawl", self.archive.write_error.strerror)
            else:
                logger.error("could not log %s in the custody log: %s", event, why)
            self.archive.inc("archive/custody_error")
            return None

    def file_opened(self, filename: str) -> None:
        self.archive.index.file_opened(filename, self.archive.run_id)
        self.log_custody("file_created", file=filename, run=self.archive.run_id)
        self.archive.inc("archive/files_opened")

    def file_closed(self, closed: ClosedFile) -> None:
        # the file is closed on disk: its evidence (manifest, custody) is written even when the
        # index cannot take its row any more
        self.archive.index_call(self.archive.index.file_closed, closed.filename, closed.size, closed.sha256)
        self.archive.manifest.add(f"{WARCS_DIR}/{closed.filename}", closed.sha256)
        head = self.log_custody("file_closed", file=closed.filename, bytes=closed.size, sha256=closed.sha256)
        if head is not None:
            self.archive.manifest.add_head(f"{WARCS_DIR}/{closed.filename}", head)
        for hook in self.archive.file_closed_hooks:
            name = getattr(hook, "__name__", hook)
            try:
                hook(self.archive, closed)
            except OSError as exc:  # a full disk, a permission: the machine's, not a bug of ours
                logger.error("%s failed for %s: %s", name, closed.filename, exc)
                self.archive.inc("archive/file_hook_errors")
            except Exception:  # a failed index/timestamp/upload must not lose the capture itself
                logger.exception("%s failed for %s", name, closed.filename)
                self.archive.inc("archive/file_hook_errors")

"""What a file-closed hook is given: a small protocol, not the crawl session itself.

The crawl (`archive_store.crawl.session.ArchiveSession`) calls each hook in
`ARCHIVE_FILE_CLOSED_HOOKS` after a WARC is closed (CDXJ, RFC 3161 token, S3 upload). The hooks live
in the rooms below the crawl (index, evidence, storage), so they may not import it: they see only
what this protocol names. Scrapy's `BaseSettings` and `StatsCollector` satisfy the small protocols
below, so nothing here imports Scrapy either.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from archive_store.layout import ArchivePaths
from archive_store.warc.writer import ClosedFile


class SettingsReader(Protocol):
    """The part of Scrapy's settings the archive reads."""

    def get(self, name: str, default: Any = None) -> Any: ...

    def getbool(self, name: str, default: bool = False) -> bool: ...

    def getint(self, name: str, default: int = 0) -> int: ...

    def getfloat(self, name: str, default: float = 0.0) -> float: ...

    def getlist(self, name: str, default: list[Any] | None = None) -> list[Any]: ...


class StatsCounter(Protocol):
    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None: ...


class CustodySink(Protocol):
    def record(self, event: str, **details: Any) -> Any: ...


class FileClosedContext(Protocol):
    """What a hook may use: settings, stats, the archive's paths, its index and custody log."""

    @property
    def settings(self) -> SettingsReader: ...

    @property
    def stats(self) -> StatsCounter | None: ...

    @property
    def paths(self) -> ArchivePaths: ...

    @property
    def index(self) -> Any: ...  # archive_store.index.ArchiveIndex (the index room is above this one)

    @property
    def custody(self) -> CustodySink: ...


FileClosedHook = Callable[[FileClosedContext, ClosedFile], None]


def count(context: FileClosedContext, key: str, value: int = 1) -> None:
    """Add to a crawl stat when the hook runs inside a crawl (stats is None outside one)."""
    if context.stats is not None:
        context.stats.inc_value(key, value)

"""ARCHIVE_ENABLED=False: the add-on stays installed but the crawl is plain Scrapy. Nothing takes the
archive lock, opens (or creates) the index, recovers files or records a capture."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from archive_helpers import FAST, ROOT
from crawler_harness import archive_crawler, run
from scrapy.exceptions import NotConfigured
from scrapy.utils.misc import build_from_crawler

from archive_store.crawl.capture.handler import ArchivingDownloadHandler
from archive_store.crawl.extension import ArchiveExtension
from archive_store.crawl.resume import ResumeMiddleware
from archive_store.index.database import ArchiveIndex
from archive_store.lock import ArchiveLock
from pipelines.citations import CitationsPipeline
from pipelines.pipeline import ExtractionPipeline
from pipelines.recheck import RecheckPipeline
from sourcekeeper.demo.rawsite import ServedSite


def test_no_component_opens_the_archive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the archive was opened with ARCHIVE_ENABLED=False")

    monkeypatch.setattr(ArchiveLock, "acquire", refuse)
    monkeypatch.setattr(ArchiveIndex, "__init__", refuse)
    archive = tmp_path / "archive"
    crawler = archive_crawler(archive, ARCHIVE_ENABLED=False)  # builds the extensions too
    assert crawler.extensions is not None
    assert not any(isinstance(e, ArchiveExtension) for e in crawler.extensions.middlewares)
    components = (ArchiveExtension, ResumeMiddleware, ExtractionPipeline, RecheckPipeline, CitationsPipeline)
    for component in components:
        with pytest.raises(NotConfigured):
            build_from_crawler(component, crawler)
    handler = build_from_crawler(ArchivingDownloadHandler, crawler)
    run(handler.close())
    assert not archive.exists()


def test_the_handler_does_not_record_when_switched_off(tmp_path: Path) -> None:
    """The same handler switched off hands every request to Scrapy's own code path."""
    crawler = archive_crawler(tmp_path / "archive", ARCHIVE_ENABLED=False)
    handler = build_from_crawler(ArchivingDownloadHandler, crawler)
    assert handler._archive is None
    # Scrapy's own connection pool factory, not the recording one
    assert "Recording" not in handler._pool._factory.__name__
    run(handler.close())


@pytest.mark.slow
def test_a_crawl_with_the_archive_off_is_plain_scrapy(tmp_path: Path) -> None:
    """`scrapy crawl` from the checkout while another process holds the archive lock: a crawl that
    took the lock would stop at once; this one fetches its pages and leaves no archive behind."""
    archive = tmp_path / "archive"
    lock = ArchiveLock(archive)
    lock.acquire()
    try:
        with ServedSite("tests/mocksite.py:ROUTES") as site:
            seeds = tmp_path / "seeds.txt"
            seeds.write_text(f"{site.url('/plain')}\n{site.url('/chunked')}\n")
            proc = subprocess.run(
                [
                    *(sys.executable, "-m", "scrapy", "crawl", "urls", "-a", f"seeds={seeds}", *FAST),
                    *("-s", "ARCHIVE_ENABLED=False", "-s", f"ARCHIVE_DIR={archive}", "-s", "LOG_LEVEL=INFO"),
                ],
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=120,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
                check=False,
            )
    finally:
        lock.release()
    assert proc.returncode == 0, proc.stderr
    assert "'downloader/response_status_count/200': 2" in proc.stderr
    for stat in ("archive/runs_started", "archive/records_written", "archive/responses"):
        assert stat not in proc.stderr  # nothing was recorded
    assert sorted(p.name for p in archive.iterdir()) == [".lock"]  # ours; no index, no warcs

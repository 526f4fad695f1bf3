"""Imported captures are kept, searchable and replayable, but monitored only when asked: `recheck`
and `report` cover an imported URL with `import --monitor`, or when it is also one of our seeds
(never the other tool's robots.txt)."""

from __future__ import annotations

import urllib.request
from datetime import datetime
from pathlib import Path

import pytest
from archive_helpers import cli_here, run_cli
from import_warcs import import_files
from takedown_helpers import json_lines, recheck_cli
from warcio.capture_http import capture_http

from archive_store.index.baselines import archived_urls, monitor_urls
from archive_store.index.database import ArchiveIndex
from archive_store.index.schema import CaptureOrigin
from sourcekeeper.demo.rawsite import ServedSite

SITE = "tests/verdict_site.py:ROUTES"


def _record_with_warcio(target: Path, *urls: str) -> Path:
    """What another tool leaves: a crawler's robots.txt fetch beside the pages."""
    with capture_http(str(target), gzip=True):
        for url in urls:
            with urllib.request.urlopen(url, timeout=10) as answer:
                answer.read()
    return target


@pytest.mark.slow
def test_imported_urls_are_rechecked_and_reported_only_with_monitor(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    with ServedSite(SITE) as site:
        robots, notice, other = site.url("/robots.txt"), site.url("/ok.html"), site.url("/new.html")
        warc = _record_with_warcio(tmp_path / "colleague.warc.gz", robots, notice, other)
        [summary] = import_files(archive, warc)
        assert summary["monitored"] is None
        # kept and searchable, but nothing to watch
        assert cli_here("search", "--archive", archive, "--json", "劝返").stdout.count(notice) == 1
        nothing = recheck_cli(archive)
        assert nothing.returncode == 0 and "nothing to re-check" in nothing.stderr
        report = cli_here("report", "--archive", archive, "--json")
        assert report.stdout == "" and "report of 0 archived seed URLs" in report.stderr

        asked = run_cli("import", "--archive", archive, warc, "--monitor")
        assert asked.returncode == 0, asked.stderr
        assert "already imported" in asked.stderr and "monitored: 2 URLs" in asked.stderr
        rechecked = recheck_cli(archive, "--json")
        assert rechecked.returncode == 0, rechecked.stderr
        events = json_lines(rechecked.stdout)
        assert sorted(e["url"] for e in events) == sorted([notice, other])  # never robots.txt
        assert {e["state"] for e in events} == {"unchanged"}
    reported = json_lines(cli_here("report", "--archive", archive, "--json").stdout)
    assert sorted(s["url"] for s in reported) == sorted([notice, other])


def _capture_row(index: ArchiveIndex, n: int, url: str, run_id: int | None) -> int:
    return index.insert_capture(
        {
            "run_id": run_id,
            "url": url,
            "method": "GET",
            "captured_at": datetime(2026, 1, n),
            "warc_date": f"2026-01-{n:02d}T00:00:00Z",
            "http_status": 200,
            "record_type": "response",
            "record_id": f"<urn:uuid:00000000-0000-4000-8000-0000000000{n:02d}>",
            "warc_file": "x.warc.gz",
            "warc_offset": 0,
            "warc_length": 1,
            "payload_digest": "sha1:A",
            "block_digest": "sha1:B",
            "payload_length": 1,
            "chunked": False,
            "state": "ok",
            "hop": 0,
        }
    )


def test_monitored_sources_are_our_seeds_and_the_urls_asked_for(tmp_path: Path) -> None:
    """An import made before `--monitor` existed is not monitored, unless a URL is also a seed."""
    index = ArchiveIndex(f"sqlite:///{tmp_path / 'index.sqlite3'}")
    try:
        run = index.start_run("k", "urls", {"seeds": []})
        imported = ["http://a.example/1.html", "http://a.example/2.html", "http://a.example/robots.txt"]
        with index.session() as s:
            for n, url in enumerate(imported, start=1):
                s.add(
                    CaptureOrigin(
                        capture_id=_capture_row(index, n, url, None), origin="third-party", via="import"
                    )
                )
            s.commit()
        _capture_row(index, 4, "http://b.example/seed.html", run.id)
        _capture_row(index, 5, imported[1], run.id)  # an imported URL we also took as a seed
        assert archived_urls(index) == ["http://b.example/seed.html", imported[1]]
        assert monitor_urls(index, [imported[0]], "import", "colleague.warc.gz") == 1
        assert monitor_urls(index, [imported[0]], "import", "colleague.warc.gz") == 0  # once
        assert archived_urls(index) == [imported[0], "http://b.example/seed.html", imported[1]]
    finally:
        index.close()

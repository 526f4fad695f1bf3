"""A capture cut short (WARC-Truncated) is kept and shown as `truncated`, is never the latest good
capture while a complete one exists, and a re-check that gets a cut body fetches again before it
records anything (never a change from half a page)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from archive_helpers import archive_cli, cli_here, run_cli
from takedown_helpers import by_path, json_lines, recheck_cli
from truncated_site import AFTER, BEFORE

from archive_store.audit.verify import verify_archive
from archive_store.index.database import ArchiveIndex, default_db_url
from sourcekeeper.demo.rawsite import ServedSite

pytestmark = pytest.mark.slow  # crawls in subprocesses (see conftest.py)

# the cut answer reaches the re-check (Scrapy's default fails it as data loss: then it is unreachable)
KEEP_CUT = ["-s", "DOWNLOAD_FAIL_ON_DATALOSS=False", "-s", "RETRY_ENABLED=False"]


@dataclass
class Cut:
    site: ServedSite
    archive: Path
    events: dict[str, dict[str, Any]]
    second: Any


@pytest.fixture(scope="module")
def cut(tmp_path_factory) -> Iterator[Cut]:
    archive = tmp_path_factory.mktemp("truncated") / "archive"
    with ServedSite("tests/truncated_site.py:ROUTES") as site:
        archived = archive_cli(archive, site.url("/cut"), site.url("/once"))
        assert archived.returncode == 0, archived.stderr
        site.set_mode("after")
        first = recheck_cli(archive, "--json", *KEEP_CUT)
        assert first.returncode == 0, first.stderr
        # Scrapy's defaults: the cut answer fails as data loss (retried), its capture still kept
        second = recheck_cli(archive, site.url("/cut"), "--json")
        yield Cut(site, archive, by_path(json_lines(first.stdout), site.base_url), second)


def _captures(archive: Path, url: str) -> list[Any]:
    index = ArchiveIndex(default_db_url(archive), create=False)
    try:
        return sorted(index.captures_for(url), key=lambda c: c.id)
    finally:
        index.close()


def test_a_cut_answer_is_fetched_again_and_never_a_change(cut):
    event = cut.events["/cut"]
    assert event["state"] == "unreachable", event
    assert "cut short" in event["reason"] and "two fetches in a row" in event["reason"], event
    assert cut.site.hits()["after:/cut"] >= 3  # the re-check, its second fetch, the default-settings one
    second = json_lines(cut.second.stdout)
    assert [e["state"] for e in second] == ["unreachable"], cut.second.stdout + cut.second.stderr


def test_one_cut_answer_then_a_whole_one_is_a_change_from_the_whole_one(cut):
    event = cut.events["/once"]
    assert event["state"] == "changed", event
    assert "fetched twice: the first answer was cut short" in event["reason"]
    captures = _captures(cut.archive, cut.site.url("/once"))
    assert [c.state for c in captures] == ["ok", "truncated", "ok"]
    shown = cli_here("show", "--archive", cut.archive, cut.site.url("/once"), "--text")
    assert AFTER[1] in shown.stdout


def test_cut_captures_are_kept_shown_truncated_and_never_the_latest_good(cut):
    url = cut.site.url("/cut")
    captures = _captures(cut.archive, url)
    assert captures[0].state == "ok"
    assert len(captures) >= 3 and {c.state for c in captures[1:]} == {"truncated"}
    assert all(c.truncated for c in captures[1:])
    shown = cli_here("show", "--archive", cut.archive, url, "--json")
    fields = json.loads(shown.stdout)
    assert fields["state"] == "ok" and BEFORE[1] in fields["text"], fields
    assert fields["record_id"] == captures[0].record_id
    text = cli_here("show", "--archive", cut.archive, url, "--text")
    assert BEFORE[1] in text.stdout
    report = run_cli("report", "--json", "--archive", cut.archive)
    source = next(json.loads(line) for line in report.stdout.splitlines() if json.loads(line)["url"] == url)
    assert source["last_good"]["record_id"] == captures[0].record_id, source["last_good"]
    assert BEFORE[1] in source["last_good"]["text"]
    history = cli_here("history", "--archive", cut.archive, url)
    assert "truncated" in history.stdout, history.stdout
    assert verify_archive(cut.archive).ok

"""`history URL`: every capture and state change of a cited URL, oldest first, and who cites it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from archive_helpers import archive_cli, cli_here, run_cli
from report_files import markdown_report, paths
from takedown_helpers import SITE, json_lines, recheck_cli

from archive_store.index.events import duration_words
from sourcekeeper.demo.rawsite import ServedSite

pytestmark = pytest.mark.slow  # crawls in subprocesses (see conftest.py)


@dataclass
class Story:
    site: ServedSite
    archive: Path
    removed_url: str
    back: list[dict]  # `recheck --json` of the removed page once it is back


@pytest.fixture(scope="module")
def story(tmp_path_factory) -> Iterator[Story]:
    """Archive a report's citations, take the site down, re-check, bring one page back, re-check."""
    folder = tmp_path_factory.mktemp("history")
    archive = folder / "archive"
    with ServedSite(SITE) as site:
        report = folder / "report.md"
        report.write_bytes(markdown_report(site.base_url))
        assert archive_cli(archive, "--from-report", report).returncode == 0
        removed_url = site.url(paths()["removed"])
        site.set_mode("after")
        assert recheck_cli(archive).returncode == 3
        site.set_mode("before")
        back = recheck_cli(archive, "--json", removed_url)
        assert back.returncode == 0, back.stderr  # a restoration needs no one's attention
        yield Story(site, archive, removed_url, json_lines(back.stdout))


def history(story: Story, url: str) -> list[dict]:
    result = cli_here("history", "--archive", story.archive, "--json", url)
    assert result.returncode == 0, result.stderr
    return json_lines(result.stdout)


def test_history_lists_captures_and_rechecks_oldest_first(story):
    entries = history(story, story.removed_url)
    times = [datetime.fromisoformat(e["time"].rstrip("Z")) for e in entries]
    assert times == sorted(times)
    kinds = [e["kind"] for e in entries]
    assert kinds[0] == "cited" and kinds.count("recheck") == 2
    captures = [e for e in entries if e["kind"] == "capture"]
    assert [c["http_status"] for c in captures] == [200, 404, 404, 304]  # good, removed x2, back (304)
    assert [c["state"] for c in captures][:2] == ["ok", "removed:http-404"]


def test_history_marks_state_changes(story):
    rechecks = [e for e in history(story, story.removed_url) if e["kind"] == "recheck"]
    assert [(e["state"], e["state_change"]) for e in rechecks] == [("removed", True), ("restored", True)]
    assert rechecks[0]["new_removal"] and rechecks[0]["confirm_capture"] is not None


def test_a_source_back_after_a_confirmed_removal_is_restored_with_how_long_it_was_gone(story):
    removed, restored = [e for e in history(story, story.removed_url) if e["kind"] == "recheck"]
    assert removed["gone"] is None and not restored["new_removal"]
    gone = restored["gone"]
    assert gone["gone_since"] == removed["checked_at"] and gone["back_at"] == restored["checked_at"]
    back, since = (datetime.fromisoformat(gone[k].rstrip("Z")) for k in ("back_at", "gone_since"))
    seconds = (back - since).total_seconds()
    assert gone["gone_seconds"] == int(seconds) and gone["gone_for"] == duration_words(seconds)
    assert restored["reason"].startswith(f"back after a confirmed removal: gone for {gone['gone_for']}")
    (printed,) = story.back  # what `recheck --json` printed is what history keeps
    assert printed["state"] == "restored" and printed["gone"] == gone


def test_history_names_the_citing_report(story):
    cited = next(e for e in history(story, story.removed_url) if e["kind"] == "cited")
    assert Path(cited["report"]).name == "report.md" and cited["anchor"] == "县公安局通知"


def test_history_of_a_blocked_source_never_reads_as_removal(story):
    rechecks = [e for e in history(story, story.site.url(paths()["blocked"])) if e["kind"] == "recheck"]
    assert [e["state"] for e in rechecks] == ["blocked"] and not rechecks[0]["new_removal"]


def test_history_for_people(story):
    text = cli_here("history", "--archive", story.archive, story.removed_url).stdout
    lines = text.splitlines()
    assert "cited" in lines[0] and "report.md" in lines[0]
    assert any("recheck   state → removed NEW REMOVAL" in line for line in lines)
    assert any("state → restored (gone for " in line for line in lines)


def test_history_of_an_unknown_url_says_so(story):
    result = cli_here("history", "--archive", story.archive, story.site.url("/nothing/here.html"))
    assert result.returncode == 1 and "nothing about" in result.stderr


def test_report_shows_the_restored_source_and_how_long_it_was_gone(story, tmp_path):
    result = run_cli("report", "--archive", story.archive, "--json")
    source = next(line for line in json_lines(result.stdout) if line["url"] == story.removed_url)
    assert source["state"] == "restored" and source["gone"]["gone_for"]
    assert source["reason"].startswith("back after a confirmed removal")
    html = tmp_path / "report.html"
    assert run_cli("report", "--archive", story.archive, "--html", html).returncode == 0
    page = html.read_text("utf-8")
    assert '<tr class="source" data-state="restored">' in page
    assert f'<div class="gone">gone for {source["gone"]["gone_for"]}' in page
